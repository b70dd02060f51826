"""The identification pages: the worklist (members newly identified, still eligible or no longer eligible; its CSV
download), the list of runs and a run's summary. Access follows the role menu (navigation.allowed); scoping of rows
is in selectors."""

from __future__ import annotations

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carehub.apps.identification import selectors
from carehub.apps.identification.models import IdentificationRun
from carehub.domain.digits import ascii_digits
from carehub.domain.populations.labels import EXCLUSIONS
from carehub.domain.populations.leaving import LABELS as LEAVING_LABELS
from carehub.web.navigation import allowed
from carehub.web.spreadsheet import safe_cell

MENU_KEY = "identification"


def _require(request: HttpRequest) -> None:
    if not allowed(request.user.role, MENU_KEY):
        raise PermissionDenied


def _int(value: str, default: int = 0) -> int:
    return int(value) if ascii_digits(value) and len(value) < 10 else default


def filters_from(request: HttpRequest) -> selectors.WorklistFilter:
    change = request.GET.get("change", "")
    return selectors.WorklistFilter(
        change=change if change in dict(selectors.CHANGES) else selectors.CHANGES[0][0],
        county=request.GET.get("county", "").strip()[:40],
        population=request.GET.get("population", "").strip()[:40],
        # excluded=1 includes the excluded members; excluded=<reason> shows only those excluded for it
        include_excluded=(excluded := request.GET.get("excluded", "")) == "1",
        exclusion=excluded if excluded in EXCLUSIONS else "",
        after=_int(request.GET.get("after", "")),
        why=why if (why := request.GET.get("why", "")) in LEAVING_LABELS else "")


def _run(request: HttpRequest) -> IdentificationRun | None:
    """The run asked for (`run=`), or the latest; 404 for a run that does not exist."""
    run_id = _int(request.GET.get("run", ""))
    run = selectors.run_by_id(run_id) if run_id else selectors.latest_run()
    if run_id and run is None:
        raise Http404
    return run


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    _require(request)
    run = _run(request)
    filters = filters_from(request)
    page = selectors.audited_worklist(request.user, run, filters, route=request.get_full_path())
    populations, counties = selectors.filter_choices(run)
    context = {"page": page, "run": run, "filters": filters, "populations": populations, "counties": counties,
               "reasons": list(LEAVING_LABELS.items()), "exclusions": list(EXCLUSIONS.items()),
               "changes": selectors.CHANGES, "heading": dict(selectors.CHANGES)[filters.change],
               "provider_scope": request.user.is_provider_staff}
    # htmx swaps the whole page body in (hx-select), so the heading and the filters follow the Show choice
    return render(request, "identification/worklist.html", context)


EXPORT_COLUMNS = ("priority", "person_id", "cin", "name", "county", "populations", "population_names",
                  "why_this_priority", "excluded", "exclusion_reason", "continuity", "still_identified",
                  "why_no_longer")


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The whole worklist with the page's filters as CSV (every page), recorded as one EXPORT."""
    _require(request)
    run = _run(request)
    if run is None:
        raise Http404
    filters = filters_from(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"identification-{run.as_of:%Y-%m-%d}-{filters.change.lower().replace('_', '-')}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    out = csv.writer(response)
    out.writerow(EXPORT_COLUMNS)
    written = []
    for line in selectors.export_lines(request.user, run, filters):
        out.writerow([line.priority, safe_cell(line.person_id), safe_cell(line.cin), safe_cell(line.name),
                      safe_cell(line.county), ";".join(code for code, _ in line.populations),
                      "; ".join(label for _, label in line.populations),
                      "; ".join(text for _, text, _ in line.factors), int(line.excluded), line.exclusion_reason,
                      int(line.continuity), int(line.still_identified), "; ".join(text for _, text in line.leaving)])
        written.append(line.person_id)
    selectors.record_export(request.user, run, filters, written, route=request.get_full_path())
    return response


@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    _require(request)
    runs = selectors.latest_runs()
    newer = selectors.superseding_runs(runs)
    return render(request, "identification/runs.html", {"runs": [(r, newer.get(r.pk)) for r in runs]})


@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    _require(request)
    run = selectors.run_by_id(run_id)
    if run is None:
        raise Http404
    newer = selectors.superseding_runs([run]).get(run.pk)
    return render(request, "identification/run.html", {
        "run": run, "lines": selectors.run_summary(run), "counties": selectors.county_summary(run),
        "exclusions": selectors.exclusion_summary(run), "leaving": selectors.leaving_summary(run),
        "newer": newer, "newer_changes": selectors.version_changes(newer, run) if newer else None,
        "changes": selectors.version_changes(run, run.previous_run) if run.previous_run else None})
