"""/api/careplans: reassessments due, a member's care plan with its versions, one version (JSON or the member's
PDF), and the member's own current plan. Scoped by selectors and audited like the pages; writes go through the
pages' services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema

from carehub.apps.careplans import selectors
from carehub.apps.careplans.models import CarePlanVersion
from carehub.apps.careplans.views import pdf_response
from carehub.apps.notices.letters import LETTER_LANGUAGES, letter_language

router = Router(tags=["careplans"])


class DueOut(Schema):
    person_id: str
    cin: str
    due: date
    state: str


class VersionSummaryOut(Schema):
    number: int
    finalized_at: datetime
    summary: str


class PlanOut(Schema):
    id: int
    person_id: str
    provider_npi: str
    status: str
    ltss_needs: bool
    reassessment_due: date | None
    versions: list[VersionSummaryOut]


class VersionOut(Schema):
    plan: int
    number: int
    finalized_at: datetime
    ltss_needs: bool
    content: dict[str, Any]


def _version(v: CarePlanVersion) -> dict[str, Any]:
    return {"plan": v.care_plan_id, "number": v.number, "finalized_at": v.finalized_at, "ltss_needs": v.ltss_needs,
            "content": v.content}


@router.get("/reassessments", response=list[DueOut],
            summary="Members whose reassessment is overdue or due soon (provider: assigned members; plan: all)")
def reassessments(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"person_id": line.member.person_id, "cin": line.member.member_id, "due": line.due,
             "state": str(line.state)} for line in selectors.audited_worklist(request.auth, route=request.path)]


@router.get("/members/{person_id}", response=PlanOut, summary="A member's current care plan and its versions")
def member_plan(request: HttpRequest, person_id: str) -> dict[str, Any]:
    member = selectors.audited_member(request.auth, person_id, route=request.path)
    plan = selectors.current_plan_for(request.auth, member) if member is not None else None
    if member is None or plan is None:
        raise Http404
    return {"id": plan.pk, "person_id": member.person_id, "provider_npi": plan.provider_npi, "status": plan.status,
            "ltss_needs": plan.ltss_needs,
            "reassessment_due": selectors.reassessment_due_dates([member.person_id]).get(member.person_id),
            "versions": [{"number": v.number, "finalized_at": v.finalized_at, "summary": v.summary}
                         for v in plan.versions.all()]}


@router.get("/plans/{plan_id}/versions/{number}", response=VersionOut, summary="One finalized version")
def version(request: HttpRequest, plan_id: int, number: int) -> dict[str, Any]:
    found = selectors.audited_version(request.auth, plan_id, number, route=request.path)
    if found is None:
        raise Http404
    return _version(found)


@router.get("/plans/{plan_id}/versions/{number}/pdf", summary="The member's copy as PDF (lang: en or es)")
def version_pdf(request: HttpRequest, plan_id: int, number: int, lang: str = "") -> HttpResponse:
    found = selectors.audited_version(request.auth, plan_id, number, route=request.path)
    if found is None:
        raise Http404
    language = lang or letter_language(found.care_plan.member.preferred_language)
    if language not in LETTER_LANGUAGES:
        raise Http404
    return pdf_response(found, language)
