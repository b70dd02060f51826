"""Provider relations pages: the network list (filters, pages of 50), one provider with everything the plan keeps
about it, capacity by provider, county and population, contracting exceptions; and for a provider's own staff its
Lead Care Manager roster. Readiness pages are in views_readiness. Views parse, authorize, call services."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carehub.apps.providers import roster as rosters
from carehub.apps.providers import selectors, services
from carehub.apps.providers.models import (
    CareManager,
    CareManagerRole,
    ContractingException,
    ProviderOrganization,
    Subcontractor,
)
from carehub.apps.providers.services import NetworkError
from carehub.domain.network import (
    CONTRACT_STATUSES,
    ENROLLMENT_STATUSES,
    EXCEPTION_KINDS,
    EXCEPTION_STATUSES,
    PROVIDER_KINDS,
    PROVIDER_TYPES,
    contracting_exception_reasons,
)
from carehub.domain.populations.labels import POPULATIONS
from carehub.web.navigation import allowed
from carehub.web.spreadsheet import safe_cell

NETWORK_KEY = "network"
ROSTER_KEY = "care-team"
BOOLEAN_FIELDS = ("community_experience", "population_experience", "was_wpc_lead_entity", "was_hhp_cb_cme")


def _require(request: HttpRequest, key: str) -> None:
    if not allowed(request.user.role, key):
        raise PermissionDenied


def _provider(npi: str) -> ProviderOrganization:
    provider = ProviderOrganization.objects.filter(npi=npi).first()
    if provider is None:
        raise Http404
    return provider


def _problem(problem: Exception, status: int = 400) -> HttpResponse:
    return HttpResponse(str(problem), status=status, content_type="text/plain; charset=utf-8")


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    _require(request, NETWORK_KEY)
    filters = selectors.ListFilters(**{k: request.GET.get(k, "").strip() for k in
                                       ("kind", "county", "population", "contract_status", "q")})
    page, rows = selectors.provider_page(request.user, filters, request.GET.get("page") or 1)
    query = urlencode({k: v for k, v in vars(filters).items() if v})
    return render(request, "providers/list.html", {
        "page": page, "rows": rows, "filters": filters, "query": query, "kinds": PROVIDER_KINDS,
        "counties": selectors.network_counties(), "populations": POPULATIONS,
        "contract_statuses": CONTRACT_STATUSES, "no_record": selectors.NO_RECORD})


@require_http_methods(["GET", "POST"])
def new_provider(request: HttpRequest) -> HttpResponse:
    """Provider relations add a prospective provider that the provider file does not list yet."""
    _require(request, NETWORK_KEY)
    problem = ""
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("npi", "name", "kind", "provider_type", "tin", "phone",
                                                     "email", "address", "capacity")}
        data.update(counties=_split(request.POST.get("counties", "")),
                    languages=_split(request.POST.get("languages", "")),
                    populations=request.POST.getlist("populations"))
        try:
            provider = services.add_provider(data, actor=request.user)
            messages.success(request, "Prospective provider added")
            return redirect(f"/providers/{provider.npi}/")
        except NetworkError as error:
            problem = str(error)
    return render(request, "providers/new.html", {
        "problem": problem, "posted": request.POST if problem else {}, "provider_types": PROVIDER_TYPES,
        "populations": POPULATIONS}, status=400 if problem else 200)


EXPORT_COLUMNS = ("npi", "name", "kind", "provider_type", "counties", "populations", "languages", "capacity",
                  "assigned", "left", "contract_status", "contract_start", "contract_end", "enrollment_status",
                  "expected_assignments")


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The filtered network as CSV (no member data), in pages of the list's size so memory stays flat."""
    _require(request, NETWORK_KEY)
    filters = selectors.ListFilters(**{k: request.GET.get(k, "").strip() for k in
                                       ("kind", "county", "population", "contract_status", "q")})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="provider-network.csv"'
    out = csv.writer(response)
    out.writerow(EXPORT_COLUMNS)
    page_number, pages = 1, 1
    while page_number <= pages:
        page, rows = selectors.provider_page(request.user, filters, page_number)
        pages = page.paginator.num_pages
        for row in rows:
            p, rec = row.provider, row.record
            out.writerow([p.npi, safe_cell(p.name), p.kind, p.provider_type, ";".join(p.counties or []),
                          ";".join(p.populations or []), ";".join(p.languages or []), p.capacity, row.assigned,
                          row.left, rec.contract_status if rec else "", rec.contract_start if rec else "",
                          rec.contract_end if rec else "", rec.enrollment_status if rec else "",
                          rec.expected_assignments if rec else ""])
        page_number += 1
    return response


@require_GET
def detail(request: HttpRequest, npi: str) -> HttpResponse:
    _require(request, NETWORK_KEY)
    provider = selectors.provider_detail(npi)
    if provider is None:
        raise Http404
    care_managers = list(provider.care_managers.all())
    readiness = selectors.readiness_of(provider)
    (capacity,) = selectors.capacity_by_provider([provider])
    return render(request, "providers/detail.html", {
        "provider": provider, "record": services.network_record(provider), "capacity": capacity,
        "care_managers": care_managers, "caseloads": selectors.caseloads(care_managers),
        "readiness": readiness, "history": selectors.change_history(provider, readiness),
        "provider_type": PROVIDER_TYPES.get(provider.provider_type),
        "population_labels": [POPULATIONS.get(c, c) for c in provider.populations or []],
        "contract_statuses": CONTRACT_STATUSES, "enrollment_statuses": ENROLLMENT_STATUSES,
        "populations": POPULATIONS, "roles": CareManagerRole.choices})


@require_POST
def edit_record(request: HttpRequest, npi: str) -> HttpResponse:
    _require(request, NETWORK_KEY)
    provider = _provider(npi)
    data = {k: request.POST.get(k, "") for k in ("contract_status", "contract_start", "contract_end",
                                                 "enrollment_status", "enrollment_checked_on",
                                                 "expected_assignments", "notes")}
    data.update({k: request.POST.get(k) == "on" for k in BOOLEAN_FIELDS})
    try:
        services.update_network_record(provider, data, actor=request.user)
    except NetworkError as problem:
        return _problem(problem)
    messages.success(request, "Network record saved")
    return redirect(f"/providers/{npi}/")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


@require_POST
def add_subcontractor(request: HttpRequest, npi: str) -> HttpResponse:
    _require(request, NETWORK_KEY)
    data = {k: request.POST.get(k, "") for k in ("name", "npi", "capacity", "case_ratio", "start_date",
                                                 "end_date")}
    data.update(counties=_split(request.POST.get("counties", "")), populations=request.POST.getlist("populations"),
                agreement_on_file=request.POST.get("agreement_on_file") == "on")
    try:
        services.add_subcontractor(_provider(npi), data, actor=request.user)
    except NetworkError as problem:
        return _problem(problem)
    messages.success(request, "Subcontractor added")
    return redirect(f"/providers/{npi}/")


@require_POST
def update_subcontractor(request: HttpRequest, npi: str, sub_id: int) -> HttpResponse:
    _require(request, NETWORK_KEY)
    sub = Subcontractor.objects.filter(pk=sub_id, provider__npi=npi).select_related("provider").first()
    if sub is None:
        raise Http404
    data = {k: request.POST.get(k, "") for k in ("capacity", "case_ratio", "end_date")}
    data["agreement_on_file"] = request.POST.get("agreement_on_file") == "on"
    try:
        services.update_subcontractor(sub, data, actor=request.user)
    except NetworkError as problem:
        return _problem(problem)
    messages.success(request, "Subcontractor saved")
    return redirect(f"/providers/{npi}/")


@require_POST
def add_site(request: HttpRequest, npi: str) -> HttpResponse:
    _require(request, NETWORK_KEY)
    data = {k: request.POST.get(k, "") for k in ("name", "address", "county", "phone")}
    data["is_primary"] = request.POST.get("is_primary") == "on"
    try:
        services.add_site(_provider(npi), data, actor=request.user)
    except NetworkError as problem:
        return _problem(problem)
    messages.success(request, "Site added")
    return redirect(f"/providers/{npi}/")


@require_POST
def capacity_line(request: HttpRequest, npi: str) -> HttpResponse:
    _require(request, NETWORK_KEY)
    try:
        services.set_capacity_line(_provider(npi), county=request.POST.get("county", ""),
                                   population=request.POST.get("population", ""),
                                   capacity=request.POST.get("capacity", ""),
                                   expected=request.POST.get("expected", ""), actor=request.user)
    except NetworkError as problem:
        return _problem(problem)
    messages.success(request, "Capacity saved")
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/providers/")
                    else f"/providers/{npi}/")


@require_GET
def capacity(request: HttpRequest) -> HttpResponse:
    """Capacity, assigned and expected by provider, county and population (ECM and CS providers), 50 a page."""
    _require(request, NETWORK_KEY)
    county = request.GET.get("county", "").strip()
    filters = selectors.ListFilters(kind=request.GET.get("kind", "").strip(), county=county)
    qs = selectors.filtered_providers(filters).filter(kind__in=("ECM", "CS"))
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page") or 1)
    rows = selectors.capacity_by_provider(list(page.object_list), county=county)
    return render(request, "providers/capacity.html", {
        "page": page, "rows": rows, "county": county, "kind": filters.kind,
        "counties": selectors.network_counties(), "populations": POPULATIONS,
        "query": urlencode({k: v for k, v in {"county": county, "kind": filters.kind}.items() if v})})


# ---- contracting exceptions ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def exceptions(request: HttpRequest) -> HttpResponse:
    _require(request, NETWORK_KEY)
    problem = ""
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("kind", "provider_npi", "entity_name", "county", "reason",
                                                     "explanation")}
        data["populations"] = request.POST.getlist("populations")
        try:
            services.record_exception(data, actor=request.user)
            return redirect("providers:exceptions")
        except NetworkError as error:
            problem = str(error)
    filters = {k: request.GET.get(k, "") for k in ("kind", "status")}
    page = Paginator(selectors.exceptions(filters), selectors.PAGE_SIZE).get_page(request.GET.get("page") or 1)
    return render(request, "providers/exceptions.html", {
        "page": page, "filters": filters, "kinds": EXCEPTION_KINDS, "statuses": EXCEPTION_STATUSES,
        "reasons": contracting_exception_reasons(), "populations": POPULATIONS, "problem": problem,
        "posted": request.POST if problem else {}, "query": urlencode({k: v for k, v in filters.items() if v})},
        status=400 if problem else 200)


@require_POST
def review_exception(request: HttpRequest, exception_id: int) -> HttpResponse:
    _require(request, NETWORK_KEY)
    exc = ContractingException.objects.filter(pk=exception_id).first()
    if exc is None:
        raise Http404
    try:
        services.review_exception(exc, request.POST.get("status", ""), actor=request.user,
                                  note=request.POST.get("note", ""))
    except NetworkError as problem:
        return _problem(problem)
    return redirect("providers:exceptions")


# ---- the Lead Care Manager roster ------------------------------------------------------------------------------

def _roster_provider(request: HttpRequest, npi: str = "") -> ProviderOrganization | None:
    """Plan network staff name the provider; a provider's staff see their own (the first, or the NPI named).
    None when a provider's organization has no network record yet."""
    if allowed(request.user.role, NETWORK_KEY) and npi:
        provider = ProviderOrganization.objects.select_related("network").filter(npi=npi).first()
        if provider is None:
            raise Http404
        return provider
    _require(request, ROSTER_KEY)
    own = selectors.own_providers(request.user)
    chosen = [p for p in own if p.npi == npi] if npi else own[:1]
    if npi and not chosen:
        raise Http404
    return chosen[0] if chosen else None


def _roster_data(request: HttpRequest) -> dict:
    data = {k: request.POST.get(k, "") for k in ("name", "role", "max_caseload", "phone", "email", "user_id")}
    data.update(languages=_split(request.POST.get("languages", "")), populations=request.POST.getlist("populations"),
                active=request.POST.get("active", "on") == "on")
    return data


@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, npi: str = "") -> HttpResponse:
    provider = _roster_provider(request, npi)
    if provider is None:
        return render(request, "providers/readiness_none.html", {"what": "care team"})
    problem = ""
    if request.method == "POST":
        try:
            rosters.save_care_manager(provider, _roster_data(request), actor=request.user)
            return redirect(request.path)
        except NetworkError as error:
            problem = str(error)
    care_managers = list(CareManager.objects.filter(provider=provider).select_related("user").order_by(
        "-active", "name"))
    (capacity,) = selectors.capacity_by_provider([provider])
    return render(request, "providers/roster.html", {
        "capacity": capacity, "record": selectors.record_of(provider),
        "provider": provider, "care_managers": care_managers, "caseloads": selectors.caseloads(care_managers),
        "can_edit": services.speaks_for(request.user, provider), "roles": CareManagerRole.choices,
        "populations": POPULATIONS, "problem": problem, "edit": None,
        "users": list(rosters.linkable_users(provider))}, status=400 if problem else 200)


@require_http_methods(["GET", "POST"])
def roster_edit(request: HttpRequest, care_manager_id: int) -> HttpResponse:
    care_manager = CareManager.objects.select_related("provider").filter(pk=care_manager_id).first()
    if care_manager is None:
        raise Http404
    provider = care_manager.provider
    if not services.speaks_for(request.user, provider):
        raise Http404  # another provider's staff: as if it did not exist
    problem = ""
    if request.method == "POST":
        try:
            rosters.save_care_manager(provider, _roster_data(request), actor=request.user,
                                       care_manager=care_manager)
            return redirect("providers:roster-of", npi=provider.npi) if services.manages_network(request.user) \
                else redirect("providers:roster")
        except NetworkError as error:
            problem = str(error)
    return render(request, "providers/roster_edit.html", {
        "provider": provider, "edit": care_manager, "roles": CareManagerRole.choices, "populations": POPULATIONS,
        "problem": problem, "users": list(rosters.linkable_users(provider))}, status=400 if problem else 200)
