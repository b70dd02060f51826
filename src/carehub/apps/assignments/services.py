"""Every write to assignments: assign approved authorizations in a batch (carehub.domain.assignment), the
provider's accept or return, ending an assignment, and members' requests to change provider.

Each function takes a keyword-only `actor`, runs in one transaction and writes an audit record. An open
assignment owns an ASSIGNED CareRelationship, so the provider's staff see the member exactly while it is open.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from carehub.apps.assignments import notify
from carehub.apps.assignments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    ChangeChannel,
    ChangeStatus,
    ProviderChangeRequest,
)
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision
from carehub.apps.members.models import CareRelationship, Member, ProgramEnrollment, RelationshipKind
from carehub.apps.members.selectors import organization_npis
from carehub.apps.providers.models import CapacityLine, ProviderOrganization
from carehub.domain import deadlines
from carehub.domain.assignment import Assignment as BatchAssignment
from carehub.domain.assignment import MemberCase, Provider, Rule, assign_batch, qualifies
from carehub.domain.assignment.members_file import npi_is_valid
from carehub.domain.assignment.policy import (
    RULE_LABELS,
    Unqualified,
    experienced_populations,
    normalize_county,
    normalize_language,
)
from carehub.domain.calendar import default_calendar

# Program rows whose `detail` names a provider NPI, by the rule that reads them (as domain/assignment/folder.py).
RELATIONSHIP_PROGRAMS = ("WPC", "HHP", "ECM")
CCS_PROGRAMS = ("CCS", "CCS_WCM")
BEHAVIORAL_HEALTH_PROGRAMS = ("SMHS", "DMC_ODS", "DMC")


class AssignmentError(ValueError):
    """A change that cannot be made; the message says what to fix (and never carries member data)."""


MAX_REASON = 2000  # ProviderChangeRequest.reason; the member's own words are refused over it, never cut

_WHY_NOT = {Unqualified.NOT_IN_NETWORK: "no provider in the network has that NPI",
            Unqualified.NOT_ECM: "it is not a contracted ECM provider",
            Unqualified.COUNTY: "it does not serve the member's county",
            Unqualified.POPULATION: "it does not serve the member's Population of Focus",
            Unqualified.FULL: "it has no capacity left"}


def assignment_due(decided_at: datetime) -> datetime:
    """The end of the assignment clock: ten working days from the authorization (deadlines 'assignment')."""
    return deadlines.due("assignment", decided_at, calendar=default_calendar())


# ---- the network and the batch ---------------------------------------------------------------------------------

def open_counts(npis: Iterable[str] | None = None) -> dict[str, int]:
    """Open assignments (assigned or accepted) per provider NPI, one query."""
    qs = Assignment.objects.filter(status__in=OPEN_STATUSES)
    if npis is not None:
        qs = qs.filter(provider_npi__in=list(npis))
    return dict(qs.values_list("provider_npi").annotate(n=Count("pk")).values_list("provider_npi", "n"))


def _contracted(org: ProviderOrganization, on: date) -> bool:
    return org.contracted_on(on)


def network(on: date | None = None) -> dict[str, Provider]:
    """The network as assignment sees it: every ProviderOrganization, capacity left = capacity minus its open
    assignments (a provider with no stated capacity, or not contracted, has none to assign against)."""
    taken = open_counts()
    on = on or timezone.localdate()
    cells = _cells_left()
    providers = {}
    for org in ProviderOrganization.objects.select_related("network").order_by("npi"):
        left = None if org.capacity is None else max(org.capacity - taken.get(org.npi, 0), 0)
        if not _contracted(org, on):
            left = 0  # in the network but not (or no longer) contracted: nothing to assign against
        providers[org.npi] = Provider(
            npi=org.npi, name=org.name, kind=(org.kind or "").upper(), provider_type=org.provider_type,
            counties=frozenset(normalize_county(c) for c in org.counties or []),
            populations=frozenset(org.populations or []),
            languages=frozenset(normalize_language(v) for v in org.languages or []),
            capacity=left, experienced_populations=experienced_populations(org.provider_type),
            cell_capacity=cells.get(org.npi, ()))
    return providers


def _cells_left() -> dict[str, tuple[tuple[str, str, int], ...]]:
    """NPI -> (county, population, left) for the cells where provider relations recorded capacity by county and
    population (providers.CapacityLine): that capacity minus the open assignments there (two queries)."""
    taken: dict[tuple[str, str, str], int] = {}
    for npi, county, population, n in (Assignment.objects.filter(status__in=OPEN_STATUSES)
                                       .values_list("provider_npi", "member__county", "population")
                                       .annotate(n=Count("pk"))):
        key = (npi, normalize_county(county or ""), population)
        taken[key] = taken.get(key, 0) + n
    out: dict[str, list[tuple[str, str, int]]] = {}
    for npi, county, population, capacity in CapacityLine.objects.values_list(
            "provider__npi", "county", "population", "capacity"):
        key = (npi, normalize_county(county), population)
        out.setdefault(npi, []).append((key[1], population, max(capacity - taken.get(key, 0), 0)))
    return {npi: tuple(sorted(cells)) for npi, cells in out.items()}


def _program_npis(person_ids: Sequence[str], on: date) -> dict[str, dict[str, list[str]]]:
    """person_id -> {'relationships'|'ccs'|'bh': [NPI, most recent first]} from program rows (one query)."""
    out: dict[str, dict[str, list[str]]] = {p: {"relationships": [], "ccs": [], "bh": []} for p in person_ids}
    rows = (ProgramEnrollment.objects.filter(member_id__in=person_ids, start_date__lte=on)
            .exclude(detail="").order_by("-start_date", "program", "detail")
            .values_list("member_id", "program", "detail", "end_date"))
    for person_id, program, detail, end_date in rows:
        program = program.upper()
        if program in RELATIONSHIP_PROGRAMS:
            out[person_id]["relationships"].append(detail)
        elif program in CCS_PROGRAMS and (end_date is None or end_date >= on):
            out[person_id]["ccs"].append(detail)
        elif program in BEHAVIORAL_HEALTH_PROGRAMS:
            out[person_id]["bh"].append(detail)
    return out


def member_cases(entries: Sequence[tuple[Member, str, str, Sequence[str]]], on: date) -> list[MemberCase]:
    """MemberCases for (member, population, preferred NPI, NPIs the member must not be given again). NPIs that
    returned the member are left out of every named-provider rule."""
    programs = _program_npis([m.person_id for m, *_ in entries], on)
    cases = []
    for member, population, preferred, excluded in entries:
        facts = programs[member.person_id]

        def keep(npis: Iterable[str], excluded: Sequence[str] = excluded) -> tuple[str, ...]:
            return tuple(n for n in dict.fromkeys(npis) if n and n not in excluded)

        cases.append(MemberCase(
            person_id=member.person_id, population=population, county=member.county,
            language=member.preferred_language, preferred_npi=(keep([preferred]) or ("",))[0],
            previous_npis=keep(facts["relationships"]), ccs_case_manager_npis=keep(facts["ccs"]),
            behavioral_health_npis=keep(facts["bh"]), pcp_npi=(keep([member.pcp_npi]) or ("",))[0]))
    return cases


def awaiting_assignment(on: date | None = None) -> QuerySet[AuthorizationRequest]:
    """Approved authorizations in force whose member has no open assignment and that no provider holds: the
    assignment queue (a returned assignment puts its member back here). Earliest authorized first."""
    on = on or timezone.localdate()
    held = Assignment.objects.filter(authorization=OuterRef("pk")).exclude(status=AssignmentStatus.RETURNED)
    open_ = Assignment.objects.filter(member=OuterRef("member_id"), status__in=OPEN_STATUSES)
    return (AuthorizationRequest.objects
            .filter(decision__in=(Decision.APPROVED, Decision.MODIFIED))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
            .filter(~Exists(held), ~Exists(open_))
            .select_related("member", "referral").order_by("decided_at", "pk"))


@dataclass
class BatchOutcome:
    assigned: list[Assignment]
    unassigned: list[str]  # person_ids nobody could take (still in the queue)

    def summary(self) -> str:
        rules = Counter(a.rule for a in self.assigned)
        by_rule = ", ".join(f"{n} by {RULE_LABELS.get(rule, rule)}" for rule, n in sorted(rules.items()))
        return f"assigned {len(self.assigned)}, left in the queue {len(self.unassigned)}" + \
            (f" ({by_rule})" if by_rule else "")


def _returned_by(person_ids: Sequence[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for person_id, npi in Assignment.objects.filter(member_id__in=person_ids, status=AssignmentStatus.RETURNED) \
            .values_list("member_id", "provider_npi"):
        out.setdefault(person_id, []).append(npi)
    return out


def _open_assignment(*, member: Member, npi: str, rule: str, actor: Any, now: datetime,
                     authorization: AuthorizationRequest | None, population: str,
                     alternatives: Sequence[str] = (), due_by: datetime | None = None) -> Assignment:
    relationship = CareRelationship.objects.create(
        member=member, provider_npi=npi, kind=RelationshipKind.ASSIGNED, start_date=timezone.localdate(now),
        source="assignment", row_key=f"assignment:{uuid.uuid4().hex}", row_hash="assignment")
    if due_by is None and authorization is not None and authorization.decided_at:
        due_by = assignment_due(authorization.decided_at)
    assignment = Assignment.objects.create(
        member=member, provider_npi=npi, authorization=authorization, population=population, rule=str(rule),
        alternatives=list(alternatives), assigned_at=now, assigned_by=actor if getattr(actor, "pk", None) else None,
        due_by=due_by, relationship=relationship)
    record(actor=actor, action=Action.CREATE, object_type="Assignment", object_id=str(assignment.pk),
           person_id=member.person_id, purpose="assignment to an ECM provider",
           detail={"provider_npi": npi, "rule": str(rule), "on_time": assignment.on_time,
                   "alternatives": list(alternatives)})
    return assignment


def _decide(cases: list[MemberCase], returned: dict[str, list[str]],
            providers: dict[str, Provider]) -> list[BatchAssignment]:
    """assign_batch over the whole batch, except that a member returned by some providers is solved in a group
    whose network leaves those providers out. Returned members go first (they have waited longest); capacity
    used by one group is gone for the next."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, case in enumerate(cases):
        groups.setdefault(tuple(sorted(returned.get(case.person_id, []))), []).append(i)
    remaining = {npi: p.capacity for npi, p in providers.items()}
    cells = {npi: p.cell_limits() for npi, p in providers.items()}
    decisions: list[BatchAssignment | None] = [None] * len(cases)
    for excluded in sorted(groups, key=lambda k: (not k, k)):
        network_now = {npi: replace(p, capacity=remaining[npi],
                                    cell_capacity=tuple((c, pop, n) for (c, pop), n in sorted(cells[npi].items())))
                       for npi, p in providers.items() if npi not in excluded}
        indexes = groups[excluded]
        for i, decision in zip(indexes, assign_batch([cases[i] for i in indexes], network_now), strict=True):
            decisions[i] = decision
            if decision.provider_npi:
                remaining[decision.provider_npi] = (remaining[decision.provider_npi] or 0) - 1
                cell = (normalize_county(cases[i].county), cases[i].population)
                if cell in cells[decision.provider_npi]:
                    cells[decision.provider_npi][cell] -= 1
    return [d for d in decisions if d is not None]


def _populations(auths: Sequence[Any]) -> dict[int, str]:
    """The Population of Focus each member is assigned for: the referral's first, else the member's own in the
    latest identification run (not excluded first, then by priority). Populations are optional on a referral (a
    member asking on the public page rarely knows the code), and a member with none was never assigned: no
    provider qualifies for "no population" (found by an audit of issues 4-6)."""
    chosen = {a.pk: a.referral.populations[0] for a in auths if a.referral_id and a.referral.populations}
    missing = {a.member_id: a.pk for a in auths if a.pk not in chosen}
    if missing:
        from carehub.apps.identification.models import IdentifiedPopulation  # identification reads this app
        from carehub.apps.identification.selectors import latest_run

        run = latest_run()
        rows = (IdentifiedPopulation.objects.filter(run=run, member_id__in=list(missing))
                .order_by("member_id", "excluded", "-priority", "population")
                .values_list("member_id", "population")) if run is not None else []
        for person_id, population in rows:
            chosen.setdefault(missing[person_id], population)
    return {a.pk: chosen.get(a.pk, "") for a in auths}


def _preferred_npis(auths: Sequence[Any]) -> dict[int, str]:
    """The provider each member should go to first (the MEMBER_PREFERENCE rule, when it qualifies): the one the
    referral says the member prefers (the batch never used one: found by an audit of issues 4-6), else the
    designated ECM provider that authorized the member presumptively (seed 003 8.e: the provider that started ECM
    keeps the member; the batch gave such members to another provider, found by an audit of issues 4-6)."""
    preferred = {}
    for a in auths:
        if a.referral_id and a.referral.preferred_provider_npi:  # the member's own (seed 000 II.f; 004 VI.E.2)
            preferred[a.pk] = a.referral.preferred_provider_npi
        elif a.presumptive_org_id:
            npis = organization_npis(a.presumptive_org_id)
            if npis:
                preferred[a.pk] = npis[0]
    return preferred


@transaction.atomic
def assign_authorized(*, actor: Any, now: datetime | None = None,
                      authorization_ids: Sequence[int] | None = None) -> BatchOutcome:
    """Assign every authorization in the queue (or those named) in one batch with the domain policy and solver.
    A provider that returned a member is never given that member again."""
    now = now or timezone.now()
    queue = awaiting_assignment(timezone.localdate(now)).select_for_update(of=("self",))
    if authorization_ids is not None:
        queue = queue.filter(pk__in=list(authorization_ids))
    auths = list(queue)
    seen: set[str] = set()
    auths = [a for a in auths if not (a.member_id in seen or seen.add(a.member_id))]  # one per member
    returned = _returned_by([a.member_id for a in auths])
    populations = _populations(auths)
    preferred = _preferred_npis(auths)
    cases = member_cases([(a.member, populations[a.pk], preferred.get(a.pk, ""), returned.get(a.member_id, []))
                          for a in auths], timezone.localdate(now))
    outcome = BatchOutcome([], [])
    for auth, decision in zip(auths, _decide(cases, returned, network(timezone.localdate(now))), strict=True):
        if decision.rule == Rule.UNASSIGNED:
            outcome.unassigned.append(auth.member_id)
            continue
        outcome.assigned.append(_open_assignment(
            member=auth.member, npi=decision.provider_npi, rule=decision.rule, actor=actor, now=now,
            authorization=auth, population=populations[auth.pk],
            alternatives=[str(c) for c in decision.alternatives]))
    record(actor=actor, action=Action.UPDATE, object_type="AssignmentBatch", purpose="batch assignment",
           detail={"assigned": len(outcome.assigned), "unassigned": len(outcome.unassigned)})
    notify.assignments_made(outcome.assigned, actor=actor)
    return outcome


# ---- the provider's response and the end of an assignment -----------------------------------------------------

def _for_provider(assignment: Assignment, actor: Any) -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not (getattr(actor, "is_plan_staff", False)
            or locked.provider_npi in organization_npis(getattr(actor, "organization_id", None))):
        raise AssignmentError("this assignment is not to your organization")
    return locked


def _end_relationship(assignment: Assignment, on: date) -> None:
    """The care relationship's last day is the day before `on`: a relationship is current through its end date
    (members.selectors.current_relationship), so ending it "on" today left the provider seeing the member until
    midnight (found by an audit of the API)."""
    if assignment.relationship_id:
        CareRelationship.objects.filter(pk=assignment.relationship_id, end_date__isnull=True).update(
            end_date=on - timedelta(days=1))


@transaction.atomic
def accept(assignment: Assignment, *, actor: Any, now: datetime | None = None) -> Assignment:
    """The provider accepts the member."""
    assignment = _for_provider(assignment, actor)
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise AssignmentError("only a new assignment can be accepted")
    return _accepted(assignment, actor=actor, now=now, purpose="provider accepted the assignment")


def _accepted(assignment: Assignment, *, actor: Any, now: datetime | None, purpose: str) -> Assignment:
    assignment.status, assignment.responded_at = AssignmentStatus.ACCEPTED, now or timezone.now()
    assignment.save(update_fields=["status", "responded_at"])
    record(actor=actor, action=Action.UPDATE, object_type="Assignment", object_id=str(assignment.pk),
           person_id=assignment.member_id, purpose=purpose, detail={"status": assignment.status})
    return assignment


@transaction.atomic
def accept_by_working(assignment: Assignment, *, actor: Any, now: datetime | None = None) -> Assignment:
    """A provider that records work on a member it has not yet accepted (outreach, an enrollment, a Lead Care
    Manager; in the app or through its OTF) has accepted them. The caller has scoped the work to the provider."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != AssignmentStatus.ASSIGNED:
        return assignment
    return _accepted(assignment, actor=actor, now=now,
                     purpose="provider accepted the assignment by working on the member")


@transaction.atomic
def return_assignment(assignment: Assignment, reason: str, *, actor: Any,
                      now: datetime | None = None) -> Assignment:
    """The provider returns the member with a reason (feedback the plan acts on). The member goes back to the
    assignment queue and the provider's staff no longer see them."""
    reason = reason.strip()
    if not reason:
        raise AssignmentError("say why the member is returned")
    assignment = _for_provider(assignment, actor)
    if assignment.status != AssignmentStatus.ASSIGNED:
        raise AssignmentError("only a new assignment can be returned; end an accepted one instead")
    now = now or timezone.now()
    assignment.status, assignment.responded_at = AssignmentStatus.RETURNED, now
    assignment.return_reason = reason[:2000]
    assignment.save(update_fields=["status", "responded_at", "return_reason"])
    _end_relationship(assignment, timezone.localdate(now))
    record(actor=actor, action=Action.UPDATE, object_type="Assignment", object_id=str(assignment.pk),
           person_id=assignment.member_id, purpose="provider returned the assignment",
           detail={"status": assignment.status, "reason": assignment.return_reason})
    notify.assignment_returned(assignment, actor=actor)
    return assignment


@transaction.atomic
def end_assignment(assignment: Assignment, reason: str, *, actor: Any, on: date | None = None,
                   now: datetime | None = None) -> Assignment:
    """End an open assignment (discontinuation, a change of provider); its care relationship ends the same day."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.is_open:
        raise AssignmentError("this assignment is not open")
    now = now or timezone.now()
    assignment.status, assignment.ended_at, assignment.end_reason = AssignmentStatus.ENDED, now, reason[:200]
    assignment.save(update_fields=["status", "ended_at", "end_reason"])
    _end_relationship(assignment, on or timezone.localdate(now))
    record(actor=actor, action=Action.UPDATE, object_type="Assignment", object_id=str(assignment.pk),
           person_id=assignment.member_id, purpose="assignment ended", detail={"reason": assignment.end_reason})
    return assignment


# ---- members' requests to change provider ---------------------------------------------------------------------

@transaction.atomic
def request_provider_change(member: Member, *, actor: Any, channel: str, requested_npi: str = "",
                            reason: str = "", urgent: bool = False,
                            now: datetime | None = None) -> ProviderChangeRequest:
    """Record and acknowledge a member's request to change ECM provider (phone, mail or portal); it is due within
    30 days (deadlines 'provider-change'); `urgent` puts it first when the member's needs require it sooner.
    A provider asked for must be a valid NPI; a reason over MAX_REASON characters is refused, not cut."""
    if channel not in ChangeChannel.values:
        raise AssignmentError("channel must be phone, mail or portal")
    requested_npi, reason = requested_npi.strip(), reason.strip()
    if requested_npi and not npi_is_valid(requested_npi):
        raise AssignmentError("the provider asked for is not a valid NPI (10 digits, the last a check digit): "
                              "check it, or leave it blank if the member named no provider")
    if len(reason) > MAX_REASON:
        raise AssignmentError(f"the reason is at most {MAX_REASON:,} characters (this one has {len(reason):,}): "
                              "shorten it")
    now = now or timezone.now()
    current = Assignment.objects.filter(member=member, status__in=OPEN_STATUSES).first()
    request = ProviderChangeRequest.objects.create(
        member=member, from_assignment=current, requested_npi=requested_npi, channel=channel,
        reason=reason, urgent=urgent, received_at=now, acknowledged_at=now,
        due_at=deadlines.due("provider-change", now, calendar=default_calendar()))
    record(actor=actor, action=Action.CREATE, object_type="ProviderChangeRequest", object_id=str(request.pk),
           person_id=member.person_id, purpose="member asked to change ECM provider",
           detail={"channel": channel, "urgent": urgent, "due_at": request.due_at.isoformat()})
    return request


@transaction.atomic
def complete_provider_change(request: ProviderChangeRequest, new_npi: str, *, actor: Any,
                             now: datetime | None = None) -> ProviderChangeRequest:
    """Move the member to `new_npi` (which must qualify and have capacity): the old assignment ends, the new one
    keeps the authorization, and the request is completed."""
    request = ProviderChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != ChangeStatus.OPEN:
        raise AssignmentError("this request is already completed")
    now = now or timezone.now()
    member = request.member
    current = Assignment.objects.filter(member=member, status__in=OPEN_STATUSES).first()
    if current and current.provider_npi == new_npi:
        raise AssignmentError("the member is already assigned to that provider")
    population = current.population if current else ""
    provider = network(timezone.localdate(now)).get(new_npi)
    case = member_cases([(member, population, new_npi, ())], timezone.localdate(now))[0]
    cell = provider.cell_limits().get((normalize_county(member.county), population)) if provider else None
    why = qualifies(provider, case, provider.capacity or 0 if provider else 0, cell)
    if why is not None:
        raise AssignmentError(f"that provider cannot take the member: {_WHY_NOT[why]}; enter another NPI")
    authorization = current.authorization if current else None
    if current:
        end_assignment(current, "member changed provider", actor=actor, now=now)
        notify.member_moved(current, actor=actor)
    new = _open_assignment(member=member, npi=new_npi, rule=Rule.MEMBER_PREFERENCE, actor=actor, now=now,
                           authorization=authorization, population=population, due_by=request.due_at)
    notify.assignments_made([new], actor=actor)
    request.status, request.completed_at, request.new_assignment = ChangeStatus.COMPLETED, now, new
    request.save(update_fields=["status", "completed_at", "new_assignment"])
    record(actor=actor, action=Action.UPDATE, object_type="ProviderChangeRequest", object_id=str(request.pk),
           person_id=member.person_id, purpose="provider change completed",
           detail={"provider_npi": new_npi, "on_time": now <= request.due_at})
    return request
