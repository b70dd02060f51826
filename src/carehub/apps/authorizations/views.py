"""The UM worklist and the review page with its decision form. Plan UM (and admin) only: navigation.allowed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations import equity, renewals, selectors, services
from carehub.apps.authorizations.models import AuthorizationRequest, Decision
from carehub.apps.notices.models import Notice
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
    return render(request, "authorizations/worklist.html", {"lines": lines, "counts": counts,
                                                            "to_confirm": renewals.to_confirm(request.user)})


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
    from carehub.apps.notices.cases import appealable  # notices imports authorizations' models

    return render(request, "authorizations/review.html",
                  {"page": page, "a": page.request, "error": error, "decisions": Decision.choices[1:],
                   "appealable": not page.request.is_pending and appealable(page.request),
                   "notices": list(Notice.objects.filter(authorization=page.request).defer("pdf")),
                   "cases": list(page.request.cases.all()),
                   "default_months": services.plan_authorization_months(), "post": request.POST},
                  status=400 if error else 200)


# ---- reauthorization, presumptive confirmation, equity ---------------------------------------------------------

@require_GET
def reauthorizations(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user.role, "reauthorizations"):
        raise PermissionDenied
    rows = renewals.ending_soon(request.user)
    record(actor=request.user, action=Action.SEARCH, object_type="AuthorizationRequest", route=request.path,
           detail={"ids": [a.pk for a in rows], "list": "ending within 30 days"})
    return render(request, "authorizations/reauthorizations.html",
                  {"rows": rows, "days": renewals.REAUTHORIZATION_WINDOW_DAYS})


@require_POST
def reauthorize(request: HttpRequest, request_id: int) -> HttpResponse:
    if not allowed(request.user.role, "reauthorizations"):
        raise PermissionDenied
    previous = get_object_or_404(AuthorizationRequest, pk=request_id)
    try:
        renewal = renewals.request_reauthorization(previous, actor=request.user,
                                                   reassessment=request.POST.get("reassessment", ""))
    except services.DecisionError as problem:
        return render(request, "notices/case_error.html", {"error": str(problem)}, status=400)
    return redirect("authorizations:review", request_id=renewal.pk)


@require_POST
def confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    _require(request)
    presumptive = get_object_or_404(AuthorizationRequest, pk=request_id)
    try:
        renewals.confirm_presumptive(presumptive, actor=request.user, confirm=request.POST.get("confirm") == "yes",
                                     reasons=request.POST.get("reasons", ""))
    except services.DecisionError as problem:
        return render(request, "notices/case_error.html", {"error": str(problem)}, status=400)
    return redirect("authorizations:review", request_id=request_id)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def equity_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user.role, "equity"):
        raise PermissionDenied
    since, until = _day(request.GET.get("since", "")[:10]), _day(request.GET.get("until", "")[:10])
    report = equity.equity_report(since, until)
    as_csv = request.GET.get("format") == "csv"
    record(actor=request.user, action=Action.EXPORT if as_csv else Action.SEARCH, object_type="EquityReport",
           route=request.get_full_path()[:300], detail={"since": str(since or ""), "until": str(until or "")})
    if as_csv:
        response = HttpResponse(equity.equity_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="authorization-equity.csv"'
        return response
    return render(request, "authorizations/equity.html",
                  {"report": [(equity.DIMENSIONS[d], rows) for d, rows in report.items()],
                   "since": since, "until": until, "query": request.GET.urlencode()})
