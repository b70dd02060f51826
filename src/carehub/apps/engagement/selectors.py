"""Reading engagement data, scoped to who is asking and audited (DESIGN.md "Access and audit").

Provider staff (ECM provider staff, Lead Care Managers) see the assignments to their organization's NPIs; plan
staff see all; members nobody's. Functions other apps call: `caseload_counts`, `current_lead_care_manager`,
`enrollment_status`. The worklist and the plan's lists are a fixed number of queries whatever their length.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from carehub.apps.accounts.models import Role, User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.assignments.selectors import audited_assignment, provider_assignments
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.engagement.models import (
    ACTIVE_STATUSES,
    Activity,
    Enrollment,
    EnrollmentStatus,
    LeadCareManagerAssignment,
    OutreachAttempt,
)
from carehub.apps.engagement.policy import outreach_policy
from carehub.apps.identification.models import IdentifiedPopulation
from carehub.apps.identification.selectors import latest_run
from carehub.apps.members.models import HousingEpisode, Incarceration
from carehub.apps.providers.models import CareManager
from carehub.domain import outreach
from carehub.domain.outreach import Attempt, OutreachPolicy, OutreachState
from carehub.domain.populations.labels import CRITERIA, PART2_CRITERIA, POPULATIONS, label, parse_factors, split_codes

PAGE_SIZE = 50
RECENT_RELEASE_DAYS = 90  # as the identification priority factor RECENT_RELEASE_90D
DISCHARGE_FACTORS = ("RECENT_DISCHARGE_30D", "UNPLANNED_STAYS_6M")


# ---- interfaces for other apps ---------------------------------------------------------------------------

def caseload_counts(care_manager_ids: Iterable[int]) -> dict[int, int]:
    """Members currently assigned to each care manager as Lead Care Manager (open assignments only); every id
    asked for is in the answer, 0 when none. One query."""
    ids = sorted(set(care_manager_ids))
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    rows = (LeadCareManagerAssignment.objects
            .filter(care_manager_id__in=ids, end_date__isnull=True, assignment__status__in=OPEN_STATUSES)
            .values("care_manager_id").annotate(n=Count("assignment_id", distinct=True)))
    for row in rows:
        counts[row["care_manager_id"]] = row["n"]
    return counts


def current_lead_care_manager(assignment: Assignment) -> CareManager | None:
    """The member's current Lead Care Manager on this assignment, or None."""
    row = (LeadCareManagerAssignment.objects.filter(assignment=assignment, end_date__isnull=True)
           .select_related("care_manager").first())
    return row.care_manager if row else None


def enrollment_status(assignment: Assignment) -> str:
    """OUTREACH, ENROLLED, DECLINED, UNREACHABLE, STOPPED or DISCONTINUED (no record yet: OUTREACH)."""
    status = Enrollment.objects.filter(assignment_id=assignment.pk).values_list("status", flat=True).first()
    return str(status or EnrollmentStatus.OUTREACH)


# ---- scope -----------------------------------------------------------------------------------------------

def scoped_assignments(user: User, *, include_closed: bool = False) -> QuerySet[Assignment]:
    """Assignments the user may work on or see (assignments.selectors.provider_assignments)."""
    return provider_assignments(user, include_closed=include_closed)


def audited_engagement(user: User, assignment_id: int, *, route: str) -> Assignment | None:
    """One assignment in the user's scope (READ audited), or None (DENIED audited)."""
    return audited_assignment(user, assignment_id, route=route)


def own_care_manager(user: User) -> CareManager | None:
    """The roster entry of a signed-in Lead Care Manager, if any."""
    return CareManager.objects.filter(user=user).first() if user.role == Role.LEAD_CARE_MANAGER else None


# ---- facts about a set of assignments (bulk) ----------------------------------------------------------------

@dataclass
class Facts:
    """What the plan knows and what the provider did, for one assignment."""

    assignment: Assignment
    status: str = EnrollmentStatus.OUTREACH
    preferred_method: str = ""
    enrollment: Enrollment | None = None
    populations: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    evidence: list[str] = field(default_factory=list)  # criteria labels
    needs: list[str] = field(default_factory=list)  # priority factor labels
    factor_codes: set[str] = field(default_factory=set)
    score: float | None = None
    unsheltered: bool = False
    released_on: date | None = None
    attempts: list[Attempt] = field(default_factory=list)
    last_activity: date | None = None
    lead: CareManager | None = None
    state: str = OutreachState.ON_TRACK
    behind: int = 0
    days_left: int = 0
    warning: str = ""
    reassessment_due: date | None = None  # careplans.selectors.reassessment_due_dates (page rows only)
    month_gap: bool = False  # enrolled and not yet contacted this month

    @property
    def member(self):  # noqa: ANN201 (the Member)
        return self.assignment.member

    @property
    def status_label(self) -> str:
        return EnrollmentStatus(self.status).label

    @property
    def attempts_made(self) -> int:
        return len(self.attempts)

    @property
    def last_contact(self) -> date | None:
        days = [a.on for a in self.attempts] + ([self.last_activity] if self.last_activity else [])
        return max(days) if days else None

    @property
    def recent_event(self) -> bool:
        return bool(self.released_on) or bool(self.factor_codes & set(DISCHARGE_FACTORS))

    @property
    def population_labels(self) -> list[str]:
        """Populations of the latest identification run, else the one the member was assigned for."""
        if self.populations:
            return [text for _, text in self.populations]
        return [label(POPULATIONS, self.assignment.population)] if self.assignment.population else []

    @property
    def days_past(self) -> int:
        return max(0, -self.days_left)

    @property
    def needs_lead(self) -> bool:
        """Enrolled without a Lead Care Manager (every enrolled member has one: seed 000 II.h)."""
        return self.status == EnrollmentStatus.ENROLLED and self.lead is None

    def no_contact_this_month(self, today: date) -> bool:
        """Enrolled and not yet contacted this month (the plan's monthly minimum, seed 004 VI.D.6)."""
        last = self.last_contact
        return self.status == EnrollmentStatus.ENROLLED and (last is None or last < outreach.month_start(today))

    @property
    def in_outreach(self) -> bool:
        return self.status == EnrollmentStatus.OUTREACH

    def rank(self) -> tuple[float, ...]:
        return outreach.need_rank(recent_discharge=bool(self.factor_codes & set(DISCHARGE_FACTORS)),
                                  recent_release=bool(self.released_on), unsheltered=self.unsheltered,
                                  populations=len(self.populations), score=self.score)


def facts_for(assignments: list[Assignment], user: User, *, today: date | None = None,
              policy: OutreachPolicy | None = None, source: QuerySet[Assignment] | None = None) -> list[Facts]:
    """Facts for each assignment (members already loaded): seven queries whatever the number of assignments.
    `source`, the unsliced queryset the assignments came from, lets each query take its ids as a subquery
    (a long caseload makes a long IN list slow to build)."""
    today = today or timezone.localdate()
    policy = policy or outreach_policy()
    by_id = {a.pk: Facts(a) for a in assignments}
    if not by_id:
        return []
    ids: Any = list(by_id) if source is None else source.order_by().values("pk")
    person_ids: Any = sorted({a.member_id for a in assignments}) if source is None else \
        source.order_by().values("member_id")
    for enrollment in Enrollment.objects.filter(assignment_id__in=ids):
        if (f := by_id.get(enrollment.assignment_id)) is None:  # appeared since the assignments were read
            continue
        f.enrollment, f.status, f.preferred_method = enrollment, enrollment.status, enrollment.preferred_method
    show_part2 = not user.is_provider_staff  # the list never shows Part 2 criteria to providers
    run = latest_run()
    identified: dict[str, list[IdentifiedPopulation]] = defaultdict(list)
    if run is not None:
        for row in IdentifiedPopulation.objects.filter(run=run, member_id__in=person_ids).order_by("population"):
            identified[row.member_id].append(row)
    unsheltered = set(HousingEpisode.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), member_id__in=person_ids, status="UNSHELTERED",
        start_date__lte=today).values_list("member_id", flat=True))
    released: dict[str, date] = {}
    for person_id, on in Incarceration.objects.filter(
            member_id__in=person_ids, release_date__gt=today - timedelta(days=RECENT_RELEASE_DAYS),
            release_date__lte=today).values_list("member_id", "release_date"):
        released[person_id] = max(on, released.get(person_id, on))
    attempts: dict[int, list[Attempt]] = defaultdict(list)
    for a_id, on, method, outcome in OutreachAttempt.objects.filter(assignment_id__in=ids).order_by(
            "attempted_on", "pk").values_list("assignment_id", "attempted_on", "method", "outcome"):
        attempts[a_id].append(Attempt(on, method, outcome))
    last_activity = dict(Activity.objects.filter(assignment_id__in=ids).values("assignment_id")
                         .annotate(last=Max("occurred_on")).values_list("assignment_id", "last"))
    leads = {row.assignment_id: row.care_manager for row in LeadCareManagerAssignment.objects.filter(
        assignment_id__in=ids, end_date__isnull=True).select_related("care_manager")}
    for a_id, f in by_id.items():
        rows = identified.get(f.assignment.member_id, [])
        f.populations = [(r.population, label(POPULATIONS, r.population)) for r in rows]
        codes = sorted({c for r in rows for c in split_codes(r.criteria)
                        if show_part2 or c not in PART2_CRITERIA})
        f.evidence = [label(CRITERIA, c) for c in codes]
        if rows:
            f.score = rows[0].score
            factors = parse_factors(rows[0].priority_factors)
            f.factor_codes = {code for code, _, _ in factors}
            f.needs = [f"{text} ({value})" if value not in ("", "1") else text for _, text, value in factors]
        f.unsheltered = f.assignment.member_id in unsheltered or "UNSHELTERED_NOW" in f.factor_codes
        f.released_on = released.get(f.assignment.member_id)
        f.attempts = attempts.get(a_id, [])
        f.last_activity = last_activity.get(a_id)
        f.lead = leads.get(a_id)
        started = timezone.localdate(f.assignment.assigned_at)
        f.days_left = outreach.days_left(started, today, policy)
        if f.status in (EnrollmentStatus.OUTREACH, EnrollmentStatus.UNREACHABLE):
            f.state = outreach.state(f.attempts, started_on=started, today=today, policy=policy,
                                     preferred_method=f.preferred_method)
            f.behind = outreach.attempts_behind(f.attempts, started_on=started, today=today, policy=policy)
            f.warning = outreach.in_person_first_warning(f.attempts, policy, preferred_method=f.preferred_method)
        else:
            f.state = OutreachState.REACHED
        f.month_gap = f.no_contact_this_month(today)
    return list(by_id.values())


# ---- the provider worklist --------------------------------------------------------------------------------

@dataclass
class WorklistPage:
    rows: list[Facts]
    page: int
    pages: int
    total: int
    policy: OutreachPolicy
    mine_only: bool = False
    status: str = ""

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def worklist(user: User, *, page: int = 1, mine: bool = False, status: str = "", behind: bool = False,
             today: date | None = None, page_size: int = PAGE_SIZE) -> WorklistPage:
    """Assigned members of the user's organization, most immediate needs first (seed 004 VI.D.5.a.1): a Lead
    Care Manager's own members first; `mine` keeps only theirs. Active statuses (outreach, enrolled) unless
    `status` names one; `behind` keeps members behind on outreach or past the time limit."""
    policy = outreach_policy()
    qs = scoped_assignments(user).select_related("member")
    if status in EnrollmentStatus.values and status != EnrollmentStatus.OUTREACH:
        qs = qs.filter(enrollment__status=status)
    elif status == EnrollmentStatus.OUTREACH:
        qs = qs.filter(Q(enrollment__isnull=True) | Q(enrollment__status=status))
    else:
        qs = qs.filter(Q(enrollment__isnull=True) | Q(enrollment__status__in=ACTIVE_STATUSES))
    own = own_care_manager(user)
    if mine:
        qs = qs.filter(lead_care_managers__care_manager=own, lead_care_managers__end_date__isnull=True) \
            if own else qs.none()
    facts = facts_for(list(qs), user, today=today, policy=policy, source=qs)
    if behind:
        facts = [f for f in facts if f.state in (OutreachState.BEHIND, OutreachState.OVERDUE,
                                                 OutreachState.UNREACHABLE)]
    own_id = own.pk if own else None
    facts.sort(key=lambda f: ((f.lead is None or f.lead.pk != own_id) if own_id else False, f.rank(),
                              f.assignment.assigned_at, f.assignment.pk))
    total = len(facts)
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    rows = facts[(page - 1) * page_size: page * page_size]
    _add_reassessment_due(rows)
    return WorklistPage(rows, page, pages, total, policy, mine_only=mine, status=status)


def _add_reassessment_due(rows: list[Facts]) -> None:
    """Reassessment due dates of the page's members, so they are seen before they are missed (issue 6)."""
    from carehub.apps.careplans.selectors import reassessment_due_dates  # careplans reads engagement's neighbours

    dues = reassessment_due_dates({f.assignment.member_id for f in rows}) if rows else {}
    for f in rows:
        f.reassessment_due = dues.get(f.assignment.member_id)


def audited_worklist(user: User, *, route: str, **kwargs) -> WorklistPage:  # noqa: ANN003
    result = worklist(user, **kwargs)
    record(actor=user, action=Action.SEARCH, object_type="EngagementWorklist", route=route,
           detail={"page": result.page, "mine": result.mine_only, "status": result.status,
                   "assignments": [f.assignment.pk for f in result.rows],
                   "person_ids": [f.assignment.member_id for f in result.rows]})
    return result


# ---- one member's engagement page -------------------------------------------------------------------------

@dataclass
class EngagementDetail:
    facts: Facts
    policy: OutreachPolicy
    attempts: list[OutreachAttempt]
    activities: list[Activity]
    lead_history: list[LeadCareManagerAssignment]
    care_team: list
    roster: list[CareManager]
    suggestions: list  # care_team.Match with .care_manager attached, best first
    gaps: list[date]
    utilization: list[tuple[date, str]] = field(default_factory=list)  # (day, label), newest first

    @property
    def assignment(self) -> Assignment:
        return self.facts.assignment

    @property
    def minutes_total(self) -> int:
        return sum(a.minutes for a in self.attempts) + sum(a.minutes for a in self.activities)


def engagement_detail(user: User, assignment: Assignment, *, today: date | None = None) -> EngagementDetail:
    """Everything the member's engagement page shows; the caller scoped and audited the assignment
    (audited_engagement). A fixed number of queries."""
    from carehub.apps.engagement.matching import suggestions_for  # matching reads the roster and caseloads

    today = today or timezone.localdate()
    policy = outreach_policy()
    facts = facts_for([assignment], user, today=today, policy=policy)[0]
    _add_reassessment_due([facts])
    activities = list(assignment.ecm_activities.select_related("care_manager").order_by("-occurred_on", "-pk"))
    contacts = [a.on for a in facts.attempts] + [a.occurred_on for a in activities]
    enrollment = facts.enrollment
    gaps: list[date] = []
    if enrollment is not None and enrollment.enrolled_on:
        ended = enrollment.stopped_on or enrollment.discontinued_on
        gaps = outreach.monthly_gaps(contacts, enrolled_on=enrollment.enrolled_on, ended_on=ended, today=today,
                                     policy=policy)
    roster = list(CareManager.objects.filter(provider__npi=assignment.provider_npi, active=True))
    return EngagementDetail(
        facts=facts, policy=policy,
        attempts=list(assignment.outreach_attempts.select_related("care_manager").order_by("-attempted_on", "-pk")),
        activities=activities,
        lead_history=list(assignment.lead_care_managers.select_related("care_manager", "assigned_by")),
        care_team=list(assignment.care_team.select_related("care_manager").order_by("ended_on", "role", "pk")),
        roster=roster, suggestions=suggestions_for(facts, roster), gaps=gaps,
        utilization=recent_utilization(user, assignment.member, today=today))


UTILIZATION_DAYS, UTILIZATION_LINES, UTILIZATION_SHOWN = 365, 500, 12


def recent_utilization(user: User, member, *, today: date) -> list[tuple[date, str]]:  # noqa: ANN001
    """The member's hospital stays, skilled nursing stays and ED visits of the last 12 months from the claims
    warehouse (distinct day and kind), newest first. Lines showing substance use treatment (diagnosis or service
    code) are left out unless the user may see Part 2 records. The caller scoped the member; the read is audited
    here."""
    from carehub import warehouse
    from carehub.apps.members.selectors import sees_part2
    from carehub.domain.part2 import is_part2_claim_line

    show_part2 = sees_part2(user, member)
    events: set[tuple[date, str]] = set()
    for line in warehouse.recent_medical_claims(member.person_id, today - timedelta(days=UTILIZATION_DAYS),
                                                UTILIZATION_LINES):
        if not show_part2 and is_part2_claim_line(line):
            continue
        kind = outreach.utilization_kind(claim_type=line.get("claim_type"), bill_type=line.get("bill_type_code"),
                                         revenue=line.get("revenue_center_code"),
                                         place_of_service=line.get("place_of_service_code"),
                                         hcpcs=line.get("hcpcs_code"))
        day = line.get("claim_start_date")
        if kind and day is not None:
            events.add((day.date() if hasattr(day, "date") else day, outreach.UTILIZATION_LABELS[kind]))
    shown = sorted(events, reverse=True)[:UTILIZATION_SHOWN]
    record(actor=user, action=Action.READ, object_type="RecentUtilization", person_id=member.person_id,
           detail={"events": len(shown)})
    return shown
