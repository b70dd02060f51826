"""The identification pages: the worklist (members newly identified, still eligible or no longer identified), the
list of runs and a run's summary. Access follows the role menu (navigation.allowed); scoping of rows is in selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carehub.apps.identification import selectors
from carehub.web.navigation import allowed

MENU_KEY = "identification"


def _require(request: HttpRequest) -> None:
    if not allowed(request.user.role, MENU_KEY):
        raise PermissionDenied


def _int(value: str, default: int = 0) -> int:
    return int(value) if value.isdigit() and len(value) < 10 else default


def filters_from(request: HttpRequest) -> selectors.WorklistFilter:
    change = request.GET.get("change", "")
    return selectors.WorklistFilter(
        change=change if change in dict(selectors.CHANGES) else selectors.CHANGES[0][0],
        county=request.GET.get("county", "").strip()[:40],
        population=request.GET.get("population", "").strip()[:40],
        include_excluded=request.GET.get("excluded") == "1",
        after=_int(request.GET.get("after", "")))


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    _require(request)
    run_id = _int(request.GET.get("run", ""))
    run = selectors.run_by_id(run_id) if run_id else selectors.latest_run()
    if run_id and run is None:
        raise Http404
    filters = filters_from(request)
    page = selectors.audited_worklist(request.user, run, filters, route=request.get_full_path())
    populations, counties = selectors.filter_choices(run)
    context = {"page": page, "run": run, "filters": filters, "populations": populations, "counties": counties,
               "changes": selectors.CHANGES, "heading": dict(selectors.CHANGES)[filters.change],
               "provider_scope": request.user.is_provider_staff}
    template = "identification/_worklist_rows.html" if request.htmx else "identification/worklist.html"
    return render(request, template, context)


@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(request, "identification/runs.html", {"runs": selectors.latest_runs()})


@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _require(request)
    run = selectors.run_by_id(run_id)
    if run is None:
        raise Http404
    return render(request, "identification/run.html", {"run": run, "lines": selectors.run_summary(run)})
