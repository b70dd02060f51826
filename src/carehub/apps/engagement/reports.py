"""The plan's and the provider's lists across members: members to route to other care management (not engaged:
unreachable, past the outreach time limit, declined or stopped), and the monthly contact report (enrolled members
with a month below the plan's minimum of attempts or contacts: seed 004 VI.D.6). Scoped and audited."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.engagement.models import (
    Activity,
    Enrollment,
    EnrollmentStatus,
    LeadCareManagerAssignment,
    OutreachAttempt,
    OutreachMethod,
)
from carehub.apps.engagement.policy import outreach_policy
from carehub.apps.engagement.selectors import Facts, facts_for, scoped_assignments
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain import outreach
from carehub.domain.outreach import OutreachState

LIST_LIMIT = 500
NOT_ENGAGED = (EnrollmentStatus.UNREACHABLE, EnrollmentStatus.DECLINED, EnrollmentStatus.STOPPED)


def not_engaged(user: User, *, today: date | None = None, include_routed: bool = False) -> list[Facts]:
    """Members to route to other care management (plan staff; providers see their own): enrollment unreachable,
    declined or stopped, and members still in outreach past the plan's time limit. Unrouted first, oldest
    assignment first. A fixed number of queries."""
    today = today or timezone.localdate()
    policy = outreach_policy()
    past_limit = timezone.now() - timedelta(days=policy.time_limit_days + 1)
    flagged = Q(enrollment__status__in=NOT_ENGAGED)
    if not include_routed:
        flagged &= Q(enrollment__routed_on__isnull=True)
    in_outreach = (Q(enrollment__isnull=True) | Q(enrollment__status=EnrollmentStatus.OUTREACH)) & Q(
        assigned_at__lt=past_limit)
    qs = (scoped_assignments(user, include_closed=True).filter(flagged | in_outreach)
          .select_related("member").order_by("assigned_at", "pk"))[:LIST_LIMIT]
    facts = facts_for(list(qs), user, today=today, policy=policy)
    # In outreach past the limit but reached (a decision not yet recorded): not for routing.
    return [f for f in facts if f.status != EnrollmentStatus.OUTREACH or f.state in (
        OutreachState.UNREACHABLE, OutreachState.OVERDUE)]


def audited_not_engaged(user: User, *, route: str, **kwargs) -> list[Facts]:  # noqa: ANN003
    rows = not_engaged(user, **kwargs)
    record(actor=user, action=Action.SEARCH, object_type="NotEngagedList", route=route,
           detail={"assignments": [f.assignment.pk for f in rows],
                   "person_ids": [f.assignment.member_id for f in rows]})
    return rows


# ---- monthly contact report ----------------------------------------------------------------------------------

@dataclass
class ContactLine:
    member_name: str
    person_id: str
    cin: str
    provider_npi: str
    assignment_id: int
    enrolled_on: date
    ended_on: date | None
    lead: str
    contacts: dict[date, int]
    gaps: list[date]


def _month_range(first: date, last: date) -> list[date]:
    return outreach.months_between(first, last)


MAX_REPORT_MONTHS = 36


def check_period(first_month: date, last_month: date) -> None:
    """A report period the database and the calendar can answer: in order, at most 36 months, years 2000-2999."""
    if not (date(2000, 1, 1) <= first_month <= last_month <= date(2999, 12, 31)):
        raise ValueError("The period must run forward, between 2000 and 2999.")
    if (last_month.year - first_month.year) * 12 + last_month.month - first_month.month >= MAX_REPORT_MONTHS:
        raise ValueError(f"The period can be at most {MAX_REPORT_MONTHS} months.")


def monthly_contacts(user: User, *, first_month: date, last_month: date, today: date | None = None,
                     gaps_only: bool = True) -> list[ContactLine]:
    """Enrolled members (enrolled in or before the period, not ended before it) with their contacts per month;
    with `gaps_only`, only those with a month of their enrollment below the plan's minimum. Four queries."""
    today = today or timezone.localdate()
    policy = outreach_policy()
    first_month, last_month = outreach.month_start(first_month), outreach.month_start(last_month)
    check_period(first_month, last_month)
    period_end = (last_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    assignment_ids = scoped_assignments(user, include_closed=True).order_by().values("pk")
    enrollments = list(
        Enrollment.objects.filter(assignment_id__in=assignment_ids, enrolled_on__isnull=False,
                                  enrolled_on__lte=period_end)
        .exclude(stopped_on__lt=first_month).exclude(discontinued_on__lt=first_month)
        .select_related("assignment__member").order_by("assignment__member__last_name", "assignment_id"))
    ids = [e.assignment_id for e in enrollments]
    days: dict[int, list[date]] = defaultdict(list)
    for a_id, on in OutreachAttempt.objects.filter(assignment_id__in=ids, attempted_on__gte=first_month,
                                                   attempted_on__lte=period_end) \
            .values_list("assignment_id", "attempted_on"):
        days[a_id].append(on)
    for a_id, on in Activity.objects.filter(assignment_id__in=ids, occurred_on__gte=first_month,
                                            occurred_on__lte=period_end).values_list("assignment_id", "occurred_on"):
        days[a_id].append(on)
    leads = dict(LeadCareManagerAssignment.objects.filter(assignment_id__in=ids, end_date__isnull=True)
                 .values_list("assignment_id", "care_manager__name"))
    lines = []
    for e in enrollments:
        ended = e.stopped_on or e.discontinued_on
        start = max(e.enrolled_on, first_month)
        stop = min(ended or period_end, period_end)
        gaps = outreach.monthly_gaps(days[e.assignment_id], enrolled_on=start, ended_on=stop, today=today,
                                     policy=policy)
        if gaps_only and not gaps:
            continue
        per_month: dict[date, int] = {m: 0 for m in _month_range(start, stop)}
        for on in days[e.assignment_id]:
            if outreach.month_start(on) in per_month:
                per_month[outreach.month_start(on)] += 1
        member = e.assignment.member
        lines.append(ContactLine(f"{member.last_name}, {member.first_name}", member.person_id, member.member_id,
                                 e.assignment.provider_npi, e.assignment_id, e.enrolled_on, ended,
                                 leads.get(e.assignment_id, ""), per_month, gaps))
    return lines


def audited_monthly_contacts(user: User, *, route: str, **kwargs) -> list[ContactLine]:  # noqa: ANN003
    lines = monthly_contacts(user, **kwargs)
    record(actor=user, action=Action.SEARCH, object_type="MonthlyContactReport", route=route,
           detail={"first_month": kwargs["first_month"].isoformat(), "last_month": kwargs["last_month"].isoformat(),
                   "person_ids": [line.person_id for line in lines]})
    return lines


CSV_COLUMNS = ("month", "person_id", "cin", "member_name", "provider_npi", "enrolled_on", "ended_on",
               "lead_care_manager", "contacts", "minimum", "gap")


def monthly_contacts_csv(lines: list[ContactLine], minimum: int) -> str:
    """One row per member and month of enrollment in the period, gap = contacts below the minimum."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        for month, count in sorted(line.contacts.items()):
            writer.writerow([month.strftime("%Y-%m"), line.person_id, line.cin, line.member_name,
                             line.provider_npi, line.enrolled_on.isoformat(),
                             line.ended_on.isoformat() if line.ended_on else "", line.lead, count, minimum,
                             "yes" if month in line.gaps else "no"])
    return out.getvalue()


# ---- outreach summary by provider (seed 003 12.a; seed 004 VI.K.2: the plan tracks outreach and reports it) --

@dataclass
class OutreachSummaryLine:
    provider_npi: str
    provider_name: str = ""
    members_assigned: int = 0
    members_outreached: int = 0
    members_reached: int = 0
    attempts: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    minutes: int = 0
    enrolled: int = 0
    declined: int = 0
    unreachable: int = 0
    stopped: int = 0


SUMMARY_COLUMNS = ("provider_npi", "provider_name", "members_assigned", "members_outreached", "members_reached",
                   "attempts", *[f"attempts_{m.lower()}" for m in OutreachMethod.values], "outreach_minutes",
                   "enrolled", "declined", "unreachable", "stopped")


def outreach_summary(user: User, *, first: date, last: date) -> list[OutreachSummaryLine]:
    """Per provider, for the period: members assigned, outreached and reached, attempts by method and minutes, and
    enrollment decisions. Plan staff see every provider, provider staff their own. A fixed number of queries."""
    if last < first:
        raise ValueError("The period must run forward.")
    scope = scoped_assignments(user, include_closed=True)
    assigned = scope.filter(assigned_at__date__lte=last).filter(Q(ended_at__isnull=True) |
                                                                 Q(ended_at__date__gte=first))
    lines: dict[str, OutreachSummaryLine] = {}

    def line(npi: str) -> OutreachSummaryLine:
        return lines.setdefault(npi, OutreachSummaryLine(npi))

    for row in assigned.order_by().values("provider_npi").annotate(n=Count("pk")):
        line(row["provider_npi"]).members_assigned = row["n"]
    attempts = OutreachAttempt.objects.filter(assignment__in=scope.order_by().values("pk"), attempted_on__gte=first,
                                              attempted_on__lte=last)
    for row in attempts.order_by().values("assignment__provider_npi").annotate(
            n=Count("pk"), members=Count("assignment", distinct=True), minutes=Sum("minutes"),
            reached=Count("assignment", distinct=True, filter=Q(outcome__in=sorted(outreach.REACHED_OUTCOMES)))):
        x = line(row["assignment__provider_npi"])
        x.attempts, x.members_outreached, x.minutes, x.members_reached = (row["n"], row["members"],
                                                                          row["minutes"] or 0, row["reached"])
    for row in attempts.order_by().values("assignment__provider_npi", "method").annotate(n=Count("pk")):
        line(row["assignment__provider_npi"]).by_method[row["method"]] = row["n"]
    decisions = Enrollment.objects.filter(assignment__in=scope.order_by().values("pk"))
    for row in decisions.order_by().values("assignment__provider_npi").annotate(
            enrolled=Count("pk", filter=Q(enrolled_on__gte=first, enrolled_on__lte=last)),
            declined=Count("pk", filter=Q(declined_on__gte=first, declined_on__lte=last)),
            unreachable=Count("pk", filter=Q(unreachable_on__gte=first, unreachable_on__lte=last)),
            stopped=Count("pk", filter=Q(stopped_on__gte=first, stopped_on__lte=last))):
        x = line(row["assignment__provider_npi"])
        x.enrolled, x.declined, x.unreachable, x.stopped = (row["enrolled"], row["declined"], row["unreachable"],
                                                            row["stopped"])
    names = dict(ProviderOrganization.objects.filter(npi__in=list(lines)).values_list("npi", "name"))
    for npi, x in lines.items():
        x.provider_name = names.get(npi, "")
        x.by_method = {m: x.by_method.get(m, 0) for m in OutreachMethod.values}
    return sorted(lines.values(), key=lambda x: (x.provider_name, x.provider_npi))


def audited_outreach_summary(user: User, *, route: str, first: date, last: date) -> list[OutreachSummaryLine]:
    lines = outreach_summary(user, first=first, last=last)
    record(actor=user, action=Action.SEARCH, object_type="OutreachSummary", route=route,
           detail={"first": first.isoformat(), "last": last.isoformat(), "providers": [x.provider_npi for x in lines]})
    return lines


def outreach_summary_csv(lines: list[OutreachSummaryLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for x in lines:
        writer.writerow([x.provider_npi, x.provider_name, x.members_assigned, x.members_outreached,
                         x.members_reached, x.attempts, *x.by_method.values(), x.minutes, x.enrolled, x.declined,
                         x.unreachable, x.stopped])
    return out.getvalue()
