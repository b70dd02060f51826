"""Engagement pages: the provider's ECM worklist, one member's engagement page (outreach, enrollment, Lead Care
Manager, core-service activities, care team), the plan's list of members not engaged, and the monthly contact
report (page and CSV). Views parse, authorize (web.navigation.allowed), and call selectors and services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from carehub.apps.assignments.models import Assignment
from carehub.apps.engagement import otf, reports, selectors, services
from carehub.apps.engagement.models import (
    ActivityMode,
    CareTeamMember,
    CareTeamRole,
    CoreService,
    EnrollmentStatus,
    OutreachMethod,
    OutreachOutcome,
)
from carehub.apps.engagement.policy import outreach_policy
from carehub.apps.members.selectors import organization_npis
from carehub.apps.providers.models import CareManager
from carehub.domain import outreach
from carehub.web.navigation import allowed
from carehub.web.problems import refused

WORKLIST_KEY = "ecm-worklist"
NOT_ENGAGED_KEY = "not-engaged"
MONTHLY_KEY = "monthly-contacts"
REPORT_MONTHS = 6  # the report's default period: the last six complete months


def _require(request: HttpRequest, *keys: str) -> None:
    if not any(allowed(request.user.role, key) for key in keys):
        raise PermissionDenied


def _int(value: str, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _day(value: str) -> date:
    """A date from a form (today when empty); a bad date is a refusal the user sees."""
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError as problem:
        raise services.EngagementError("Enter the date as YYYY-MM-DD.") from problem


def _month(value: str, default: date) -> date:
    try:
        return date.fromisoformat(f"{value}-01") if value else default
    except ValueError:
        return default


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    _require(request, WORKLIST_KEY)
    status = request.GET.get("status", "")
    page = selectors.audited_worklist(
        request.user, route=request.path, page=_int(request.GET.get("page", "1")),
        mine=request.GET.get("mine") == "1", status=status if status in EnrollmentStatus.values else "",
        behind=request.GET.get("behind") == "1")
    return render(request, "engagement/worklist.html", {
        "npis": organization_npis(request.user.organization_id), "period": timezone.localdate().strftime("%Y-%m"),
        "page": page, "statuses": EnrollmentStatus.choices, "status": status,
        "mine": request.GET.get("mine") == "1", "behind": request.GET.get("behind") == "1",
        "is_lcm": selectors.own_care_manager(request.user) is not None, "today": timezone.localdate()})


def _scoped(request: HttpRequest, assignment_id: int) -> Assignment:
    assignment = selectors.audited_engagement(request.user, assignment_id, route=request.path)
    if assignment is None:
        raise Http404
    return assignment


def _ending(assignment: Assignment) -> Any:
    """The confirmed discontinuation whose date of action has not come (the provider keeps serving until then)."""
    from carehub.apps.discontinuation.models import Discontinuation  # it imports this app

    return Discontinuation.objects.ending().filter(assignment=assignment).only("pk", "effective_on").first()


def _detail_context(request: HttpRequest, assignment: Assignment) -> dict[str, Any]:
    detail = selectors.engagement_detail(request.user, assignment)
    return {"d": detail, "f": detail.facts, "member": assignment.member, "today": timezone.localdate(),
            "ending": _ending(assignment),
            "methods": OutreachMethod.choices, "outcomes": OutreachOutcome.choices,
            "components": CoreService.choices, "modes": ActivityMode.choices, "team_roles": CareTeamRole.choices,
            "can_write": request.user.is_provider_staff and assignment.is_open,
            "deadline": outreach.deadline(timezone.localdate(assignment.assigned_at), detail.policy)}


@require_GET
def detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _require(request, WORKLIST_KEY, NOT_ENGAGED_KEY)
    assignment = _scoped(request, assignment_id)
    return render(request, "engagement/detail.html", _detail_context(request, assignment))


def _write(request: HttpRequest, assignment_id: int,
           action: Callable[[Assignment], str]) -> HttpResponse:
    """Run one provider write; on refusal show the page again with the reason (400), else go back to it."""
    _require(request, WORKLIST_KEY)
    if not request.user.is_provider_staff:
        raise PermissionDenied
    assignment = _scoped(request, assignment_id)
    try:
        done = action(assignment)
    except services.EngagementError as problem:
        context = _detail_context(request, assignment)
        context["error"] = str(problem)
        # The refused form comes back as typed (a walk-through lost every field on a date in the future).
        form = {"outreach": "o", "activity": "act", "status": "st", "lead": "lead"}.get(
            getattr(request.resolver_match, "url_name", ""))
        if form:
            context[form] = request.POST
        return render(request, "engagement/detail.html", context, status=400)
    if done:
        messages.success(request, done)
    return redirect("engagement:detail", assignment_id=assignment.pk)


def _care_manager(assignment: Assignment, value: str) -> CareManager | None:
    if not value:
        return None
    cm = CareManager.objects.filter(pk=_int(value, 0), provider__npi=assignment.provider_npi).first()
    if cm is None:
        raise services.EngagementError("That care manager is not on this provider's roster.")
    return cm


@require_POST
def add_outreach(request: HttpRequest, assignment_id: int) -> HttpResponse:
    p = request.POST

    def action(a: Assignment) -> str:
        _, warning = services.record_outreach(
            a, actor=request.user, attempted_on=_day(p.get("attempted_on", "")), method=p.get("method", ""),
            outcome=p.get("outcome", ""), location=p.get("location", ""), minutes=_int(p.get("minutes", "0"), -1),
            care_manager=_care_manager(a, p.get("care_manager", "")), note=p.get("note", ""))
        if warning:
            messages.warning(request, warning)
        return "Outreach attempt recorded."
    return _write(request, assignment_id, action)


@require_POST
def change_status(request: HttpRequest, assignment_id: int) -> HttpResponse:
    p = request.POST
    steps = {"enroll": lambda a: services.enroll(a, actor=request.user, on=_day(p.get("on", ""))),
             "decline": lambda a: services.decline(a, actor=request.user, on=_day(p.get("on", "")),
                                                   reason=p.get("reason", "")),
             "stop": lambda a: services.stop(a, actor=request.user, on=_day(p.get("on", "")),
                                             reason=p.get("reason", "")),
             "unreachable": lambda a: services.mark_unreachable(a, actor=request.user)}
    step = steps.get(p.get("action", ""))
    if step is None:
        return refused(request, "Choose a change of status.")

    def action(a: Assignment) -> str:
        enrollment = step(a)
        return f"Status: {enrollment.get_status_display()}."
    return _write(request, assignment_id, action)


@require_POST
def set_preference(request: HttpRequest, assignment_id: int) -> HttpResponse:
    def action(a: Assignment) -> str:
        services.set_preferred_method(a, request.POST.get("method", ""), actor=request.user)
        return "Contact preference saved."
    return _write(request, assignment_id, action)


@require_POST
def set_lead(request: HttpRequest, assignment_id: int) -> HttpResponse:
    p = request.POST

    def action(a: Assignment) -> str:
        cm = _care_manager(a, p.get("care_manager", ""))
        if cm is None:
            raise services.EngagementError("Choose a care manager.")
        services.assign_lead_care_manager(a, cm, actor=request.user, on=_day(p.get("on", "")),
                                          reason=p.get("reason", ""),
                                          member_requested=p.get("member_requested") == "on")
        return f"{cm.name} is now the Lead Care Manager."
    return _write(request, assignment_id, action)


@require_POST
def add_activity(request: HttpRequest, assignment_id: int) -> HttpResponse:
    p = request.POST

    def action(a: Assignment) -> str:
        services.record_activity(a, actor=request.user, occurred_on=_day(p.get("occurred_on", "")),
                                 component=p.get("component", ""), mode=p.get("mode", ""),
                                 minutes=_int(p.get("minutes", ""), -1),
                                 care_manager=_care_manager(a, p.get("care_manager", "")),
                                 staff_name=p.get("staff_name", ""), note=p.get("note", ""))
        return "Activity recorded."
    return _write(request, assignment_id, action)


@require_POST
def add_team_member(request: HttpRequest, assignment_id: int) -> HttpResponse:
    p = request.POST

    def action(a: Assignment) -> str:
        services.add_care_team_member(a, actor=request.user, role=p.get("role", ""),
                                      care_manager=_care_manager(a, p.get("care_manager", "")),
                                      name=p.get("name", ""), organization=p.get("organization", ""),
                                      npi=p.get("npi", ""), contact=p.get("contact", ""), note=p.get("note", ""))
        return "Care team member added."
    return _write(request, assignment_id, action)


@require_POST
def end_team_member(request: HttpRequest, assignment_id: int, row_id: int) -> HttpResponse:
    def action(a: Assignment) -> str:
        row = CareTeamMember.objects.filter(pk=row_id, assignment=a).first()
        if row is None:
            raise Http404
        services.end_care_team_member(row, actor=request.user)
        return "Care team member removed."
    return _write(request, assignment_id, action)


# ---- the plan's side ----------------------------------------------------------------------------------------

@require_GET
def not_engaged(request: HttpRequest) -> HttpResponse:
    _require(request, NOT_ENGAGED_KEY)
    rows = reports.audited_not_engaged(request.user, route=request.path,
                                       include_routed=request.GET.get("routed") == "1")
    return render(request, "engagement/not_engaged.html", {"rows": rows, "routed": request.GET.get("routed") == "1"})


@require_POST
def route(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _require(request, NOT_ENGAGED_KEY)
    if not request.user.is_plan_staff:
        raise PermissionDenied
    assignment = _scoped(request, assignment_id)
    try:
        services.route_to_other_care_management(assignment, actor=request.user,
                                                routed_to=request.POST.get("routed_to", ""))
    except services.EngagementError as problem:
        return refused(request, str(problem))
    messages.success(request, "Routing recorded.")
    return redirect("engagement:not-engaged")


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    """The monthly contact report: gaps (months of enrollment below the plan's minimum) by member; CSV too."""
    _require(request, MONTHLY_KEY)
    today = timezone.localdate()
    last_complete = outreach.month_start(outreach.month_start(today) - timedelta(days=1))
    default_first = last_complete
    for _ in range(REPORT_MONTHS - 1):
        default_first = outreach.month_start(default_first - timedelta(days=1))
    first = _month(request.GET.get("from", ""), default_first)
    last = max(first, _month(request.GET.get("to", ""), last_complete))
    gaps_only = request.GET.get("all") != "1"
    try:
        lines = reports.audited_monthly_contacts(request.user, route=request.path, first_month=first,
                                                 last_month=last, gaps_only=gaps_only)
    except ValueError as problem:
        return refused(request, str(problem))
    minimum = outreach_policy().monthly_minimum_contacts
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.monthly_contacts_csv(lines, minimum), content_type="text/csv")
        response["Content-Disposition"] = (f'attachment; filename="monthly-contacts-{first:%Y-%m}-to-{last:%Y-%m}'
                                           f'.csv"')
        return response
    return render(request, "engagement/monthly.html", {
        "lines": lines, "first": first, "last": last, "months": outreach.months_between(first, last),
        "minimum": minimum, "gaps_only": gaps_only})


@require_GET
def otf_download(request: HttpRequest) -> HttpResponse:
    """The provider's Outreach Tracker File for a month, built from the attempts recorded in CareHub."""
    _require(request, WORKLIST_KEY)
    npi = request.GET.get("npi", "")
    if not request.user.is_provider_staff or npi not in organization_npis(request.user.organization_id):
        raise Http404
    first = _month(request.GET.get("period", ""), outreach.month_start(timezone.localdate()))
    try:
        reports.check_period(first, first)
    except ValueError as problem:
        return refused(request, str(problem))
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    data = otf.otf_bytes(npi, first, last, actor=request.user)
    return FileResponse(data, as_attachment=True, filename=f"OTF_{npi}_{first:%Y-%m}.xlsx")


@require_GET
def outreach_summary(request: HttpRequest) -> HttpResponse:
    """Outreach by provider for a period (default: this quarter to date), page and CSV: what the plan tracks and
    reports to DHCS (seed 003 12.a)."""
    _require(request, MONTHLY_KEY, NOT_ENGAGED_KEY)
    today = timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    try:
        first = date.fromisoformat(request.GET.get("from", "") or quarter_start.isoformat())
        last = date.fromisoformat(request.GET.get("to", "") or today.isoformat())
        reports.check_period(outreach.month_start(first), outreach.month_start(last))
    except ValueError as problem:
        return refused(request, str(problem) or "Enter dates as YYYY-MM-DD.")
    lines = reports.audited_outreach_summary(request.user, route=request.path, first=first, last=last)
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.outreach_summary_csv(lines), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="outreach-summary-{first}-to-{last}.csv"'
        return response
    return render(request, "engagement/outreach_summary.html", {
        "lines": lines, "first": first, "last": last, "methods": OutreachMethod.choices})
