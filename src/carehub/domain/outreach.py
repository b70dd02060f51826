"""Outreach and engagement policy: required attempts, time limit, in-person first, monthly minimum contact.

Sources: seed 000 II.g (the plan sets the required number of attempts and the time limit; in-person first, other
modalities when in person fails or reflect the member's stated preference; members not engaged go back to the
plan for other care management); seed 003 12.a (outreach is a core service the plan tracks and reports); seed 004
VI.D.1 (primarily in person) and VI.D.6 (at least one attempt or contact a month). The plan-tunable values are in
outreach_policy.csv (documented in outreach_policy.md). Pure functions: no Django.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).with_name("outreach_policy.csv")

IN_PERSON = "IN_PERSON"
# Outcomes that mean the member was reached (engaged or declining): outreach is over either way.
REACHED_OUTCOMES = frozenset({"REACHED_ENGAGED", "REACHED_DECLINED"})


@dataclass(frozen=True)
class OutreachPolicy:
    """The plan's outreach settings (outreach_policy.md)."""

    required_attempts: int = 3
    distinct_methods: int = 2
    time_limit_days: int = 90
    first_attempt_days: int = 10
    in_person_first: bool = True
    monthly_minimum_contacts: int = 1


def load_policy(path: Path | None = None, overrides: Mapping[str, int] | None = None) -> OutreachPolicy:
    """The policy from the value file, with a plan's overrides applied. Unknown settings are an error."""
    values: dict[str, int] = {}
    with (path or POLICY_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values[row["setting"].strip()] = int(row["value"])
    values.update(overrides or {})
    known = {f.name for f in fields(OutreachPolicy)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown outreach settings: {', '.join(sorted(unknown))}")
    typed: dict[str, Any] = {k: bool(v) if k == "in_person_first" else int(v) for k, v in values.items()}
    policy = replace(OutreachPolicy(), **typed)
    if min(policy.required_attempts, policy.time_limit_days, policy.first_attempt_days) < 1:
        raise ValueError("required_attempts, time_limit_days and first_attempt_days must be at least 1")
    return policy


@dataclass(frozen=True)
class Attempt:
    """One outreach attempt as the policy sees it."""

    on: date
    method: str
    outcome: str


class OutreachState(StrEnum):
    REACHED = "REACHED"  # a successful contact: outreach is over (enrolled or declined)
    ON_TRACK = "ON_TRACK"
    BEHIND = "BEHIND"  # fewer attempts than the pace to the time limit requires
    UNREACHABLE = "UNREACHABLE"  # time limit passed after the required attempts: back to the plan
    OVERDUE = "OVERDUE"  # time limit passed without the required attempts


def deadline(started_on: date, policy: OutreachPolicy) -> date:
    """Last day of the outreach window (time_limit_days calendar days from assignment, day 0 = assignment)."""
    return started_on + timedelta(days=policy.time_limit_days)


def days_left(started_on: date, today: date, policy: OutreachPolicy) -> int:
    """Calendar days to the end of the window (negative once past it)."""
    return (deadline(started_on, policy) - today).days


def reached(attempts: Iterable[Attempt]) -> bool:
    return any(a.outcome in REACHED_OUTCOMES for a in attempts)


def expected_attempts(started_on: date, today: date, policy: OutreachPolicy) -> int:
    """Attempts expected by `today`: the first by first_attempt_days, then evenly paced so the required number is
    made by the time limit."""
    elapsed = (today - started_on).days
    if elapsed < policy.first_attempt_days:
        return 0
    paced = math.ceil(policy.required_attempts * elapsed / policy.time_limit_days)
    return max(1, min(policy.required_attempts, paced))


def attempts_behind(attempts: Sequence[Attempt], *, started_on: date, today: date, policy: OutreachPolicy) -> int:
    """How many attempts the provider is behind the pace today (0 when on track or once the member was reached)."""
    if reached(attempts):
        return 0
    made = sum(1 for a in attempts if a.on <= today)
    return max(0, expected_attempts(started_on, today, policy) - made)


def requirement_met(attempts: Sequence[Attempt], policy: OutreachPolicy, *, preferred_method: str = "") -> bool:
    """The required number of attempts by at least `distinct_methods` methods, one of them in person when the
    plan puts in person first and the member has not stated another preference."""
    methods = {a.method for a in attempts}
    if len(attempts) < policy.required_attempts or len(methods) < min(policy.distinct_methods,
                                                                      policy.required_attempts):
        return False
    needs_in_person = policy.in_person_first and preferred_method in ("", IN_PERSON)
    return IN_PERSON in methods or not needs_in_person


def unreachable(attempts: Sequence[Attempt], *, started_on: date, today: date, policy: OutreachPolicy,
                preferred_method: str = "") -> bool:
    """Not reached, the time limit passed, and the required attempts were made: the member goes back to the plan
    for other care management (seed 000 II.g)."""
    return (not reached(attempts) and today > deadline(started_on, policy)
            and requirement_met(attempts, policy, preferred_method=preferred_method))


def state(attempts: Sequence[Attempt], *, started_on: date, today: date, policy: OutreachPolicy,
          preferred_method: str = "") -> OutreachState:
    """Where the outreach stands today."""
    if reached(attempts):
        return OutreachState.REACHED
    if today > deadline(started_on, policy):
        met = requirement_met(attempts, policy, preferred_method=preferred_method)
        return OutreachState.UNREACHABLE if met else OutreachState.OVERDUE
    if attempts_behind(attempts, started_on=started_on, today=today, policy=policy):
        return OutreachState.BEHIND
    return OutreachState.ON_TRACK


def in_person_first_warning(attempts: Sequence[Attempt], policy: OutreachPolicy, *,
                            preferred_method: str = "") -> str:
    """A warning when another method was used before any in-person attempt, unless the member stated another
    preference (seed 000 II.g; seed 004 VI.D.1). Empty when there is nothing to say."""
    if not policy.in_person_first or preferred_method not in ("", IN_PERSON):
        return ""
    for attempt in sorted(attempts, key=lambda a: a.on):
        if attempt.method == IN_PERSON:
            return ""
        return ("Outreach should be in person first: another method was used before any in-person attempt and the "
                "member has not stated another preference.")
    return ""


# ---- monthly minimum contact (seed 004 VI.D.6) --------------------------------------------------------------

def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from `first`'s month to `last`'s month, inclusive."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def monthly_gaps(contacts: Iterable[date], *, enrolled_on: date, ended_on: date | None, today: date,
                 policy: OutreachPolicy) -> list[date]:
    """Months of enrollment (first days) with fewer attempts or contacts than the plan's monthly minimum. Only
    complete months count: the current month is not a gap yet."""
    last = ended_on or today
    counts: dict[date, int] = {}
    for day in contacts:
        counts[month_start(day)] = counts.get(month_start(day), 0) + 1
    this_month = month_start(today)
    return [m for m in months_between(enrolled_on, last)
            if m < this_month and counts.get(m, 0) < policy.monthly_minimum_contacts]


# ---- most immediate needs first (seed 000 II.g; seed 004 VI.D.5.a.1) ---------------------------------------

def need_rank(*, recent_discharge: bool, recent_release: bool, unsheltered: bool, populations: int,
              score: float | None) -> tuple[float, ...]:
    """Sort key, smallest first: members with a recent discharge or release first, then unsheltered, then more
    Populations of Focus, then the identification priority score (higher first)."""
    events = int(recent_discharge) + int(recent_release)
    return (-events, -int(unsheltered), -populations, -(score or 0.0))


# ---- recent admissions and ED visits, from claim lines (what the plan knows: seed 000 II.g; seed 004 VI.H.2.c) --
# Definitions of spec/populations-of-focus.md: inpatient stay = institutional bill type 011x, skilled nursing 021x;
# ED visit = revenue code 0450-0459 or 0981, place of service 23, or HCPCS 99281-99285.

ED_REVENUE = frozenset({*(str(n) for n in range(450, 460)), "981"})
ED_HCPCS = frozenset({"99281", "99282", "99283", "99284", "99285"})
UTILIZATION_LABELS = {"INPATIENT": "Hospital stay", "SNF": "Skilled nursing stay", "ED": "Emergency department visit"}


def utilization_kind(*, claim_type: str | None, bill_type: str | None, revenue: str | None,
                     place_of_service: str | None, hcpcs: str | None) -> str:
    """INPATIENT, SNF or ED for a claim line that shows one, else ''."""
    kind = (claim_type or "").strip().lower()
    bill = (bill_type or "").strip().lstrip("0")
    if kind == "institutional" and bill.startswith("11"):
        return "INPATIENT"
    if kind == "institutional" and bill.startswith("21"):
        return "SNF"
    if (kind == "institutional" and (revenue or "").strip().lstrip("0") in ED_REVENUE) or (
            kind == "professional" and ((place_of_service or "").strip() == "23"
                                        or (hcpcs or "").strip() in ED_HCPCS)):
        return "ED"
    return ""
