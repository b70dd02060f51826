"""Reading authorizations: the UM worklist (by time left) and the review page's evidence. Plan staff only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision
from carehub.apps.identification.selectors import MemberPopulations, member_populations
from carehub.apps.members.selectors import MemberRecord, member_record
from carehub.domain.calendar import default_calendar
from carehub.domain.deadlines import ClockState, clock_state

PAGE_SIZE = 200


@dataclass(frozen=True)
class WorklistLine:
    request: AuthorizationRequest
    state: ClockState
    time_left: str

    @property
    def css(self) -> str:
        return {ClockState.OVERDUE: "bad", ClockState.DUE_TODAY: "warn"}.get(self.state, "ok")


def _time_left(due_at: datetime, now: datetime) -> str:
    seconds = int((due_at - now).total_seconds())
    sign, seconds = ("overdue by ", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{sign}{days}d {hours}h" if days else f"{sign}{hours}h {rest // 60}m"


def worklist(user: User, now: datetime | None = None, limit: int = PAGE_SIZE) -> list[WorklistLine]:
    """Pending requests, least time left first (overdue at the top). One query whatever the length."""
    if not user.is_plan_staff:
        return []
    now = now or timezone.now()
    cal = default_calendar()
    rows = (AuthorizationRequest.objects.filter(decision=Decision.PENDING)
            .select_related("member", "referral").order_by("due_at", "pk")[:limit])
    return [WorklistLine(r, clock_state(r.due_at, now, calendar=cal), _time_left(r.due_at, now)) for r in rows]


def audited_worklist(user: User, *, route: str, now: datetime | None = None) -> list[WorklistLine]:
    lines = worklist(user, now)
    record(actor=user, action=Action.SEARCH, object_type="AuthorizationRequest", route=route,
           detail={"ids": [line.request.pk for line in lines]}, people=[line.request.member_id for line in lines])
    return lines


@dataclass
class ReviewPage:
    request: AuthorizationRequest
    state: ClockState
    time_left: str
    record: MemberRecord
    populations: MemberPopulations
    history: list[AuthorizationRequest]


def audited_review(user: User, request_id: int, *, route: str, now: datetime | None = None) -> ReviewPage | None:
    """Everything UM needs on one page: the request and its clock, the referral's facts, identification criteria
    and evidence, the member record and earlier authorizations. None (DENIED) outside plan staff."""
    request = (AuthorizationRequest.objects.select_related("member", "referral", "decided_by")
               .filter(pk=request_id).first() if user.is_plan_staff else None)
    if request is None:
        record(actor=user, action=Action.DENIED, object_type="AuthorizationRequest", object_id=str(request_id),
               route=route, detail={"reason": "not in the user's scope or not found"})
        return None
    now = now or timezone.now()
    member = request.member
    page = ReviewPage(
        request=request, state=clock_state(request.due_at, now, done_at=request.decided_at,
                                           calendar=default_calendar()),
        time_left=_time_left(request.due_at, now), record=member_record(user, member),
        populations=member_populations(user, member),
        history=list(AuthorizationRequest.objects.filter(member=member).exclude(pk=request.pk)
                     .order_by("-received_at")[:20]))
    record(actor=user, action=Action.READ, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=member.person_id, route=route)
    return page
