"""Exchange files with ECM providers (spec/dhcs-interchange.md): the Member Information File (MIF) out, the Return
Transmission File (RTF) and Outreach Tracker File (OTF) in.

Imports are all or nothing: every row is checked first (layout, then the database: a known provider of the
uploader's organization, a CIN assigned to that provider) and any problem rejects the file with a report of file,
row, column and problem, so that the provider fixes the file and sends it whole again (the spec does not say that
good rows of a bad file apply). Good files store every row as a ProviderReport keyed by its natural key and apply
what models exist for (ECM status, Lead Care Manager, care-plan and encounter dates, discontinuation); re-importing
the same rows changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from calendar import monthrange
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carehub.apps.assignments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    ExchangeFile,
    ProviderReport,
)
from carehub.apps.assignments.notify import current_pcps
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.models import HousingEpisode, Member
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain import discontinuation as discontinuation_policy
from carehub.domain.dhcsfiles import Problem, layout, read_workbook, write_workbook
from carehub.domain.dhcsfiles.workbook import sha256_of
from carehub.domain.populations.housing import is_homeless

CIN = {"RTF": "Member Client Index Number (CIN)", "OTF": "Member Client Index Number"}
NPI = {"RTF": "ECM Provider National Provider Identifier (NPI)", "OTF": "ECM Provider NPI"}
PERIOD = "Member Information File Reporting Period"
# RTF column -> Assignment field it updates.
RTF_FIELDS = {
    "Member ECM Status": "ecm_status",
    "ECM Enrollment Start Date": "enrollment_start",
    "Date of Latest Care Plan Revision": "care_plan_revised_on",
    "Date of Most Recent Encounter with Member": "last_encounter_on",
    "ECM Lead Care Manager Name": "lead_care_manager_name",
    "ECM Lead Care Manager Name Phone Number": "lead_care_manager_phone",
    "ECM Lead Care Manager Email": "lead_care_manager_email",
}


class ExchangeError(ValueError):
    """A request that cannot be met (unknown provider, bad period); the message says what to fix."""


def _plan(key: str, default: str) -> str:
    """The plan's identity for file headers (settings.CAREHUB_PLAN, shared with notices)."""
    return str((getattr(settings, "CAREHUB_PLAN", None) or {}).get(key, default))


def _period_bounds(period: str) -> tuple[date, date]:
    try:
        year, month = (int(p) for p in period.split("-"))
        return date(year, month, 1), date(year, month, monthrange(year, month)[1])
    except ValueError:
        raise ExchangeError("the period must be YYYY-MM") from None


# ---- MIF out ----------------------------------------------------------------------------------------------------

def _current_housing(person_ids: list[str], on: date) -> dict[str, str]:
    """Per member, the housing status in force on `on` (the latest started, when several are): the MIF read
    homelessness from the population alone (found by an audit of the exchange files). One query."""
    housing: dict[str, str] = {}
    for person_id, status in (HousingEpisode.objects.filter(member_id__in=person_ids, start_date__lte=on)
                              .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
                              .order_by("member_id", "start_date").values_list("member_id", "status")):
        housing[person_id] = status
    return housing


def mif_rows(provider: ProviderOrganization, period: str) -> list[dict[str, Any]]:
    """One row per member the provider serves now and was assigned by the period's end. A member whose ECM with
    the provider has ended is left out: the file carries their address and phone, which the provider may no
    longer see (the pages already refused them; found by a walk-through of the demo)."""
    _first, last = _period_bounds(period)
    today = timezone.localdate()
    assignments = (Assignment.objects.filter(provider_npi=provider.npi, assigned_at__date__lte=last,
                                             status__in=OPEN_STATUSES)
                   .select_related("member", "authorization").order_by("member__last_name", "member_id"))
    # A member assigned, ended and assigned again within the period is one row (spec: "one row per member"): the
    # open assignment, else the latest; the dict keeps the query's order of members.
    latest: dict[str, Assignment] = {}
    for a in assignments:
        kept = latest.get(a.member_id)
        if kept is None or (a.is_open, a.assigned_at, a.pk) > (kept.is_open, kept.assigned_at, kept.pk):
            latest[a.member_id] = a
    # the current PCP assignment, not the member row's (stale once it changes): the one assignment notices use
    pcp, housed = current_pcps(list(latest), today), _current_housing(list(latest), today)
    rows = []
    for a in latest.values():
        m, auth = a.member, a.authorization
        rows.append({
            "Primary Payer (MCP) Identifier": _plan("code", "CAREHUB"),
            "MCP Name": _plan("name", "CareHub Demo Plan"),
            "MCP Contact Phone Number": _plan("phone", ""),
            "Member Client Index Number (CIN)": m.member_id, "Member Last Name": m.last_name,
            "Member First Name": m.first_name, "Member Date of Birth": m.birth_date, "Member Gender": m.gender,
            "Member Preferred Language": m.preferred_language, "Member Residential Address": m.address,
            "Member Residential City": m.city, "Member Residential State": m.state,
            "Member Residential Zip": m.zip_code, "Member Phone Number": m.phone,
            # the member's current housing status (or a homeless Population of Focus), not the population alone
            "Member Homelessness Indicator": "Y" if is_homeless(housed.get(a.member_id))
            or "HOMELESS" in a.population else "N",
            "Member POF Indicator": "Y" if a.population else "N", "Member POF": a.population,
            "Member PCP NPI": pcp.get(a.member_id) or m.pcp_npi or None,  # the current PCP assignment first
            "ECM Authorization Number": str(auth.pk) if auth else None,
            "ECM Authorization Start Date": auth.start_date if auth else None,
            "ECM Authorization End Date": auth.end_date if auth else None,
            "ECM Assignment Date": timezone.localdate(a.assigned_at),
            "Member Information File Reporting Period": period, "Member Information File Production Date": today,
            "ECM Provider Name": provider.name, "ECM Provider National Provider Identifier (NPI)": provider.npi,
            "ECM Provider Tax ID Number (TIN)": provider.tin or None,
        })
    return rows


def write_mif(npi: str, period: str, out: Any, *, actor: Any) -> int:
    """Write the MIF for the members assigned to `npi` in `period` (YYYY-MM) to `out` (path or stream); audited.
    Returns the number of member rows."""
    provider = ProviderOrganization.objects.filter(npi=npi).first()
    if provider is None:
        raise ExchangeError("no provider in the network has that NPI")
    rows = mif_rows(provider, period)
    count = write_workbook(out, layout("MIF"), rows, sheet_title="MIF")
    cins = [r["Member Client Index Number (CIN)"] for r in rows]
    record(actor=actor, action=Action.EXPORT, object_type="MemberInformationFile", object_id=npi,
           purpose="MIF to the ECM provider", detail={"period": period, "rows": count},
           people=Member.objects.filter(member_id__in=cins).values_list("person_id", flat=True))
    return count


def mif_bytes(npi: str, period: str, *, actor: Any) -> io.BytesIO:
    buffer = io.BytesIO()
    write_mif(npi, period, buffer, actor=actor)
    buffer.seek(0)
    return buffer


# ---- RTF / OTF in -----------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    kind: str
    file: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    changed: int = 0
    unchanged: int = 0
    discontinuations: int = 0  # sent to the plan's review (not ended: the plan confirms, seed 004 VI.F.2)
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            shown = "\n".join(str(p) for p in self.problems[:200])
            more = f"\n... and {len(self.problems) - 200} more" if len(self.problems) > 200 else ""
            return f"{self.file}: rejected, nothing applied ({len(self.problems)} problems)\n{shown}{more}"
        return self.headline() + "".join(f"\n  note: {n}" for n in self.notes)

    def headline(self) -> str:
        """The accepted file in one line (the notes apart)."""
        return (f"{self.file}: {self.rows} rows accepted ({self.changed} new or changed, {self.unchanged} "
                f"unchanged, {self.discontinuations} discontinuations sent to the plan's review)")


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items() if v is not None}


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _check_rows(kind: str, rows: list, file: str, allowed_npis: Collection[str] | None) -> tuple[
        list[Problem], dict[tuple[str, str], Assignment]]:
    """Database checks of every row; returns problems and (npi, cin) -> the assignment the row reports on."""
    npis = {r.values[NPI[kind]] for r in rows}
    known = set(ProviderOrganization.objects.filter(npi__in=npis).values_list("npi", flat=True))
    cins = {r.values[CIN[kind]] for r in rows}
    assignments: dict[tuple[str, str], Assignment] = {}
    for a in (Assignment.objects.filter(provider_npi__in=known, member__member_id__in=cins)
              .exclude(status=AssignmentStatus.RETURNED).select_related("member").order_by("assigned_at", "pk")):
        key = (a.provider_npi, a.member.member_id)
        if key not in assignments or a.is_open:
            assignments[key] = a  # the open one, else the latest
    problems: list[Problem] = []
    seen: dict[tuple[Any, ...], int] = {}
    for r in rows:
        npi, cin = r.values[NPI[kind]], r.values[CIN[kind]]
        if npi not in known:
            problems.append(Problem(file, r.row, NPI[kind], "no ECM provider in the plan's network has this NPI"))
            continue
        if allowed_npis is not None and npi not in allowed_npis:
            problems.append(Problem(file, r.row, NPI[kind], "this NPI is not your organization's"))
            continue
        if (npi, cin) not in assignments:
            problems.append(Problem(file, r.row, CIN[kind], "no member assigned to this provider has this CIN"))
            continue
        problem = _outside_assignment(kind, r.values, assignments[(npi, cin)])
        if problem:
            problems.append(Problem(file, r.row, *problem))
            continue
        if kind == "RTF":  # text the assignment keeps must fit its field, or the database would refuse the file
            for column, f in RTF_FIELDS.items():
                limit = getattr(Assignment._meta.get_field(f), "max_length", None)
                value = r.values.get(column)
                if limit and isinstance(value, str) and len(value) > limit:
                    problems.append(Problem(file, r.row, column, f"is longer than {limit} characters"))
        key = _natural_key(kind, r.values)
        if kind == "RTF" and key in seen:  # an OTF lists every attempt: two on one day by one method are two
            problems.append(Problem(file, r.row, CIN[kind], f"the same member is reported again (row {seen[key]})"))
        seen.setdefault(key, r.row)
    return problems, assignments


def _outside_assignment(kind: str, values: dict[str, Any], assignment: Assignment) -> tuple[str, str] | None:
    """(column, problem) when a row reports on a time the member was not assigned to the provider: an RTF period
    that is still to come or that the assignment does not overlap, an OTF attempt before the assignment or after
    it ended. Such rows were accepted and rewrote an ended assignment's status, or counted toward the required
    outreach, where the same attempt in the app is refused (found by an audit of the exchange files)."""
    assigned_on = timezone.localdate(assignment.assigned_at)
    ended_on = timezone.localdate(assignment.ended_at) if assignment.ended_at else None
    if kind == "RTF":
        try:
            first, last = _period_bounds(str(values[PERIOD]))
        except ExchangeError:
            return None  # the layout check reports the format
        if first > timezone.localdate():
            return PERIOD, "this reporting period has not started yet"
        if last < assigned_on or (ended_on is not None and first > ended_on):
            return PERIOD, (f"the member was not assigned to this provider in this period (assigned "
                            f"{assigned_on.isoformat()}" + (f", ended {ended_on.isoformat()})" if ended_on else ")"))
        return None
    attempted = values.get("Date of Outreach Attempt")
    if isinstance(attempted, date) and (attempted < assigned_on or (ended_on is not None and attempted > ended_on)):
        return "Date of Outreach Attempt", (f"the attempt is outside the member's assignment to this provider "
                                            f"(assigned {assigned_on.isoformat()}"
                                            + (f", ended {ended_on.isoformat()})" if ended_on else ")"))
    return None


def _natural_key(kind: str, v: dict[str, Any], occurrence: int = 1) -> tuple[Any, ...]:
    """What a row reports on: an RTF row a member's month; an OTF row one outreach attempt, by day and method and,
    for a second or later attempt of the same day and method, its place among them in the file (the first keeps
    the key it always had, so rows stored before stay matched)."""
    if kind == "RTF":
        return (kind, v[NPI[kind]], v[CIN[kind]], v[PERIOD])
    return (kind, v[NPI[kind]], v[CIN[kind]], v["Date of Outreach Attempt"], v["Outreach Attempt Method"].lower(),
            *((occurrence,) if occurrence > 1 else ()))


def import_file(kind: str, data: bytes, *, name: str, actor: Any,
                allowed_npis: Collection[str] | None = None) -> ImportReport:
    """Validate and apply an RTF or OTF workbook, all or nothing. `allowed_npis`: the uploader's NPIs (None for
    the plan's own command line). Every import, accepted or not, is logged as an ExchangeFile and audited."""
    kind = kind.upper()
    if kind not in ("RTF", "OTF"):
        raise ExchangeError("kind must be RTF or OTF")
    read = read_workbook(io.BytesIO(data), layout(kind), today=timezone.localdate(), name=name)
    report = ImportReport(kind, read.file, rows=len(read.rows), problems=list(read.problems))
    assignments: dict[tuple[str, str], Assignment] = {}
    if report.accepted:
        problems, assignments = _check_rows(kind, read.rows, read.file, allowed_npis)
        report.problems.extend(problems)
    with transaction.atomic():
        log = ExchangeFile.objects.create(
            kind=kind, filename=name[:200], sha256=sha256_of(data), at=timezone.now(),
            actor_label=getattr(actor, "label", "") or getattr(actor, "username", ""), rows=report.rows,
            accepted=report.accepted, problems=[p.as_dict() for p in report.problems[:1000]],
            # the file's NPI as read: none when every row's NPI was refused (the column is not nullable)
            provider_npi=next((r.values[NPI[kind]] for r in read.rows if r.values[NPI[kind]]), ""))
        if report.accepted:
            occurrences: Counter[tuple[Any, ...]] = Counter()
            for r in read.rows:
                key = _natural_key(kind, r.values)
                occurrences[key] += 1
                _apply(kind, r.values, assignments[(r.values[NPI[kind]], r.values[CIN[kind]])], log, report,
                       actor, occurrences[key])
            log.changed = report.changed
            log.save(update_fields=["changed"])
            if kind == "OTF":  # the provider's attempts join the member's outreach record (engagement app)
                from carehub.apps.engagement.otf import sync_otf_reports

                sync_otf_reports(actor=actor, source_file=log)
        record(actor=actor, action=Action.LOAD, object_type=f"{kind}File", object_id=str(log.pk),
               purpose=f"{kind} from an ECM provider",
               detail={"accepted": report.accepted, "rows": report.rows, "problems": len(report.problems),
                       "changed": report.changed, "discontinuations": report.discontinuations,
                       "notes": len(report.notes)})
    return report


def _apply(kind: str, values: dict[str, Any], assignment: Assignment, log: ExchangeFile, report: ImportReport,
           actor: Any, occurrence: int = 1) -> None:
    data = _json(values)
    row_key = _digest(*_natural_key(kind, values, occurrence))
    row_hash = _digest(data)
    existing = ProviderReport.objects.filter(row_key=row_key).first()
    reported_on = values.get("Date of Outreach Attempt") or values.get(
        "Member Information Return Transmission File Production Date")
    if existing is not None and existing.row_hash == row_hash:
        report.unchanged += 1
        return
    ProviderReport.objects.update_or_create(row_key=row_key, defaults=dict(
        kind=kind, provider_npi=values[NPI[kind]], member_id=assignment.member_id, row_hash=row_hash, data=data,
        reported_on=reported_on, source_file=log, updated_at=timezone.now()))
    report.changed += 1
    record(actor=actor, action=Action.UPDATE, object_type="ProviderReport", object_id=row_key[:16],
           person_id=assignment.member_id, purpose=f"{kind} row from the ECM provider")
    if kind != "RTF":
        return
    changed = [f for column, f in RTF_FIELDS.items()
               if values.get(column) is not None and getattr(assignment, f) != values[column]]
    for column, f in RTF_FIELDS.items():
        if f in changed:
            setattr(assignment, f, values[column])
    if changed:
        assignment.save(update_fields=changed)
    stopped = values.get("Discontinuation Date")
    if stopped is not None and assignment.status in OPEN_STATUSES:
        _request_discontinuation(values, stopped, assignment, log, report, actor)


def _request_discontinuation(values: dict[str, Any], stopped: date, assignment: Assignment, log: ExchangeFile,
                             report: ImportReport, actor: Any) -> None:
    """An RTF row's discontinuation goes to the plan's review as the provider's request (seed 004 VI.F.2: the plan
    confirms and sends the Notice of Action; ECM ends on the date of action), never straight to the end of the
    assignment. A row whose reason the plan's mapping does not know is noted for care coordination to record."""
    from carehub.apps.discontinuation import services as discontinuation  # it imports this app

    code, text = values.get("Discontinuation Reason Code"), values.get("Discontinuation Reason") or ""
    said = f"discontinued on {stopped.isoformat()}" + (f", DHCS reason code {code}" if code else "") + (
        f", reason {text!r}" if text else "")
    reason = discontinuation_policy.reason_for_return_file(code, text, discontinuation.reasons())
    if reason is None:
        report.notes.append(f"{assignment.member.member_id}: {said}: no discontinuation reason maps to it; "
                            "record the discontinuation with its reason in CareHub")
        return
    try:
        discontinuation.request_discontinuation(
            assignment, reason, actor=actor, return_file=log.filename,
            evidence=f"Return Transmission File {log.filename}: {said}.")
    except discontinuation.DiscontinuationError as why:  # already waiting for the plan, or already ending
        report.notes.append(f"{assignment.member.member_id}: {said}: not requested again ({why})")
        return
    report.discontinuations += 1
