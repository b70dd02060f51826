"""Reading assignments, scoped to who is asking and audited: the plan's assignment queue (authorized members not
yet assigned, overdue first), provider change requests, and a provider's assigned members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    ChangeStatus,
    ProviderChangeRequest,
)
from carehub.apps.assignments.services import assignment_due, awaiting_assignment
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest
from carehub.apps.members.selectors import organization_npis
from carehub.domain.calendar import default_calendar
from carehub.domain.deadlines import ClockState, clock_state

PAGE_SIZE = 500


@dataclass(frozen=True)
class QueueLine:
    """An authorized member waiting for a provider, on the 10-working-day assignment clock."""

    authorization: AuthorizationRequest
    due_by: datetime
    state: ClockState
    returned_by: tuple[str, ...]
    # (provider NPI, its reason) for each return, so the plan acts on the feedback before reassigning.
    returns: tuple[tuple[str, str], ...] = ()

    @property
    def overdue(self) -> bool:
        return self.state == ClockState.OVERDUE

    @property
    def css(self) -> str:
        return {ClockState.OVERDUE: "bad", ClockState.DUE_TODAY: "warn"}.get(self.state, "ok")


def assignment_queue(user: User, now: datetime | None = None, limit: int = PAGE_SIZE) -> list[QueueLine]:
    """Authorized members without a provider, overdue first then by time left (plan staff only). Two queries."""
    if not user.is_plan_staff:
        return []
    now = now or timezone.now()
    cal = default_calendar()
    auths = list(awaiting_assignment(timezone.localdate(now))[:limit])
    returned: dict[str, list[tuple[str, str]]] = {}
    for person_id, npi, reason in Assignment.objects.filter(
            member_id__in=[a.member_id for a in auths], status=AssignmentStatus.RETURNED) \
            .order_by("responded_at", "pk").values_list("member_id", "provider_npi", "return_reason"):
        returned.setdefault(person_id, []).append((npi, reason))
    lines = []
    for auth in auths:
        due_by = assignment_due(auth.decided_at or auth.received_at)
        returns = tuple(returned.get(auth.member_id, ()))
        lines.append(QueueLine(auth, due_by, clock_state(due_by, now, calendar=cal),
                               tuple(npi for npi, _ in returns), returns))
    return sorted(lines, key=lambda line: (line.due_by, line.authorization.pk))


def audited_queue(user: User, *, route: str, now: datetime | None = None) -> list[QueueLine]:
    lines = assignment_queue(user, now)
    record(actor=user, action=Action.SEARCH, object_type="AssignmentQueue", route=route,
           detail={"authorizations": [line.authorization.pk for line in lines]},
           people=[line.authorization.member_id for line in lines])
    return lines


def change_requests(user: User) -> list[ProviderChangeRequest]:
    """Open requests to change provider, urgent first, then by due date (plan staff only)."""
    if not user.is_plan_staff:
        return []
    return list(ProviderChangeRequest.objects.filter(status=ChangeStatus.OPEN).select_related("member")
                .order_by("-urgent", "due_at", "pk")[:PAGE_SIZE])


def audited_change_requests(user: User, *, route: str) -> list[ProviderChangeRequest]:
    rows = change_requests(user)
    record(actor=user, action=Action.SEARCH, object_type="ProviderChangeRequest", route=route,
           detail={"ids": [r.pk for r in rows]}, people=[r.member_id for r in rows])
    return rows


def provider_assignments(user: User, *, include_closed: bool = False) -> QuerySet[Assignment]:
    """The assignments to the user's organization (provider staff: their NPIs; plan staff: all). Open ones
    unless `include_closed`. Members and others see nothing."""
    qs = Assignment.objects.select_related("member").order_by("-assigned_at", "pk")
    if not include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if user.is_plan_staff:
        return qs
    if user.is_provider_staff:
        npis = organization_npis(user.organization_id)
        return qs.filter(provider_npi__in=npis) if npis else qs.none()
    return qs.none()


def audited_provider_assignments(user: User, *, route: str, limit: int = PAGE_SIZE) -> list[Assignment]:
    rows = list(provider_assignments(user)[:limit])
    record(actor=user, action=Action.SEARCH, object_type="Assignment", route=route,
           detail={"ids": [a.pk for a in rows]}, people=[a.member_id for a in rows])
    return rows


def audited_assignment(user: User, assignment_id: int, *, route: str) -> Assignment | None:
    """One assignment in the user's scope, or None (recorded as DENIED): any for plan staff, open ones for provider
    staff (DESIGN: a provider sees only members currently assigned; an ended assignment kept serving the former
    provider the member's contact details: found by an audit of the API)."""
    assignment = provider_assignments(user, include_closed=user.is_plan_staff).filter(pk=assignment_id).first()
    if assignment is None:
        record(actor=user, action=Action.DENIED, object_type="Assignment", object_id=str(assignment_id),
               route=route, detail={"reason": "not in the user's scope or not found"})
        return None
    record(actor=user, action=Action.READ, object_type="Assignment", object_id=str(assignment.pk),
           person_id=assignment.member_id, route=route)
    return assignment
