"""Assignment of authorized members to ECM providers: who qualifies, and the rules in order of precedence.

Sources: seed 000 III.2.f "Assignment to an ECM Provider" (issue 5 cites it as "000 II.f"; ECM and ILOS contract
section 9: member preference, PCP and behavioral health provider alignment, existing relationships, matching
experience and skill set); seed 003
row 9.g (for CCS children the CCS case manager should generally be the ECM provider); seed 004 VI.E.1-2
(provider standards; known preferences, previous relationships, PCP, behavioral health provider, CCS Whole Child
Model case manager) and VI.K.2.c (continuity: assign to the existing ECM provider). Issue 5 fixes the order.

Pure module: each rule is a small function returning the NPIs it names, best first; `assign_batch` in
carehub.domain.assignment.batch applies them in order with capacity.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

from carehub.domain.languages import normalize_language

__all__ = [
    "BEHAVIORAL_HEALTH_POPULATIONS", "MemberCase", "Provider", "RULES", "Rule", "Unqualified", "assignment_due",
    "behavioral_health",
    "ccs_case_manager", "existing_relationship", "experienced_populations", "member_preference", "normalize_county",
    "normalize_language", "pcp", "qualifies",
]


class Rule(StrEnum):
    """The rule that decided an assignment (issue 5, output column `rule`), in order of precedence."""

    MEMBER_PREFERENCE = "MEMBER_PREFERENCE"
    EXISTING_RELATIONSHIP = "EXISTING_RELATIONSHIP"
    CCS_CASE_MANAGER = "CCS_CASE_MANAGER"
    BEHAVIORAL_HEALTH = "BEHAVIORAL_HEALTH"
    PCP = "PCP"
    BEST_MATCH = "BEST_MATCH"
    UNASSIGNED = "UNASSIGNED"


# How staff read a rule (the assignment queue's message after a batch).
RULE_LABELS: dict[str, str] = {
    Rule.MEMBER_PREFERENCE: "the member's preference", Rule.EXISTING_RELATIONSHIP: "an existing relationship",
    Rule.CCS_CASE_MANAGER: "the CCS case manager", Rule.BEHAVIORAL_HEALTH: "the behavioral health provider",
    Rule.PCP: "the PCP", Rule.BEST_MATCH: "the best match", Rule.UNASSIGNED: "not assigned",
}


class Unqualified(StrEnum):
    """Why a provider named by a rule was passed over (recorded among the alternatives considered)."""

    NOT_IN_NETWORK = "NOT_IN_NETWORK"  # no provider row with that NPI
    NOT_ECM = "NOT_ECM"  # not a contracted ECM provider (provider.kind is not ECM)
    COUNTY = "COUNTY"  # does not serve the member's county
    POPULATION = "POPULATION"  # does not serve the member's Population of Focus
    FULL = "FULL"  # no capacity left


@dataclass(frozen=True)
class Provider:
    """A provider of the network as assignment sees it. `capacity` is what it has left (None: not stated, so no
    capacity to assign against). `experienced_populations`: populations it has shown experience with (seed 004
    VI.E.1.a), used by the best match."""

    npi: str
    name: str = ""
    kind: str = "ECM"
    provider_type: str = ""
    counties: frozenset[str] = frozenset()
    populations: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    capacity: int | None = 0
    experienced_populations: frozenset[str] = frozenset()
    # What it has left in particular (county, population) cells, when the plan recorded capacity by county and
    # population (seed 000 IV.1.b.vi-x); counties normalized. A cell not listed is limited only by `capacity`.
    cell_capacity: tuple[tuple[str, str, int], ...] = ()

    def cell_limits(self) -> dict[tuple[str, str], int]:
        return {(county, population): n for county, population, n in self.cell_capacity}


@dataclass(frozen=True)
class MemberCase:
    """One authorized member to assign, with the facts each rule reads (NPIs best first)."""

    person_id: str
    population: str
    county: str = ""
    language: str = ""
    preferred_npi: str = ""
    previous_npis: tuple[str, ...] = ()  # previous ECM provider, WPC lead entity, HHP CB-CME
    ccs_case_manager_npis: tuple[str, ...] = ()  # CCS / CCS_WCM case management organization
    behavioral_health_npis: tuple[str, ...] = ()  # most recent MH/SUD claim's billing NPI, then SMHS/DMC rows
    pcp_npi: str = ""
    notes: tuple[str, ...] = field(default=(), compare=False)


# Populations whose members are assigned to their behavioral health provider (seed 000 III.2.f; seed 004 VI.E.2.b:
# members served by a Specialty Mental Health Plan for SED, SUD and/or SMH).
BEHAVIORAL_HEALTH_POPULATIONS: frozenset[str] = frozenset({"ADULT_SMH_SUD", "CHILD_SMH_SUD"})

def normalize_county(value: str) -> str:
    """Counties compare case-insensitively, without a trailing " County"."""
    value = " ".join(value.split()).lower()
    return value.removesuffix(" county")


def qualifies(provider: Provider | None, member: MemberCase, remaining: int,
              cell_remaining: int | None = None) -> Unqualified | None:
    """None when `provider` may take `member` now; otherwise the first reason it may not.

    Issue 5: a provider qualifies when it is a contracted ECM provider (provider.kind ECM) serving the member's
    county and population with capacity left (seed 000 III.2.f; seed 004 VI.E.1.a: experienced in the population).
    `cell_remaining`: what it has left in the member's county and population, when the plan limited that cell.
    """
    if provider is None:
        return Unqualified.NOT_IN_NETWORK
    if provider.kind != "ECM":
        return Unqualified.NOT_ECM
    if not member.county or normalize_county(member.county) not in provider.counties:
        return Unqualified.COUNTY
    if member.population not in provider.populations:
        return Unqualified.POPULATION
    if remaining <= 0 or (cell_remaining is not None and cell_remaining <= 0):
        return Unqualified.FULL
    return None


def member_preference(member: MemberCase) -> tuple[str, ...]:
    """The provider the member asked for. Seed 000 III.2.f ("MCPs must follow Members' known preferences");
    seed 004 VI.E.2 (known preferences come first: PCP and behavioral health alignment yield to them)."""
    return (member.preferred_npi,) if member.preferred_npi else ()


def existing_relationship(member: MemberCase) -> tuple[str, ...]:
    """The member's previous ECM provider, WPC lead entity or HHP CB-CME, for continuity. Seed 000 III.2.c
    (WPC and HHP transition: assignment accounts for past history) and III.2.f.1.iii (existing relationships); seed 004
    VI.E.2 and VI.K.2.c (assign to the existing ECM provider so the relationship is not disrupted)."""
    return member.previous_npis


def ccs_case_manager(member: MemberCase) -> tuple[str, ...]:
    """For children in CCS or the CCS Whole Child Model, the CCS case manager's organization. Seed 003 row 9.g
    (the CCS case manager should generally serve as the ECM provider); seed 004 VI.E.2.c."""
    return member.ccs_case_manager_npis


def behavioral_health(member: MemberCase) -> tuple[str, ...]:
    """For the serious mental health / SUD populations, the member's behavioral health provider (billing NPI of
    the most recent claim with a mental health or SUD principal diagnosis, then the NPI of an SMHS / DMC-ODS / DMC
    program row). Seed 000 III.2.f; seed 004 VI.E.2.b."""
    if member.population not in BEHAVIORAL_HEALTH_POPULATIONS:
        return ()
    return member.behavioral_health_npis


def pcp(member: MemberCase) -> tuple[str, ...]:
    """The member's assigned PCP, when it is itself a contracted ECM provider. Seed 000 III.2.f ("must align
    assignment with PCP assignment where appropriate"); seed 004 VI.E.2.a."""
    return (member.pcp_npi,) if member.pcp_npi else ()


# The named-provider rules in order of precedence (issue 5); BEST_MATCH (solver.py) comes after them.
RULES: tuple[tuple[Rule, Callable[[MemberCase], tuple[str, ...]]], ...] = (
    (Rule.MEMBER_PREFERENCE, member_preference),
    (Rule.EXISTING_RELATIONSHIP, existing_relationship),
    (Rule.CCS_CASE_MANAGER, ccs_case_manager),
    (Rule.BEHAVIORAL_HEALTH, behavioral_health),
    (Rule.PCP, pcp),
)


EXPERIENCE_CSV = Path(__file__).with_name("experience.csv")


@cache
def _experience() -> dict[str, frozenset[str]]:
    by_type: dict[str, set[str]] = {}
    with EXPERIENCE_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_type.setdefault(row["provider_type"], set()).add(row["population"])
    return {k: frozenset(v) for k, v in by_type.items()}


def experienced_populations(provider_type: str) -> frozenset[str]:
    """Populations a provider of this Model of Care type is taken to have particular experience with (the
    product's default in experience.csv, which a plan may replace): the best match prefers them (seed 004
    VI.E.1.a, experienced in the Population of Focus; seed 000 III.2.f.1.v, match experience and skill set)."""
    return _experience().get(provider_type, frozenset())


def assignment_due(authorized_on: date) -> date:
    """The last day to assign a member authorized on `authorized_on`: ten working days (seed 000 III.2.f; seed 004
    VI.E.4), from the program clocks of carehub.domain.deadlines and the plan's working calendar."""
    from carehub.domain.deadlines import due

    return due("assignment", authorized_on).date()
