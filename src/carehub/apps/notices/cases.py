"""Grievances and appeals: record them, acknowledge them, resolve them, each on its clock from
carehub.domain.deadlines (grievance-acknowledgement, grievance-resolution, appeal-resolution, appeal-expedited).

An appeal is of a decision (an authorization that was denied or modified); a grievance may name one. Community
Supports appeals stop at the plan (seed 003 8.f); ECM appeals may go on to a State Fair Hearing, which the
resolution letter (not built yet) tells the member."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision, Program
from carehub.apps.members.models import Member
from carehub.apps.notices.models import Case, CaseKind, CaseStatus, Notice, NoticeKind, Outcome
from carehub.domain import deadlines
from carehub.domain.calendar import default_calendar
from carehub.domain.deadlines import ClockState, clock_state

_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
ADVERSE = (Decision.DENIED, Decision.MODIFIED)


class CaseError(ValueError):
    """A grievance or appeal step that cannot be recorded; the message says what to fix."""


def _due(rule: str, start: datetime) -> datetime:
    return deadlines.due(rule, start, calendar=default_calendar())


def resolution_rule(kind: str, expedited: bool) -> str:
    if kind == CaseKind.APPEAL:
        return "appeal-expedited" if expedited else "appeal-resolution"
    return "grievance-resolution"


def appealable(authorization: AuthorizationRequest) -> bool:
    """An adverse benefit determination the member may appeal (42 CFR 438.400(b)): a denial or a modification,
    or the termination of the ECM it authorized (a discontinuation's Notice of Action on it)."""
    return authorization.decision in ADVERSE or Notice.objects.filter(
        authorization=authorization, kind=NoticeKind.DISCONTINUATION).exists()


@dataclass(frozen=True)
class CaseInput:
    kind: str
    filed_by: str
    summary: str
    expedited: bool = False
    authorization_id: int | None = None


@transaction.atomic
def record_case(member: Member, data: CaseInput, *, actor: Any, received_at: datetime | None = None) -> Case:
    """Record a grievance or an appeal as received (day 0 = receipt) and start its clocks. An appeal must name a
    denied or modified decision of this member. An expedited appeal is resolved within 72 hours and needs no
    separate acknowledgement."""
    if data.kind not in CaseKind.values:
        raise CaseError("choose grievance or appeal")
    if not data.summary.strip() or not data.filed_by.strip():
        raise CaseError("say who filed it and what it is about")
    authorization = None
    if data.authorization_id:
        authorization = AuthorizationRequest.objects.filter(pk=data.authorization_id, member=member).first()
        if authorization is None:
            raise CaseError("that decision is not one of this member's")
    if data.kind == CaseKind.APPEAL and (authorization is None or not appealable(authorization)):
        raise CaseError("an appeal names a denied or modified decision, or an ECM the plan discontinued")
    expedited = data.expedited and data.kind == CaseKind.APPEAL
    received_at = received_at or timezone.now()
    resolution_due = _due(resolution_rule(data.kind, expedited), received_at)
    acknowledgement_due = None if expedited else _due("grievance-acknowledgement", received_at)
    case = Case.objects.create(
        reference=_reference(), kind=data.kind, member=member, authorization=authorization,
        program=authorization.program if authorization else Program.ECM, expedited=expedited,
        filed_by=data.filed_by.strip()[:120], summary=data.summary.strip()[:4000], received_at=received_at,
        acknowledgement_due_at=acknowledgement_due, resolution_due_at=resolution_due,
        next_due_at=min(d for d in (acknowledgement_due, resolution_due) if d is not None),
        recorded_by=actor if isinstance(actor, User) else None)
    record(actor=actor, action=Action.CREATE, object_type="Case", object_id=case.reference,
           person_id=member.person_id, purpose=f"{case.kind.lower()} received",
           detail={"kind": case.kind, "expedited": expedited, "authorization": authorization.pk if authorization
                   else None, "resolution_due_at": resolution_due.isoformat()})
    return case


def _reference() -> str:
    while True:
        reference = "GA-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not Case.objects.filter(reference=reference).exists():
            return reference


@transaction.atomic
def acknowledge(case: Case, *, actor: Any, now: datetime | None = None) -> Case:
    """The written acknowledgement went out: stop that clock; the resolution clock keeps running."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.RECEIVED:
        raise CaseError("only a case just received can be acknowledged")
    case.acknowledged_at = now or timezone.now()
    case.status = CaseStatus.ACKNOWLEDGED
    case.next_due_at = case.resolution_due_at
    case.save(update_fields=["acknowledged_at", "status", "next_due_at"])
    on_time = case.acknowledgement_due_at is None or case.acknowledged_at <= case.acknowledgement_due_at
    record(actor=actor, action=Action.UPDATE, object_type="Case", object_id=case.reference,
           person_id=case.member_id, purpose="acknowledged", detail={"on_time": on_time})
    return case


@transaction.atomic
def resolve(case: Case, *, outcome: str, resolution: str, actor: Any, now: datetime | None = None) -> Case:
    """Record the resolution (upheld, overturned, partly overturned for an appeal; resolved for a grievance)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise CaseError("this case is already closed")
    allowed = ([Outcome.UPHELD, Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED] if case.kind == CaseKind.APPEAL
               else [Outcome.RESOLVED])
    if outcome not in allowed:
        raise CaseError(f"the outcome must be one of: {', '.join(allowed)}")
    if not resolution.strip():
        raise CaseError("describe the resolution")
    case.resolved_at = now or timezone.now()
    case.status, case.outcome, case.resolution = CaseStatus.RESOLVED, outcome, resolution.strip()[:4000]
    case.next_due_at = None
    case.resolved_by = actor if isinstance(actor, User) else None
    case.save(update_fields=["resolved_at", "status", "outcome", "resolution", "next_due_at", "resolved_by"])
    record(actor=actor, action=Action.UPDATE, object_type="Case", object_id=case.reference,
           person_id=case.member_id, purpose="resolved",
           detail={"outcome": outcome, "on_time": case.resolved_at <= case.resolution_due_at})
    return case


@dataclass(frozen=True)
class CaseLine:
    case: Case
    clock: str  # "acknowledge" or "resolve"
    due_at: datetime
    state: ClockState

    @property
    def css(self) -> str:
        return {ClockState.OVERDUE: "bad", ClockState.DUE_TODAY: "warn"}.get(self.state, "ok")


def worklist(user: User, now: datetime | None = None, limit: int = 200) -> list[CaseLine]:
    """Open grievances and appeals, nearest clock first (overdue at the top). One query. Plan staff only."""
    if not user.is_plan_staff:
        return []
    now = now or timezone.now()
    cal = default_calendar()
    rows = (Case.objects.filter(status__in=(CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED))
            .select_related("member", "authorization").order_by("next_due_at", "pk")[:limit])
    lines = []
    for case in rows:
        clock = "acknowledge" if case.status == CaseStatus.RECEIVED and case.acknowledgement_due_at else "resolve"
        due_at = case.next_due_at or case.resolution_due_at
        lines.append(CaseLine(case, clock, due_at, clock_state(due_at, now, calendar=cal)))
    return lines
