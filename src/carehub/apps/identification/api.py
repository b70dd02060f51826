"""GET /api/identification/worklist and GET /api/identification/members/{person_id}: the same scoping and audit as
the pages (a provider's staff get only their related members)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from carehub.apps.identification import selectors
from carehub.apps.identification.models import IdentificationRun
from carehub.apps.members.selectors import audited_member
from carehub.domain.populations.labels import EXCLUSIONS
from carehub.domain.populations.leaving import Leaving

router = Router(tags=["identification"])


class RunOut(Schema):
    id: int
    as_of: date
    rule_version: str
    value_set_version: str
    # the plan-wide counts, for plan staff only (a provider's staff and members see only their own members' rows)
    people: int | None = None
    excluded_people: int | None = None
    new_people: int | None = None


def _run_out(user: Any, run: IdentificationRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    out: dict[str, Any] = {"id": run.pk, "as_of": run.as_of, "rule_version": run.rule_version,
                           "value_set_version": run.value_set_version}
    if user.is_plan_staff:
        out.update(people=run.people, excluded_people=run.excluded_people, new_people=run.new_people)
    return out


class WorklistLineOut(Schema):
    person_id: str
    cin: str
    county: str
    priority: int
    excluded: bool
    exclusion_reason: str
    continuity: bool
    populations: list[str]  # the populations of the change listed (new, still, or no longer met)
    still_identified: bool  # no longer met: still identified for another population this run
    # no longer met: why, REASON or REASON:date (domain/populations/leaving.py: DECEASED, NOT_ENROLLED, AGED_OUT,
    # CRITERIA), e.g. NOT_ENROLLED:2026-10-15; empty for runs stored before the reasons were kept
    leaving: list[str] = []
    score: float | None = None
    factors: list[str]  # why this priority: NAME=value (valuesets/priority_weights.csv; none for no longer met)


class WorklistOut(Schema):
    run: RunOut | None
    results: list[WorklistLineOut]
    next_after: int | None


class EvidenceOut(Schema):
    reference: str
    kind: str
    detail: str
    on: date | None = None


class PopulationOut(Schema):
    population: str
    change: str
    criteria: list[str]
    evidence: list[EvidenceOut]
    part2_placeholder: str = ""  # 42 CFR Part 2: substance use criteria and evidence withheld (no consent)


class MemberPopulationsOut(Schema):
    run: RunOut | None
    populations: list[PopulationOut]
    no_longer: list[str]
    no_longer_why: dict[str, str] = {}  # population: REASON or REASON:date (as the worklist's `leaving`)
    excluded: bool
    exclusion_reason: str
    priority: int | None = None
    part2_withheld: bool = False  # the same answer whether or not the member has any Part 2 records
    part2_notice: str = ""  # the "withheld" placeholder, or the 42 CFR 2.32 notice when shown under consent


def _populations(items: list[selectors.PopulationExplanation]) -> list[dict[str, Any]]:
    return [{"population": p.population, "change": p.change, "criteria": [c for c, _ in p.criteria],
             "evidence": p.evidence, "part2_placeholder": p.part2_placeholder} for p in items]


@router.get("/worklist", response=WorklistOut,
            summary="Members of the latest run newly identified (default), still eligible or no longer eligible, "
                    "most urgent first")
def worklist(request: HttpRequest, change: Literal["NEW", "STILL", "NO_LONGER"] = "NEW", county: str = "",
             population: str = "", include_excluded: bool = False, after: int = 0,
             limit: int = selectors.PAGE_SIZE, why: Leaving | None = None,
             exclusion: str = "") -> dict[str, Any]:
    """`exclusion`: only the members excluded for this reason (SELF_MANAGED, HOSPICE_OR_PALLIATIVE, ...: the
    output contract's exclusion codes); 422 for another."""
    if exclusion and exclusion not in EXCLUSIONS:
        raise HttpError(422, f"exclusion: unknown reason {exclusion[:40]!r}; one of {', '.join(EXCLUSIONS)}")
    filters = selectors.WorklistFilter(change=change, county=county[:40], population=population[:40],
                                       include_excluded=include_excluded, after=max(after, 0),
                                       why=why.value if why else "", exclusion=exclusion)
    run = selectors.latest_run()
    page = selectors.audited_worklist(request.auth, run, filters, route=request.get_full_path(), page_size=limit)
    return {"run": _run_out(request.auth, run), "next_after": page.next_after,
            "results": [{**line.__dict__, "populations": [code for code, _ in line.populations],
                         "factors": [code for code, _, _ in line.factors],
                         "leaving": [code for code, _ in line.leaving]}
                        for line in page.lines]}


@router.get("/members/{person_id}", response=MemberPopulationsOut, summary="Why a member qualifies, or not")
def member_populations(request: HttpRequest, person_id: str) -> dict[str, Any]:
    member = audited_member(request.auth, person_id, route=request.path)
    if member is None:
        raise Http404
    section = selectors.audited_member_populations(request.auth, member, route=request.path)
    return {"run": _run_out(request.auth, section.run), "populations": _populations(section.populations),
            "no_longer": [p.population for p in section.no_longer],
            "no_longer_why": {p.population: p.leaving_code for p in section.no_longer if p.leaving_code},
            "excluded": section.excluded,
            "exclusion_reason": section.exclusion_reason, "priority": section.priority,
            "part2_withheld": section.part2_withheld,
            "part2_notice": section.part2_placeholder or section.redisclosure_notice}
