"""/api/engagement: the ECM worklist, one member's engagement, and the provider's writes (outreach attempts,
enrollment changes, Lead Care Manager, core-service activities, care team); the plan's not-engaged list and
routing; the monthly contact gaps. Scoped by selectors and audited like the pages."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from carehub.apps.assignments.models import Assignment
from carehub.apps.engagement import otf, reports, selectors, services
from carehub.apps.engagement.policy import outreach_policy
from carehub.apps.engagement.selectors import Facts
from carehub.apps.members.selectors import organization_npis
from carehub.apps.providers.models import CareManager

router = Router(tags=["engagement"])


class FactsOut(Schema):
    assignment: int
    person_id: str
    cin: str
    name: str
    provider_npi: str
    status: str
    populations: list[str]
    evidence: list[str]
    needs: list[str]
    unsheltered: bool
    released_on: date | None
    preferred_language: str
    phone: str
    email: str
    attempts: int
    attempts_required: int
    days_left: int
    outreach_state: str
    behind: int
    warning: str
    last_contact: date | None
    lead_care_manager: str
    routed_to: str


class WorklistOut(Schema):
    page: int
    pages: int
    total: int
    rows: list[FactsOut]


class OutreachIn(Schema):
    attempted_on: date
    method: str
    outcome: str
    location: str = ""
    minutes: int = 0
    care_manager: int | None = None
    note: str = ""


class OutreachOut(Schema):
    id: int
    warning: str
    status: str


class StatusIn(Schema):
    action: str  # enroll | decline | stop | unreachable
    on: date | None = None
    reason: str = ""


class LeadIn(Schema):
    care_manager: int
    on: date | None = None
    reason: str = ""
    member_requested: bool = False


class ActivityIn(Schema):
    occurred_on: date
    component: str
    mode: str
    minutes: int
    care_manager: int | None = None
    note: str = ""


class CareTeamIn(Schema):
    role: str
    care_manager: int | None = None
    name: str = ""
    organization: str = ""
    npi: str = ""
    contact: str = ""
    note: str = ""


class RouteIn(Schema):
    routed_to: str


class IdOut(Schema):
    id: int


class GapOut(Schema):
    assignment: int
    person_id: str
    cin: str
    provider_npi: str
    enrolled_on: date
    gaps: list[str]


def _facts(f: Facts, required: int) -> dict[str, Any]:
    m = f.member
    return {"assignment": f.assignment.pk, "person_id": m.person_id, "cin": m.member_id, "name": m.display_name,
            "provider_npi": f.assignment.provider_npi, "status": f.status,
            "populations": [code for code, _ in f.populations], "evidence": f.evidence, "needs": f.needs,
            "unsheltered": f.unsheltered, "released_on": f.released_on, "preferred_language": m.preferred_language,
            "phone": m.phone, "email": m.email, "attempts": f.attempts_made, "attempts_required": required,
            "days_left": f.days_left, "outreach_state": str(f.state), "behind": f.behind, "warning": f.warning,
            "last_contact": f.last_contact, "lead_care_manager": f.lead.name if f.lead else "",
            "routed_to": f.enrollment.routed_to if f.enrollment else ""}


def _scoped(request: HttpRequest, assignment_id: int, *, write: bool = True) -> Assignment:
    assignment = selectors.audited_engagement(request.auth, assignment_id, route=request.path)
    if assignment is None:
        raise Http404
    if write and not request.auth.is_provider_staff:
        raise PermissionDenied
    return assignment


def _roster(assignment: Assignment, care_manager_id: int | None) -> CareManager | None:
    if care_manager_id is None:
        return None
    cm = CareManager.objects.filter(pk=care_manager_id, provider__npi=assignment.provider_npi).first()
    if cm is None:
        raise services.EngagementError("That care manager is not on this provider's roster.")
    return cm


def _refusal(problem: Exception) -> Status:
    return Status(400, {"detail": str(problem)})


@router.get("/worklist", response=WorklistOut, summary="Assigned members, most immediate needs first")
def worklist(request: HttpRequest, page: int = 1, mine: bool = False, status: str = "",
             behind: bool = False) -> dict[str, Any]:
    if not request.auth.is_provider_staff:  # a provider's list; the plan reads /not-engaged and /monthly-gaps
        raise Http404
    result = selectors.audited_worklist(request.auth, route=request.path, page=page, mine=mine, status=status,
                                        behind=behind)
    required = result.policy.required_attempts
    return {"page": result.page, "pages": result.pages, "total": result.total,
            "rows": [_facts(f, required) for f in result.rows]}


@router.get("/assignments/{assignment_id}", response=FactsOut, summary="One member's engagement")
def engagement(request: HttpRequest, assignment_id: int) -> dict[str, Any]:
    assignment = _scoped(request, assignment_id, write=False)
    detail = selectors.engagement_detail(request.auth, assignment)
    return _facts(detail.facts, detail.policy.required_attempts)


@router.post("/assignments/{assignment_id}/outreach", response={201: OutreachOut, 400: dict})
def outreach(request: HttpRequest, assignment_id: int, body: OutreachIn) -> Any:
    a = _scoped(request, assignment_id)
    try:
        attempt, warning = services.record_outreach(
            a, actor=request.auth, attempted_on=body.attempted_on, method=body.method, outcome=body.outcome,
            location=body.location, minutes=body.minutes, care_manager=_roster(a, body.care_manager), note=body.note)
    except services.EngagementError as problem:
        return _refusal(problem)
    return Status(201, {"id": attempt.pk, "warning": warning, "status": selectors.enrollment_status(a)})


@router.post("/assignments/{assignment_id}/status", response={200: dict, 400: dict})
def status(request: HttpRequest, assignment_id: int, body: StatusIn) -> Any:
    a = _scoped(request, assignment_id)
    on = body.on or timezone.localdate()
    steps = {"enroll": lambda: services.enroll(a, actor=request.auth, on=on),
             "decline": lambda: services.decline(a, actor=request.auth, on=on, reason=body.reason),
             "stop": lambda: services.stop(a, actor=request.auth, on=on, reason=body.reason),
             "unreachable": lambda: services.mark_unreachable(a, actor=request.auth, on=body.on)}
    if body.action not in steps:
        return Status(400, {"detail": "action must be enroll, decline, stop or unreachable"})
    try:
        enrollment = steps[body.action]()
    except services.EngagementError as problem:
        return _refusal(problem)
    return Status(200, {"status": enrollment.status})


@router.post("/assignments/{assignment_id}/lead-care-manager", response={201: IdOut, 400: dict})
def lead(request: HttpRequest, assignment_id: int, body: LeadIn) -> Any:
    a = _scoped(request, assignment_id)
    try:
        cm = _roster(a, body.care_manager)
        if cm is None:
            raise services.EngagementError("Choose a care manager.")
        row = services.assign_lead_care_manager(a, cm, actor=request.auth, on=body.on, reason=body.reason,
                                                member_requested=body.member_requested)
    except services.EngagementError as problem:
        return _refusal(problem)
    return Status(201, {"id": row.pk})


@router.post("/assignments/{assignment_id}/activities", response={201: IdOut, 400: dict})
def activity(request: HttpRequest, assignment_id: int, body: ActivityIn) -> Any:
    a = _scoped(request, assignment_id)
    try:
        row = services.record_activity(a, actor=request.auth, occurred_on=body.occurred_on,
                                       component=body.component, mode=body.mode, minutes=body.minutes,
                                       care_manager=_roster(a, body.care_manager), note=body.note)
    except services.EngagementError as problem:
        return _refusal(problem)
    return Status(201, {"id": row.pk})


@router.post("/assignments/{assignment_id}/care-team", response={201: IdOut, 400: dict})
def care_team(request: HttpRequest, assignment_id: int, body: CareTeamIn) -> Any:
    a = _scoped(request, assignment_id)
    try:
        row = services.add_care_team_member(a, actor=request.auth, role=body.role,
                                            care_manager=_roster(a, body.care_manager), name=body.name,
                                            organization=body.organization, npi=body.npi, contact=body.contact,
                                            note=body.note)
    except services.EngagementError as problem:
        return _refusal(problem)
    return Status(201, {"id": row.pk})


@router.get("/not-engaged", response=list[FactsOut], summary="Members to route to other care management (plan)")
def not_engaged(request: HttpRequest, include_routed: bool = False) -> list[dict[str, Any]]:
    if not request.auth.is_plan_staff:
        raise Http404
    required = outreach_policy().required_attempts
    return [_facts(f, required) for f in reports.audited_not_engaged(request.auth, route=request.path,
                                                                     include_routed=include_routed)]


@router.post("/assignments/{assignment_id}/route", response={200: dict, 400: dict})
def route(request: HttpRequest, assignment_id: int, body: RouteIn) -> Any:
    if not request.auth.is_plan_staff:
        raise Http404
    a = _scoped(request, assignment_id, write=False)
    try:
        enrollment = services.route_to_other_care_management(a, actor=request.auth, routed_to=body.routed_to)
    except services.EngagementError as problem:
        return _refusal(problem)
    return Status(200, {"routed_to": enrollment.routed_to, "routed_on": enrollment.routed_on})


@router.get("/monthly-gaps", response={200: list[GapOut], 400: dict},
            summary="Enrolled members with a month below the minimum contact")
def monthly_gaps(request: HttpRequest, first_month: date, last_month: date) -> Any:
    if not (request.auth.is_plan_staff or request.auth.is_provider_staff):
        raise PermissionDenied
    try:
        lines = reports.audited_monthly_contacts(request.auth, route=request.path, first_month=first_month,
                                                 last_month=last_month)
    except ValueError as problem:
        return Status(400, {"detail": str(problem)})
    return Status(200, [{"assignment": line.assignment_id, "person_id": line.person_id, "cin": line.cin,
             "provider_npi": line.provider_npi, "enrolled_on": line.enrolled_on,
             "gaps": [m.strftime("%Y-%m") for m in line.gaps]} for line in lines])


@router.get("/otf", summary="Download the Outreach Tracker File (.xlsx) of a month's attempts recorded in CareHub")
def otf_file(request: HttpRequest, npi: str, period: str) -> FileResponse:
    if not request.auth.is_provider_staff or npi not in organization_npis(request.auth.organization_id):
        raise Http404
    try:
        first = date.fromisoformat(f"{period}-01")
        reports.check_period(first, first)
    except ValueError as problem:
        raise Http404 from problem
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return FileResponse(otf.otf_bytes(npi, first, last, actor=request.auth), as_attachment=True,
                        filename=f"OTF_{npi}_{period}.xlsx")
