"""Reading discontinuations, scoped to who is asking and audited: the plan's review queue and transitions on the
30-day clock, a provider's requests, one request, and the member's own "My ECM" page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.discontinuation.models import Discontinuation, Status
from carehub.apps.members.selectors import organization_npis
from carehub.domain.discontinuation import TransitionState, transition_state, unmet_goals

PAGE_SIZE = 500


def visible_discontinuations(user: User) -> QuerySet[Discontinuation]:
    """Plan staff: all; provider staff: those of their organization's NPIs; a member: their own."""
    qs = Discontinuation.objects.select_related("member", "notice")
    if user.is_plan_staff:
        return qs
    if user.is_provider_staff:
        npis = organization_npis(user.organization_id)
        return qs.filter(provider_npi__in=npis) if npis else qs.none()
    if user.is_member and user.member_id:
        return qs.filter(member_id=user.member.person_id)
    return qs.none()


def review_queue(user: User, limit: int = PAGE_SIZE) -> list[Discontinuation]:
    """Requests waiting for the plan, oldest first (plan staff only). One query."""
    if not user.is_plan_staff:
        return []
    return list(visible_discontinuations(user).filter(status=Status.REQUESTED).order_by("requested_at", "pk")[:limit])


@dataclass(frozen=True)
class TransitionLine:
    """A confirmed discontinuation whose member moves to a lower level of care within the clock."""

    item: Discontinuation
    state: TransitionState

    @property
    def css(self) -> str:
        return {TransitionState.OVERDUE: "bad", TransitionState.DONE: "ok"}.get(self.state, "warn")


def transitions(user: User, today: date | None = None, limit: int = PAGE_SIZE) -> list[TransitionLine]:
    """Open transitions (not yet completed), overdue first then by due date (plan staff only). One query."""
    if not user.is_plan_staff:
        return []
    today = today or timezone.localdate()
    rows = (visible_discontinuations(user)
            .filter(status=Status.CONFIRMED, transition_due_on__isnull=False, transition_completed_on__isnull=True)
            .order_by("transition_due_on", "pk")[:limit])
    return [TransitionLine(item, transition_state(item.transition_due_on, today, None)) for item in rows]


def provider_requests(user: User, limit: int = PAGE_SIZE) -> list[Discontinuation]:
    """The provider's requests, newest first (provider staff only). One query."""
    if not user.is_provider_staff:
        return []
    return list(visible_discontinuations(user).order_by("-requested_at", "-pk")[:limit])


def provider_open_assignments(user: User, limit: int = PAGE_SIZE) -> list[Assignment]:
    """Open assignments to the provider's organization, for which a discontinuation may be requested."""
    npis = organization_npis(user.organization_id) if user.is_provider_staff else []
    if not npis:
        return []
    return list(Assignment.objects.filter(provider_npi__in=npis, status__in=OPEN_STATUSES)
                .select_related("member").order_by("member__last_name", "member__first_name", "pk")[:limit])


def audited_queue(user: User, *, route: str, today: date | None = None
                  ) -> tuple[list[Discontinuation], list[TransitionLine]]:
    queue, lines = review_queue(user), transitions(user, today)
    record(actor=user, action=Action.SEARCH, object_type="Discontinuation", route=route,
           detail={"review": [d.pk for d in queue], "transitions": [line.item.pk for line in lines]},
           people=[d.member_id for d in queue] + [line.item.member_id for line in lines])
    return queue, lines


def audited_provider_page(user: User, *, route: str) -> tuple[list[Assignment], list[Discontinuation]]:
    assignments, requests = provider_open_assignments(user), provider_requests(user)
    record(actor=user, action=Action.SEARCH, object_type="Discontinuation", route=route,
           detail={"assignments": [a.pk for a in assignments], "requests": [d.pk for d in requests]},
           people=[a.member_id for a in assignments] + [d.member_id for d in requests])
    return assignments, requests


def audited_discontinuation(user: User, item_id: int, *, route: str) -> Discontinuation | None:
    """One request in the user's scope, or None (recorded as DENIED)."""
    item = visible_discontinuations(user).select_related("assignment").filter(pk=item_id).first()
    if item is None:
        record(actor=user, action=Action.DENIED, object_type="Discontinuation", object_id=str(item_id),
               route=route, detail={"reason": "not in the user's scope or not found"})
        return None
    record(actor=user, action=Action.READ, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, route=route)
    return item


def audited_assignment_for_request(user: User, assignment_id: int, *, route: str) -> Assignment | None:
    """An open assignment the user's organization may file a discontinuation for (provider staff), or None."""
    npis = organization_npis(user.organization_id) if user.is_provider_staff else []
    assignment = (Assignment.objects.filter(pk=assignment_id, provider_npi__in=npis).select_related("member")
                  .first() if npis else None)
    if assignment is None:
        record(actor=user, action=Action.DENIED, object_type="Assignment", object_id=str(assignment_id),
               route=route, detail={"reason": "not in the user's scope or not found"})
        return None
    record(actor=user, action=Action.READ, object_type="Assignment", object_id=str(assignment.pk),
           person_id=assignment.member_id, route=route)
    return assignment


@dataclass(frozen=True)
class GoalLine:
    domain: str
    goals: str
    status: str
    met: bool


def care_plan_goals(item: Discontinuation) -> tuple[int | None, list[GoalLine]]:
    """For the plan's review of a graduation (seed 004 VI.F.1.a.1): the member's latest finalized care plan
    version number and its goals with their status. For plan staff pages only (it includes every domain)."""
    from carehub.apps.careplans.selectors import current_care_plan
    from carehub.domain.careplan import DOMAINS, GOAL_STATUS_LABELS

    plan = current_care_plan(item.member)
    version = plan.latest_version() if plan is not None else None
    if version is None:
        return None, []
    domains = (version.content or {}).get("domains") or {}
    unmet = set(unmet_goals(domains))
    labels = {d.code: d.label for d in DOMAINS}
    lines = [GoalLine(labels.get(code, code), entry.get("goals", ""),
                      GOAL_STATUS_LABELS["en"].get(entry.get("status", ""), "no status"), code not in unmet)
             for code, entry in domains.items()
             if (entry.get("goals") or "").strip() and not (entry.get("no_need") or "").strip()]
    return version.number, lines
