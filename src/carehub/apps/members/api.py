"""GET /api/members?q=... and GET /api/members/{person_id}: the same scoping and audit as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from carehub.apps.members import selectors

router = Router(tags=["members"])


class MemberSummary(Schema):
    person_id: str
    member_id: str
    first_name: str
    last_name: str
    birth_date: date
    county: str


class SearchOut(Schema):
    results: list[MemberSummary]
    has_more: bool


class Span(Schema):
    start_date: date
    end_date: date | None = None


class EligibilityOut(Span):
    plan: str
    county: str
    aid_code: str


class ProgramOut(Span):
    program: str
    source: str


class HousingOut(Span):
    status: str


class IncarcerationOut(Schema):
    facility_type: str
    admission_date: date | None = None
    release_date: date | None = None
    expected_release_date: date | None = None


class AssessmentOut(Schema):
    kind: str
    value: str
    assessed_on: date


class ClaimLineOut(Schema):
    claim_id: str
    claim_line_number: int
    claim_type: str | None = None
    claim_start_date: date | None = None
    hcpcs_code: str | None = None
    diagnosis_code_1: str | None = None
    billing_npi: str | None = None
    paid_amount: float | None = None


class MemberOut(MemberSummary):
    gender: str
    preferred_language: str
    pcp_npi: str
    eligibility: list[EligibilityOut]
    programs: list[ProgramOut]
    housing: list[HousingOut]
    incarceration: list[IncarcerationOut]
    assessments: list[AssessmentOut]
    recent_claims: list[ClaimLineOut]
    withheld_note: str
    part2_withheld: bool = False  # 42 CFR Part 2 records left out: the same answer whether or not any exist
    part2_notice: str = ""  # the "withheld" placeholder, or the 42 CFR 2.32 notice when shown under consent


@router.get("", response=SearchOut, summary="Search members by name, CIN or date of birth")
def search_members(request: HttpRequest, q: str = "", dob: date | None = None) -> dict[str, Any]:
    query = selectors.MemberQuery(text=q.strip()[:100], birth_date=dob)
    page = selectors.audited_search(request.auth, query, route=request.get_full_path())
    return {"results": page.members, "has_more": page.has_more}


@router.get("/{person_id}", response=MemberOut, summary="One member's record")
def get_member(request: HttpRequest, person_id: str) -> dict[str, Any]:
    member = selectors.audited_member(request.auth, person_id, route=request.path)
    if member is None:
        raise Http404
    record = selectors.member_record(request.auth, member)
    return {
        **{f: getattr(member, f) for f in MemberSummary.model_fields},
        "gender": member.gender, "preferred_language": member.preferred_language,
        "pcp_npi": record.current_pcp_npi,
        "eligibility": record.eligibility, "programs": record.programs, "housing": record.housing,
        "incarceration": record.incarceration, "assessments": record.assessments,
        "recent_claims": [{**c, "claim_id": str(c["claim_id"]),
                           "paid_amount": float(c["paid_amount"]) if c.get("paid_amount") is not None else None}
                          for c in record.claims],
        "withheld_note": record.part2_note,
        "part2_withheld": record.part2_withheld,
        "part2_notice": record.part2_placeholder or record.redisclosure_notice,
    }
