"""The home page of each role, the health check and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carehub.apps.accounts.models import Role
from carehub.web.navigation import menu_for

# What each role does here, shown on its home page (DESIGN.md "Who uses it").
ROLE_INTRO: dict[str, str] = {
    Role.PLAN_CARE_COORDINATION: "Find members, review their coverage, programs and recent care, and coordinate "
                                 "Enhanced Care Management and Community Supports.",
    Role.PLAN_UTILIZATION_MANAGEMENT: "Look up members to review authorizations and their recent utilization.",
    Role.PLAN_PROVIDER_RELATIONS: "Look up members and the providers that serve them.",
    Role.PLAN_COMPLIANCE_FINANCE: "Search the audit log of every view and change of member information, and "
                                  "check that it is intact.",
    Role.PLAN_ADMIN: "Administer CareHub for the plan: members, audit log, background jobs and security.",
    Role.ECM_PROVIDER_STAFF: "Find the members your organization serves and review their records.",
    Role.LEAD_CARE_MANAGER: "Find the members on your caseload and review their records.",
    Role.CS_PROVIDER_STAFF: "Find the members referred to your Community Supports services.",
    Role.MEMBER: "See your Medi-Cal coverage, programs and recent care with the plan.",
}


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    tiles = [item for item in menu_for(user.role) if item.key != "home"]
    context = {"intro": ROLE_INTRO.get(user.role, ""), "tiles": tiles,
               "can_search": any(t.key == "members" for t in tiles),
               "two_step_on": user.is_verified()}
    return render(request, "web/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)
