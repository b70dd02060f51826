"""The UM worklist and the review page with its decision form. Plan UM (and admin) only: navigation.allowed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carehub.apps.authorizations import selectors, services
from carehub.apps.authorizations.models import Decision
from carehub.web.navigation import allowed

MENU_KEY = "authorizations"


def _require(request: HttpRequest) -> None:
    if not allowed(request.user.role, MENU_KEY):
        raise PermissionDenied


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    _require(request)
    lines = selectors.audited_worklist(request.user, route=request.path)
    counts = {"overdue": sum(line.state == "overdue" for line in lines),
              "today": sum(line.state == "due today" for line in lines)}
    return render(request, "authorizations/worklist.html", {"lines": lines, "counts": counts})


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        raise services.DecisionError("dates must be YYYY-MM-DD") from None


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, request_id: int) -> HttpResponse:
    _require(request)
    error = ""
    if request.method == "POST":
        page = selectors.audited_review(request.user, request_id, route=request.path)
        if page is None:
            raise Http404
        try:
            data = services.DecisionInput(decision=request.POST.get("decision", ""),
                                          reasons=request.POST.get("reasons", ""),
                                          start_date=_date(request.POST.get("start_date", "")),
                                          end_date=_date(request.POST.get("end_date", "")))
            services.decide(page.request, data, actor=request.user)
        except services.DecisionError as problem:
            error = str(problem)
        else:
            return redirect("authorizations:review", request_id=request_id)
    page = selectors.audited_review(request.user, request_id, route=request.path)
    if page is None:
        raise Http404
    return render(request, "authorizations/review.html",
                  {"page": page, "a": page.request, "error": error, "decisions": Decision.choices[1:],
                   "default_months": services.plan_authorization_months(), "post": request.POST},
                  status=400 if error else 200)
