"""Why a member the previous run identified for a Population of Focus is not identified for it by this run (the
"no longer eligible" list), so a coordinator knows what to do next without opening every record.

Source: spec/populations-of-focus.md: a person is considered only when an eligibility span covers the as-of date
and there is no death date on or before it; the children and youth populations are for members under 21 (seed 004
VI.A.5), child welfare also for former foster youth up to 26 (VI.A.5.f). The first two are also reasons to
discontinue ECM (seed 004 VI.F.1.e deceased, VI.F.1.f loss of Medi-Cal eligibility or plan enrollment:
DECEASED and LOST_ELIGIBILITY in domain/discontinuation_reasons.csv); no longer meeting a population's criteria is
not among VI.F.1's reasons, so an enrolled member's ECM goes on until one applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from carehub.domain.discontinuation import Reason


class Leaving(StrEnum):
    DECEASED = "DECEASED"  # a death date on or before the as-of date
    NOT_ENROLLED = "NOT_ENROLLED"  # no eligibility span covers the as-of date (or the member left the member file)
    AGED_OUT = "AGED_OUT"  # reached the population's age limit
    CRITERIA = "CRITERIA"  # enrolled, alive, within age: the population's criteria are no longer met


# The populations with an upper age, and the age at which a member leaves them (spec "Children and youth (under
# 21)"; seed 004 VI.A.5.f: former foster youth up to 26). FAMILY_HOMELESS is for any age.
AGE_LIMITS: dict[str, int] = {
    "CHILD_HOMELESS": 21, "CHILD_AVOIDABLE_UTILIZATION": 21, "CHILD_SMH_SUD": 21, "CHILD_REENTRY": 21,
    "CHILD_CCS": 21, "CHILD_WELFARE": 26, "CHILD_IDD": 21, "CHILD_BIRTH_EQUITY": 21,
}

# The reasons in a coordinator's words, without their dates (the run summary's counts, the list's filter).
LABELS: dict[str, str] = {
    Leaving.DECEASED: "Died", Leaving.NOT_ENROLLED: "Medi-Cal eligibility ended",
    Leaving.AGED_OUT: "Reached the age limit (21; 26 for former foster youth)",
    Leaving.CRITERIA: "No longer meets the criteria",
}

# The reasons that are also ECM discontinuation reasons (domain/discontinuation_reasons.csv; seed 004 VI.F.1.e-f):
# for a member in ECM, the plan records the discontinuation (with a notice) instead of waiting for the provider.
DISCONTINUATION: dict[str, str] = {Leaving.DECEASED: Reason.DECEASED, Leaving.NOT_ENROLLED: Reason.LOST_ELIGIBILITY}


@dataclass(frozen=True)
class MemberFacts:
    """What the operational record says of the member on the as-of date."""

    birth_date: date | None
    death_date: date | None
    enrolled: bool  # an eligibility span covers the as-of date
    last_enrolled: date | None = None  # the end of the latest span ended before the as-of date


def member_facts(birth_date: date | None, death_date: date | None, spans: list[tuple[date, date | None]],
                 as_of: date) -> MemberFacts:
    """The facts from the member record: enrolled when a span (start, end; an open end) covers `as_of`, as the
    rules consider people (spec: "an eligibility span covers D"); else the end of the latest span before it."""
    return MemberFacts(
        birth_date=birth_date, death_date=death_date,
        enrolled=any(start <= as_of and (end is None or end >= as_of) for start, end in spans),
        last_enrolled=max((end for _, end in spans if end is not None and end < as_of), default=None))


def birthday(birth_date: date, age: int) -> date:
    """The day the member turns `age` (a 29 February birthday counts on 1 March in other years)."""
    try:
        return birth_date.replace(year=birth_date.year + age)
    except ValueError:
        return date(birth_date.year + age, 3, 1)


def leaving(population: str, as_of: date, member: MemberFacts | None) -> tuple[Leaving, date | None]:
    """The reason the member is no longer identified for `population` on `as_of`, and its date (of death, of the
    end of eligibility, of the birthday) where there is one. A member absent from the member file is treated as
    no longer enrolled."""
    if member is None:
        return Leaving.NOT_ENROLLED, None
    if member.death_date is not None and member.death_date <= as_of:
        return Leaving.DECEASED, member.death_date
    if not member.enrolled:
        return Leaving.NOT_ENROLLED, member.last_enrolled
    limit = AGE_LIMITS.get(population)
    if limit is not None and member.birth_date is not None and birthday(member.birth_date, limit) <= as_of:
        return Leaving.AGED_OUT, birthday(member.birth_date, limit)
    return Leaving.CRITERIA, None


def reason_code(reason: str, on: date | None) -> str:
    """The reason as the APIs give it: REASON, or REASON:date ("NOT_ENROLLED:2026-10-15")."""
    return f"{reason}:{on.isoformat()}" if on else reason


def describe(reason: str, on: date | None, population: str = "") -> str:
    """A coordinator's words for a reason: "Medi-Cal eligibility ended 2026-10-15", "Turned 21 on 2026-10-12"."""
    when = f" {on.isoformat()}" if on else ""
    if reason == Leaving.DECEASED:
        return f"Died{when}"
    if reason == Leaving.NOT_ENROLLED:
        return f"Medi-Cal eligibility ended{when}" if on else "No longer enrolled with the plan"
    if reason == Leaving.AGED_OUT:
        return f"Turned {AGE_LIMITS.get(population, 21)}{' on' + when if on else ''}"
    if reason == Leaving.CRITERIA:
        return "No longer meets the criteria"
    return reason
