"""Assign a batch of authorized members: the named-provider rules in order, then BEST_MATCH for the rest.

Precedence across the batch: rule by rule (issue 5's order), every unassigned member is offered the providers the
rule names, in batch order (the members file is in priority order), so a member's preference takes capacity before
anyone's PCP alignment does. A provider named by a rule that cannot take the member (not in the network, not ECM,
wrong county or population, full) is recorded among the alternatives considered with the reason, and the member
falls to the next rule. Whoever is left is solved at once (solver.py); a member nobody can take is UNASSIGNED.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from carehub.domain.assignment.policy import RULES, MemberCase, Provider, Rule, normalize_county, qualifies
from carehub.domain.assignment.solver import build_problem, solve

__all__ = ["Assignment", "Considered", "assign_batch"]

# How many ranked best-match candidates to keep among the alternatives considered.
BEST_MATCH_ALTERNATIVES = 3


@dataclass(frozen=True)
class Considered:
    """A provider considered for a member and not chosen: the rule that named it and why it was passed over
    (an Unqualified reason, or LOWER_MATCH for a best-match candidate ranked below the chosen one)."""

    rule: Rule
    npi: str
    outcome: str

    def __str__(self) -> str:
        return f"{self.rule}:{self.npi}:{self.outcome}"


@dataclass(frozen=True)
class Assignment:
    """The decision for one member: provider (empty when UNASSIGNED), the rule that decided it, and the
    alternatives considered, in the order they were considered."""

    person_id: str
    provider_npi: str
    rule: Rule
    alternatives: tuple[Considered, ...] = ()


def assign_batch(members: Sequence[MemberCase], providers: Mapping[str, Provider]) -> list[Assignment]:
    """Assign every member of the batch (issue 5). `providers` by NPI; their `capacity` is what they have left.
    Returns one Assignment per member, in batch order. Deterministic: same inputs, same output."""
    remaining = {npi: p.capacity or 0 for npi, p in providers.items()}
    cells = {(npi, county, population): n for npi, p in providers.items()
             for (county, population), n in p.cell_limits().items()}
    decided: list[tuple[str, Rule] | None] = [None] * len(members)
    considered: list[list[Considered]] = [[] for _ in members]
    for rule, names in RULES:
        for i, member in enumerate(members):
            if decided[i] is not None:
                continue
            for npi in dict.fromkeys(names(member)):  # each NPI once per rule
                if any(c.npi == npi for c in considered[i]):
                    continue  # named by an earlier rule and already passed over
                cell = (npi, normalize_county(member.county), member.population)
                why = qualifies(providers.get(npi), member, remaining.get(npi, 0), cells.get(cell))
                if why is None:
                    decided[i] = (npi, rule)
                    remaining[npi] -= 1
                    if cell in cells:
                        cells[cell] -= 1
                    break
                considered[i].append(Considered(rule, npi, str(why)))
    left = [i for i, d in enumerate(decided) if d is None]
    if left:
        problem = build_problem(members, left, providers, remaining, cells)
        counts = solve(problem)
        for g, member_indexes in enumerate(problem.group_members):
            arcs = problem.group_arcs[g]
            queue = iter(member_indexes)
            for p, _ in arcs:  # cheapest provider first, members in batch order
                for _ in range(counts.get((g, p), 0)):
                    decided[next(queue)] = (problem.providers[p].npi, Rule.BEST_MATCH)
            for i in member_indexes:
                decision = decided[i]
                chosen = decision[0] if decision else ""
                others = [problem.providers[p].npi for p, _ in arcs if problem.providers[p].npi != chosen]
                considered[i].extend(Considered(Rule.BEST_MATCH, npi, "LOWER_MATCH" if chosen else "FULL")
                                     for npi in others[:BEST_MATCH_ALTERNATIVES])
    return [
        Assignment(m.person_id, d[0], d[1], tuple(considered[i])) if d
        else Assignment(m.person_id, "", Rule.UNASSIGNED, tuple(considered[i]))
        for i, (m, d) in enumerate(zip(members, decided, strict=True))
    ]
