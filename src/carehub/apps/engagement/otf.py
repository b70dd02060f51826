"""Outreach Tracker File (OTF) rows as outreach attempts (spec/dhcs-interchange.md "OTF columns").

The assignments app stores every OTF row a provider uploads as a `ProviderReport` (kind OTF) keyed by its natural
key. `sync_otf_reports` turns those rows into `OutreachAttempt`s with `source=OTF` and `source_key=row_key`, so
running it again (or re-importing the same file) changes nothing, and a corrected row updates its attempt. The
assignments app (or the lead) calls it after `exchange.import_file("OTF", ...)`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from carehub.apps.assignments.models import Assignment, AssignmentStatus, ExchangeFile, FileKind, ProviderReport
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.engagement.models import OutreachAttempt, OutreachMethod, OutreachOutcome, RecordSource
from carehub.apps.members.models import Member
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain.dhcsfiles import layout, write_workbook
from carehub.domain.outreach import REACHED_OUTCOMES

DATE, METHOD, SUCCESS, MINUTES = ("Date of Outreach Attempt", "Outreach Attempt Method",
                                  "Outreach Attempt Successful", "Time Spent Performing Outreach")

# What providers type in the free-text method column, lower-cased, to our methods.
_METHODS = {"in person": OutreachMethod.IN_PERSON, "in-person": OutreachMethod.IN_PERSON,
            "in_person": OutreachMethod.IN_PERSON, "face to face": OutreachMethod.IN_PERSON,
            "field": OutreachMethod.IN_PERSON, "phone": OutreachMethod.PHONE, "telephone": OutreachMethod.PHONE,
            "call": OutreachMethod.PHONE, "text": OutreachMethod.TEXT, "sms": OutreachMethod.TEXT,
            "email": OutreachMethod.EMAIL, "e-mail": OutreachMethod.EMAIL, "mail": OutreachMethod.MAIL,
            "letter": OutreachMethod.MAIL}


def method_of(value: Any) -> str:
    return _METHODS.get(str(value or "").strip().lower(), OutreachMethod.OTHER)


def _successful(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("y", "yes", "true", "1")


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # no assignment of that member to that provider


def _assignment_for(report: ProviderReport, cache: dict[tuple[str, str], Assignment | None]) -> Assignment | None:
    """The member's open assignment to the reporting provider, else the latest one (not returned)."""
    key = (report.provider_npi, report.member_id)
    if key not in cache:
        rows = list(Assignment.objects.filter(provider_npi=report.provider_npi, member_id=report.member_id)
                    .exclude(status=AssignmentStatus.RETURNED).order_by("assigned_at", "pk"))
        cache[key] = next((a for a in rows if a.is_open), rows[-1] if rows else None)
    return cache[key]


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    success = _successful(data.get(SUCCESS))
    try:
        minutes = max(0, int(float(data.get(MINUTES) or 0)))
    except (TypeError, ValueError):
        minutes = 0
    return {"attempted_on": date.fromisoformat(str(data[DATE])[:10]), "method": method_of(data.get(METHOD)),
            "outcome": OutreachOutcome.REACHED_ENGAGED if success else OutreachOutcome.OTHER,
            "minutes": minutes,
            "note": f"From the Outreach Tracker File ({'successful' if success else 'not successful'}; "
                    f"method as reported: {data.get(METHOD) or '-'})"}


def _link_recorded(assignment: Assignment, values: dict[str, Any], row_key: str) -> bool:
    """Mark an attempt recorded in CareHub (same day and method, not yet linked) as the one the OTF row
    reports, so that a provider's OTF built from CareHub does not count its attempts twice."""
    first = (OutreachAttempt.objects.filter(assignment=assignment, attempted_on=values["attempted_on"],
                                            method=values["method"], source=RecordSource.APP,
                                            source_key__isnull=True).order_by("pk").first())
    if first is None:
        return False
    OutreachAttempt.objects.filter(pk=first.pk).update(source_key=row_key)
    return True


def sync_otf_reports(*, actor: Any, source_file: ExchangeFile | None = None,
                     provider_npi: str = "") -> SyncResult:
    """Create or update the outreach attempts of OTF rows (of one uploaded file, one provider, or all). Audited
    once per attempt written; idempotent."""
    reports = ProviderReport.objects.filter(kind=FileKind.OTF).order_by("pk")
    if source_file is not None:
        reports = reports.filter(source_file=source_file)
    if provider_npi:
        reports = reports.filter(provider_npi=provider_npi)
    result = SyncResult()
    cache: dict[tuple[str, str], Assignment | None] = {}
    existing = {a.source_key: a for a in OutreachAttempt.objects.filter(source_key__in=reports.values("row_key"))}
    with transaction.atomic():
        for report in reports:
            assignment = _assignment_for(report, cache)
            if assignment is None or DATE not in report.data:
                result.skipped += 1
                continue
            values = _fields(report.data)
            attempt = existing.get(report.row_key)
            if attempt is not None and (attempt.source == RecordSource.APP
                                        or all(getattr(attempt, k) == v for k, v in values.items())):
                result.unchanged += 1
                continue
            if attempt is None and _link_recorded(assignment, values, report.row_key):
                result.unchanged += 1  # the provider's file repeats an attempt already recorded in CareHub
                continue
            if attempt is None:
                attempt = OutreachAttempt.objects.create(assignment=assignment, source=RecordSource.OTF,
                                                         source_key=report.row_key, staff_name="OTF", **values)
                action, result.created = Action.CREATE, result.created + 1
            else:
                OutreachAttempt.objects.filter(pk=attempt.pk).update(**values)
                action, result.updated = Action.UPDATE, result.updated + 1
            record(actor=actor, action=action, object_type="OutreachAttempt", object_id=str(attempt.pk),
                   person_id=assignment.member_id, purpose="outreach attempt from the provider's OTF",
                   detail={"assignment": assignment.pk, "row_key": report.row_key[:16]})
    return result


# ---- OTF out: the attempts recorded in CareHub, in the OTF layout -------------------------------------------

_METHOD_LABELS = {OutreachMethod.IN_PERSON: "In Person", OutreachMethod.PHONE: "Phone", OutreachMethod.TEXT: "Text",
                  OutreachMethod.EMAIL: "Email", OutreachMethod.MAIL: "Mail", OutreachMethod.OTHER: "Other"}


def otf_rows(provider: ProviderOrganization, first: date, last: date) -> list[dict[str, Any]]:
    """One OTF row per outreach attempt to the provider's assigned members between `first` and `last`."""
    plan = getattr(settings, "CAREHUB_PLAN", None) or {}
    attempts = (OutreachAttempt.objects.filter(assignment__provider_npi=provider.npi, attempted_on__gte=first,
                                               attempted_on__lte=last)
                .select_related("assignment__member").order_by("attempted_on", "pk"))
    return [{"Primary Payer (MCP) Identifier": str(plan.get("code", "CAREHUB")),
             "MCP Name": str(plan.get("name", "CareHub Demo Plan")), "ECM Provider Name": provider.name,
             "ECM Provider NPI": provider.npi, "ECM Provider TIN": provider.tin or None,
             "Client Name": f"{a.assignment.member.last_name}, {a.assignment.member.first_name}",
             "Member Client Index Number": a.assignment.member.member_id,
             "Provider Type": provider.provider_type or None, "Date of Outreach Attempt": a.attempted_on,
             "Outreach Attempt Method": _METHOD_LABELS.get(a.method, "Other"),
             "Outreach Attempt Successful": "Y" if a.outcome in REACHED_OUTCOMES else "N",
             "Time Spent Performing Outreach": a.minutes} for a in attempts]


def otf_bytes(npi: str, first: date, last: date, *, actor: Any) -> io.BytesIO:
    """The OTF workbook of one provider's attempts in a period; audited as an export."""
    provider = ProviderOrganization.objects.filter(npi=npi).first()
    if provider is None:
        raise ValueError("no provider in the network has that NPI")
    rows = otf_rows(provider, first, last)
    buffer = io.BytesIO()
    write_workbook(buffer, layout("OTF"), rows, sheet_title="OTF")
    record(actor=actor, action=Action.EXPORT, object_type="OutreachTrackerFile", object_id=npi,
           purpose="OTF of outreach attempts recorded in CareHub",
           detail={"first": first.isoformat(), "last": last.isoformat(), "rows": len(rows),
                   "cins": sorted({r["Member Client Index Number"] for r in rows})},
           people=Member.objects.filter(member_id__in={r["Member Client Index Number"] for r in rows})
           .values_list("person_id", flat=True))
    buffer.seek(0)
    return buffer
