"""Every clock of the program, each a data row naming its source, computed on the working-day calendar.

Conventions (issue 4): times are America/Los_Angeles; the day of receipt is day 0; a working-day or calendar-day
clock ends at the end (23:59:59.999999 local) of its last day; an hour clock runs in elapsed time, so a 72-hour
clock that crosses a daylight-saving change ends at a wall-clock hour one off from its start (72 real hours).
Values a plan may tune (`tunable=True`) are overridden with `clock_rules(overrides={"name": amount})`; the
shipped defaults are the ones below. Authorization length: `authorization_end`.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from carehub.domain.calendar import WorkingCalendar, default_calendar


class Unit(StrEnum):
    WORKING_DAYS = "working days"
    CALENDAR_DAYS = "calendar days"
    HOURS = "hours"
    MONTHS = "months"


@dataclass(frozen=True)
class ClockRule:
    name: str
    amount: int
    unit: Unit
    description: str
    source: str
    tunable: bool = False

    @property
    def gives_datetime(self) -> bool:
        """Hour clocks end at an instant; the others at the end of a day (shown as a date)."""
        return self.unit == Unit.HOURS


RULES: tuple[ClockRule, ...] = (
    ClockRule("authorization-routine", 5, Unit.WORKING_DAYS,
              "Decide a routine ECM authorization request",
              "seed 000 II.e (DHCS timeframes for medical authorization: five working days for routine); "
              "seed 001 Q7"),
    ClockRule("authorization-expedited", 72, Unit.HOURS,
              "Decide an expedited ECM authorization request",
              "seed 000 II.e (72 hours for expedited requests); seed 001 Q7"),
    ClockRule("decision-notice", 2, Unit.WORKING_DAYS,
              "Send the written decision to the member and the referrer after a decision",
              "Health & Safety Code 1367.01(h)(3) (written notice within two business days of the decision); "
              "seed 000 II.e question 1.ii asks each plan to set this timeframe", tunable=True),
    ClockRule("expedited-notice", 72, Unit.HOURS,
              "Notify the member of an expedited decision (from receipt of the request: the decision-notice clock "
              "may not run past it)",
              "Code of Federal Regulations 42 CFR 438.210(d)(2) (expedited decision and notice no later than 72 hours "
              "after receipt), 438.404(c)(6); seed 001 Q7 (notice of action requirements apply to ECM)"),
    ClockRule("referrer-notice", 24, Unit.HOURS,
              "Tell the requesting provider (the referrer) the decision",
              "Health & Safety Code 1367.01(h)(3) (communicated to the requesting provider within 24 hours of the "
              "decision)"),
    ClockRule("assignment", 10, Unit.WORKING_DAYS,
              "Assign an authorized member to an ECM provider (and tell the provider)",
              "seed 000 II.f (ten business days of authorization); seed 004 VI.E.4"),
    ClockRule("provider-change", 30, Unit.CALENDAR_DAYS,
              "Make a member's requested change of ECM provider",
              "seed 000 II.f (within 30 days of the request); seed 004 VI.E.3"),
    ClockRule("reassessment", 6, Unit.MONTHS,
              "Reassess a member authorized automatically for continuity (WPC, HHP, prior ECM)",
              "seed 000 I.c (transition WPC/HHP members and reassess within 6 months); seed 004 VI.G.1.a",
              tunable=True),
    # Grievances and appeals (issue 4; seed 001 Q7: standard grievance and appeal processes apply to ECM).
    ClockRule("grievance-acknowledgement", 5, Unit.CALENDAR_DAYS,
              "Acknowledge a member's grievance or appeal in writing",
              "California Code of Regulations, 28 CCR 1300.68(d)(1) (written acknowledgment within five calendar "
              "days of receipt); seed 001 Q7 footnote 4 (APL 17-006)"),
    ClockRule("grievance-resolution", 30, Unit.CALENDAR_DAYS,
              "Resolve a grievance and send the written resolution",
              "California Code of Regulations, 28 CCR 1300.68(d)(3), Health & Safety Code 1368(a)(5) (written "
              "resolution within 30 calendar days); Code of Federal Regulations 42 CFR 438.408(b)(1) (ceiling 90)"),
    ClockRule("appeal-resolution", 30, Unit.CALENDAR_DAYS,
              "Resolve a standard appeal of an adverse decision and send the notice of appeal resolution",
              "Code of Federal Regulations 42 CFR 438.408(b)(2) (no longer than 30 calendar days from receipt); "
              "seed 001 Q7"),
    ClockRule("appeal-expedited", 72, Unit.HOURS,
              "Resolve an expedited appeal (waiting could seriously jeopardize the member's health)",
              "Code of Federal Regulations 42 CFR 438.408(b)(3) (no longer than 72 hours after receipt); "
              "42 CFR 438.410"),
    # What the member is told in a Notice of Action: how long they have to ask (day 0 = the notice date).
    ClockRule("appeal-filing", 60, Unit.CALENDAR_DAYS,
              "Last day for the member to ask the plan for an appeal after a Notice of Action",
              "Code of Federal Regulations 42 CFR 438.402(c)(2)(ii) (60 calendar days from the date on the notice)"),
    ClockRule("state-hearing-filing", 120, Unit.CALENDAR_DAYS,
              "Last day to ask for a State Fair Hearing after the plan's appeal decision (ECM only; seed 003 8.f: "
              "Community Supports have no State Fair Hearing)",
              "Code of Federal Regulations 42 CFR 438.408(f)(2) (no more than 120 calendar days from the notice "
              "of appeal resolution); Welfare and Institutions Code 10951"),
)

# Authorization length (seed 000 II.e: "a minimum of six (6) months" encouraged; issue 4: default 12, per plan).
DEFAULT_AUTHORIZATION_MONTHS = 12
MINIMUM_AUTHORIZATION_MONTHS = 6
# Automatic continuity authorizations run six months (seed 004 VI.G.1).
CONTINUITY_AUTHORIZATION_MONTHS = 6
# Not in the seeds: a guard against a mistyped year (an approval to 2099 was accepted). Longer ECM is a
# reauthorization, which reviews the member's needs again.
MAXIMUM_AUTHORIZATION_MONTHS = 24


class UnknownRule(KeyError):
    """No clock has that name; str() lists the ones that exist."""

    def __str__(self) -> str:
        return f"unknown rule {self.args[0]!r}; known rules: {', '.join(r.name for r in RULES)}"


def clock_rules(overrides: Mapping[str, int] | None = None) -> dict[str, ClockRule]:
    """The clocks by name, with a plan's overrides of tunable amounts applied. Overriding a regulatory
    (non-tunable) clock or giving a non-positive amount raises ValueError."""
    rules = {rule.name: rule for rule in RULES}
    for name, amount in (overrides or {}).items():
        if name not in rules:
            raise UnknownRule(name)
        if not rules[name].tunable:
            raise ValueError(f"{name} is set by regulation and cannot be overridden")
        if amount <= 0:
            raise ValueError(f"{name} must be a positive number of {rules[name].unit}")
        rules[name] = replace(rules[name], amount=amount)
    return rules


def rule(name: str, overrides: Mapping[str, int] | None = None) -> ClockRule:
    rules = clock_rules(overrides)
    if name not in rules:
        raise UnknownRule(name)
    return rules[name]


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's last day (Aug 31 + 6 months = Feb 28/29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _stdlib_calendar.monthrange(year, month)[1]))


def due(name: str, start: datetime | date, *, calendar: WorkingCalendar | None = None,
        overrides: Mapping[str, int] | None = None) -> datetime:
    """When the clock `name` started at `start` runs out, as an aware datetime in plan time.

    A date `start` means the start of that local day (so an hour clock from a date starts at midnight)."""
    cal = calendar or default_calendar()
    clock = rule(name, overrides)
    moment = cal.local(start if isinstance(start, datetime) else datetime.combine(start, datetime.min.time()))
    if clock.unit == Unit.HOURS:
        # Elapsed time: add in UTC, then show in plan time (DST-safe).
        return (moment.astimezone(UTC) + timedelta(hours=clock.amount)).astimezone(cal.tz)
    day = moment.date()
    if clock.unit == Unit.WORKING_DAYS:
        return cal.end_of_day(cal.add_working_days(day, clock.amount))
    if clock.unit == Unit.CALENDAR_DAYS:
        return cal.end_of_day(day + timedelta(days=clock.amount))
    # "within N months": by the last day of those months, so the six-month reassessment of an automatic
    # authorization falls on the authorization's last day, not the day after it lapses
    return cal.end_of_day(last_day_of_months(day, clock.amount))


def last_day_of_months(start: date, months: int) -> date:
    """The last day of the `months` months that start on `start` (2026-01-15, 6 -> 2026-07-14): the end of an
    authorization and of a "within N months" clock alike."""
    return add_months(start, months) - timedelta(days=1)


def notice_due(decided_at: datetime, *, received_at: datetime, expedited: bool,
               calendar: WorkingCalendar | None = None, overrides: Mapping[str, int] | None = None) -> datetime:
    """When the member's written decision is due: the decision-notice clock from the decision, and for an expedited
    request never later than the expedited-notice clock from receipt (42 CFR 438.210(d)(2))."""
    at = due("decision-notice", decided_at, calendar=calendar, overrides=overrides)
    return min(at, due("expedited-notice", received_at, calendar=calendar)) if expedited else at


def referrer_notice_due(member_notice_due: datetime | None, decided_at: datetime,
                        calendar: WorkingCalendar | None = None) -> datetime:
    """When the referrer's copy is due: the member's notice, or 24 hours from the decision if sooner (Health &
    Safety Code 1367.01(h)(3))."""
    at = due("referrer-notice", decided_at, calendar=calendar)
    return min(member_notice_due, at) if member_notice_due is not None else at


def authorization_end(start: date, months: int = DEFAULT_AUTHORIZATION_MONTHS) -> date:
    """The last day of an authorization of `months` starting on `start` (inclusive). Plans choose the length;
    under six months raises ValueError (seed 000 II.e encourages at least six)."""
    if months < MINIMUM_AUTHORIZATION_MONTHS:
        raise ValueError(f"an ECM authorization runs at least {MINIMUM_AUTHORIZATION_MONTHS} months")
    return last_day_of_months(start, months)


class ClockState(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due today"
    ON_TIME = "on time"
    MET = "met"


def clock_state(due_at: datetime, now: datetime, *, done_at: datetime | None = None,
                calendar: WorkingCalendar | None = None) -> ClockState:
    """Where a clock stands: met (done in time), overdue (past due, done late or not at all), due today (ends
    before the end of today, plan time) or on time."""
    cal = calendar or default_calendar()
    if done_at is not None:
        return ClockState.MET if done_at <= due_at else ClockState.OVERDUE
    if now > due_at:
        return ClockState.OVERDUE
    if cal.local(due_at).date() == cal.local(now).date():
        return ClockState.DUE_TODAY
    return ClockState.ON_TIME

