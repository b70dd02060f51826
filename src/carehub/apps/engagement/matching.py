"""Suggesting a Lead Care Manager for a member from the provider's roster (domain.care_team), with caseloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from carehub.apps.providers.models import CareManager
from carehub.domain import care_team

if TYPE_CHECKING:
    from carehub.apps.engagement.selectors import Facts


@dataclass(frozen=True)
class Suggestion:
    care_manager: CareManager
    match: care_team.Match
    caseload: int


def suggestions_for(facts: Facts, roster: list[CareManager], *, preferred_role: str = "") -> list[Suggestion]:
    """The roster ranked for this member: language, population, role fit, caseload headroom; the current Lead
    Care Manager is left out (a switch looks for someone else). One query (caseloads)."""
    from carehub.apps.engagement.selectors import caseload_counts

    counts = caseload_counts(cm.pk for cm in roster)
    needs = care_team.Needs(language=facts.assignment.member.preferred_language,
                            populations=tuple(code for code, _ in facts.populations) or
                            ((facts.assignment.population,) if facts.assignment.population else ()),
                            preferred_role=preferred_role,
                            exclude_ids=(facts.lead.pk,) if facts.lead else ())
    by_id = {cm.pk: cm for cm in roster}
    candidates = [care_team.Candidate(cm.pk, cm.role, tuple(cm.languages or ()), tuple(cm.populations or ()),
                                      counts.get(cm.pk, 0), cm.max_caseload) for cm in roster]
    return [Suggestion(by_id[m.candidate_id], m, counts.get(m.candidate_id, 0))
            for m in care_team.rank(needs, candidates)]
