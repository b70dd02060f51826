"""Matching a member to a Lead Care Manager on the provider's roster: language, Population of Focus experience,
role fit and caseload headroom (seed 000 II.h.2: "expertise and skills that meet the unique needs of each
Member" and the member's preferences; seed 004 VI.D.3: the LCM may be a nurse, social worker, care navigator,
housing navigator or community health worker with experience in the member's Population of Focus).

Role fit per population is a plan-tunable value file (care_team_role_fit.csv; a housing navigator for members
experiencing homelessness, a nurse for avoidable utilization, ...). Pure functions: no Django.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from carehub.domain.languages import normalize_language

ROLE_FIT_FILE = Path(__file__).with_name("care_team_role_fit.csv")

# Points of each criterion; language first because communication in the member's language is required
# (seed 000 II.g "culturally and linguistically appropriate").
LANGUAGE_POINTS = 4
POPULATION_POINTS = 3
PREFERRED_ROLE_POINTS = 2

def language_code(value: str) -> str:
    return normalize_language(value)


def load_role_fit(path: Path | None = None) -> dict[str, dict[str, int]]:
    """population -> role -> weight."""
    fit: dict[str, dict[str, int]] = {}
    with (path or ROLE_FIT_FILE).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            fit.setdefault(row["population"], {})[row["role"]] = int(row["weight"])
    return fit


@dataclass(frozen=True)
class Needs:
    """What the member needs and prefers."""

    language: str = ""
    populations: tuple[str, ...] = ()
    preferred_role: str = ""
    exclude_ids: tuple[int, ...] = ()  # e.g. the care manager the member asked to switch away from


@dataclass(frozen=True)
class Candidate:
    """A care manager on the roster, with their current caseload."""

    id: int
    role: str
    languages: tuple[str, ...]
    populations: tuple[str, ...]
    caseload: int
    max_caseload: int | None


@dataclass(frozen=True)
class Match:
    candidate_id: int
    score: float
    reasons: tuple[str, ...]
    full: bool

    @property
    def headroom_note(self) -> str:
        return "caseload full" if self.full else ""


def headroom(candidate: Candidate) -> float:
    """Share of the caseload still free (1.0 when no maximum is set)."""
    if not candidate.max_caseload:
        return 1.0
    return max(0.0, (candidate.max_caseload - candidate.caseload) / candidate.max_caseload)


def score(needs: Needs, candidate: Candidate, role_fit: Mapping[str, Mapping[str, int]]) -> Match:
    """Points for each criterion met, plus the free share of the caseload as the tie-breaker."""
    points, reasons = 0.0, []
    if needs.language and language_code(needs.language) in {language_code(x) for x in candidate.languages}:
        points += LANGUAGE_POINTS
        reasons.append("speaks the member's language")
    shared = sorted(set(needs.populations) & set(candidate.populations))
    if shared:
        points += POPULATION_POINTS
        reasons.append("experienced with " + ", ".join(shared))
    fit = max((role_fit.get(p, {}).get(candidate.role, 0) for p in needs.populations), default=0)
    if fit:
        points += fit
        reasons.append("role fits the member's population")
    if needs.preferred_role and needs.preferred_role == candidate.role:
        points += PREFERRED_ROLE_POINTS
        reasons.append("the role the member asked for")
    free = headroom(candidate)
    full = candidate.max_caseload is not None and candidate.caseload >= candidate.max_caseload
    return Match(candidate.id, points + free, tuple(reasons), full)


def rank(needs: Needs, candidates: Iterable[Candidate],
         role_fit: Mapping[str, Mapping[str, int]] | None = None) -> list[Match]:
    """Candidates best first; those with a full caseload after all others; excluded ids left out."""
    fit = load_role_fit() if role_fit is None else role_fit
    matches = [score(needs, c, fit) for c in candidates if c.id not in needs.exclude_ids]
    return sorted(matches, key=lambda m: (m.full, -m.score, m.candidate_id))


def best(needs: Needs, candidates: Sequence[Candidate],
         role_fit: Mapping[str, Mapping[str, int]] | None = None) -> Match | None:
    """The best candidate with room, or None when everyone is full (a person decides then)."""
    ranked = rank(needs, candidates, role_fit)
    return next((m for m in ranked if not m.full), None)
