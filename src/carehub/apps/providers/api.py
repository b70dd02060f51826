"""/api/providers: the network for the plan's provider relations (list with filters, one provider with its network
record and capacity) and the Lead Care Manager roster for a provider's own systems (list, add, change). The same
services and rules as the pages; no member data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from carehub.apps.providers import roster as rosters
from carehub.apps.providers import selectors, services
from carehub.apps.providers.models import CareManager, ProviderOrganization
from carehub.apps.providers.services import NetworkError

router = Router(tags=["providers"])


class ProviderOut(Schema):
    npi: str
    name: str
    kind: str
    provider_type: str
    counties: list[str]
    populations: list[str]
    languages: list[str]
    capacity: int | None
    assigned: int
    contract_status: str | None
    contract_start: date | None
    contract_end: date | None
    enrollment_status: str | None
    assignable: bool


class CapacityOut(Schema):
    county: str
    population: str
    capacity: int | None
    assigned: int
    expected: int | None


class ProviderDetailOut(ProviderOut):
    expected_assignments: int | None
    capacity_by_county: list[CapacityOut]


class CareManagerIn(Schema):
    name: str
    role: str
    languages: list[str] = []
    populations: list[str] = []
    max_caseload: int | None = None
    phone: str = ""
    email: str = ""
    active: bool = True


class CareManagerOut(Schema):
    id: int
    name: str
    role: str
    languages: list[str]
    populations: list[str]
    max_caseload: int | None
    caseload: int
    active: bool


def _provider_out(row: selectors.ListRow) -> dict[str, Any]:
    p, rec = row.provider, row.record
    return {"npi": p.npi, "name": p.name, "kind": p.kind, "provider_type": p.provider_type,
            "counties": list(p.counties or []), "populations": list(p.populations or []),
            "languages": list(p.languages or []), "capacity": p.capacity, "assigned": row.assigned,
            "contract_status": rec.contract_status if rec else None,
            "contract_start": rec.contract_start if rec else None, "contract_end": rec.contract_end if rec else None,
            "enrollment_status": rec.enrollment_status if rec else None, "assignable": row.assignable}


def _network_staff(request: HttpRequest) -> None:
    if not services.manages_network(request.auth):
        raise PermissionDenied


@router.get("/", response=list[ProviderOut], summary="The provider network, 50 a page (provider relations)")
def providers(request: HttpRequest, kind: str = "", county: str = "", population: str = "",
              contract_status: str = "", page: int = 1) -> list[dict[str, Any]]:
    _network_staff(request)
    filters = selectors.ListFilters(kind=kind, county=county, population=population,
                                    contract_status=contract_status)
    _, rows = selectors.provider_page(request.auth, filters, max(page, 1))
    return [_provider_out(r) for r in rows]


def _provider(npi: str) -> ProviderOrganization:
    provider = selectors.provider_detail(npi)
    if provider is None:
        raise Http404
    return provider


@router.get("/{npi}", response=ProviderDetailOut, summary="One provider with its capacity by county and population")
def provider(request: HttpRequest, npi: str) -> dict[str, Any]:
    _network_staff(request)
    p = _provider(npi)
    (capacity,) = selectors.capacity_by_provider([p])
    row = selectors.ListRow(p, selectors.record_of(p), capacity.assigned)
    return {**_provider_out(row), "expected_assignments": capacity.expected,
            "capacity_by_county": [vars(c) for c in capacity.cells]}


def _roster_provider(request: HttpRequest, npi: str) -> ProviderOrganization:
    p = ProviderOrganization.objects.filter(npi=npi).first()
    if p is None or not (services.manages_network(request.auth) or services.is_own_provider(request.auth, p)):
        raise Http404  # another provider's roster: as if it did not exist
    return p


def _care_manager_out(cm: CareManager, caseload: int) -> dict[str, Any]:
    return {"id": cm.pk, "name": cm.name, "role": cm.role, "languages": cm.languages, "populations": cm.populations,
            "max_caseload": cm.max_caseload, "caseload": caseload, "active": cm.active}


@router.get("/{npi}/care-managers", response=list[CareManagerOut], summary="The Lead Care Manager roster")
def roster(request: HttpRequest, npi: str) -> list[dict[str, Any]]:
    p = _roster_provider(request, npi)
    people = list(CareManager.objects.filter(provider=p).order_by("name", "pk"))
    counts = selectors.caseloads(people)
    return [_care_manager_out(cm, counts[cm.pk]) for cm in people]


@router.post("/{npi}/care-managers", response={201: CareManagerOut, 400: dict}, summary="Add a Lead Care Manager")
def add_care_manager(request: HttpRequest, npi: str, body: CareManagerIn) -> Any:
    p = _roster_provider(request, npi)
    try:
        cm = rosters.save_care_manager(p, body.model_dump(), actor=request.auth)
    except NetworkError as problem:
        return Status(400, {"detail": str(problem)})
    return Status(201, _care_manager_out(cm, 0))


@router.put("/{npi}/care-managers/{care_manager_id}", response={200: CareManagerOut, 400: dict},
            summary="Change a Lead Care Manager")
def change_care_manager(request: HttpRequest, npi: str, care_manager_id: int, body: CareManagerIn) -> Any:
    p = _roster_provider(request, npi)
    cm = CareManager.objects.filter(pk=care_manager_id, provider=p).first()
    if cm is None:
        raise Http404
    try:
        cm = rosters.save_care_manager(p, body.model_dump(), actor=request.auth, care_manager=cm)
    except NetworkError as problem:
        return Status(400, {"detail": str(problem)})
    return Status(200, _care_manager_out(cm, selectors.caseloads([cm])[cm.pk]))
