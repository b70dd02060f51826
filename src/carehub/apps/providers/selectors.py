"""Reading the provider network for provider relations (a filtered, paginated list; one provider with everything the
plan keeps about it; capacity by provider, county and population) and for a provider's own staff (its roster and
readiness), and its change history from the audit trail. No member data is read here except counts, so reads are
not audited row by row."""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.members.selectors import organization_npis
from carehub.apps.providers.models import (
    CapacityLine,
    CareManager,
    ContractingException,
    NetworkRecord,
    ProviderOrganization,
    ReadinessApplication,
)
from carehub.apps.providers.readiness import next_check_in
from carehub.apps.providers.services import manages_network
from carehub.domain.network import CONTRACT_ENDING_SOON_DAYS, ENROLLMENT_DONE, contract_in_force

PAGE_SIZE = 50
NO_RECORD = "NO_RECORD"  # list filter: providers the plan has not recorded anything about yet


@dataclass(frozen=True)
class ListFilters:
    kind: str = ""
    county: str = ""
    population: str = ""
    contract_status: str = ""
    q: str = ""


def _json_list_has(field_name: str, value: str) -> Q:
    # JSON lists are stored as text with quoted items on both SQLite and PostgreSQL; matching the quoted value is
    # exact per item and works on both (the JSON `contains` lookup does not exist on SQLite).
    return Q(**{f"{field_name}__icontains": f'"{value}"'})


def filtered_providers(filters: ListFilters) -> QuerySet[ProviderOrganization]:
    qs = ProviderOrganization.objects.select_related("network").order_by("name", "npi")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.county:
        qs = qs.filter(_json_list_has("counties", filters.county))
    if filters.population:
        qs = qs.filter(_json_list_has("populations", filters.population))
    if filters.contract_status == NO_RECORD:
        qs = qs.filter(network__isnull=True)
    elif filters.contract_status:
        qs = qs.filter(network__contract_status=filters.contract_status)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(npi=filters.q))
    return qs


def open_counts(npis: Iterable[str]) -> dict[str, int]:
    """Open assignments (assigned or accepted) per provider NPI, one query."""
    return dict(Assignment.objects.filter(status__in=OPEN_STATUSES, provider_npi__in=list(npis))
                .values_list("provider_npi").annotate(n=Count("pk")).values_list("provider_npi", "n"))


@dataclass
class ListRow:
    provider: ProviderOrganization
    record: NetworkRecord | None
    assigned: int

    @property
    def left(self) -> int | None:
        return None if self.provider.capacity is None else max(self.provider.capacity - self.assigned, 0)

    @property
    def assignable(self) -> bool:
        """Whether assignment may give it members today (assignments.services.network says the same)."""
        rec = self.record
        return rec is None or contract_in_force(rec.contract_status, rec.contract_start, rec.contract_end,
                                                timezone.localdate())

    @property
    def ending_soon(self) -> bool:
        """A contract in force that ends within CONTRACT_ENDING_SOON_DAYS: provider relations renew or plan."""
        end = self.record.contract_end if self.record else None
        return bool(self.assignable and end and end <= timezone.localdate() + timedelta(days=CONTRACT_ENDING_SOON_DAYS))

    @property
    def enrolled_or_vetted(self) -> bool:
        return self.record is not None and self.record.enrollment_status in ENROLLMENT_DONE


def provider_page(user, filters: ListFilters, page: int = 1) -> tuple[Page, list[ListRow]]:
    """One page of the network list (plan network staff only): three queries whatever the page size."""
    qs = filtered_providers(filters) if manages_network(user) else ProviderOrganization.objects.none()
    current = Paginator(qs, PAGE_SIZE).get_page(page)
    providers = list(current.object_list)
    counts = open_counts(p.npi for p in providers)
    rows = [ListRow(p, record_of(p), counts.get(p.npi, 0)) for p in providers]
    return current, rows


def record_of(provider: ProviderOrganization) -> NetworkRecord | None:
    """The provider's network record or None (no query when loaded with select_related('network'))."""
    try:
        return provider.network
    except NetworkRecord.DoesNotExist:
        return None


def network_counties() -> list[str]:
    """Every county some provider serves, for the list filter (one query over the JSON lists)."""
    counties: set[str] = set()
    for values in ProviderOrganization.objects.values_list("counties", flat=True):
        counties.update(values or [])
    return sorted(counties)


# ---- capacity by provider, county and population ---------------------------------------------------------------

@dataclass
class CapacityCell:
    county: str
    population: str
    capacity: int | None = None
    expected: int | None = None
    assigned: int = 0

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.assigned


@dataclass
class ProviderCapacity:
    provider: ProviderOrganization
    cells: list[CapacityCell] = field(default_factory=list)
    assigned: int = 0
    expected: int | None = None

    @property
    def left(self) -> int | None:
        return None if self.provider.capacity is None else self.provider.capacity - self.assigned


def capacity_by_provider(providers: Sequence[ProviderOrganization], county: str = "") -> list[ProviderCapacity]:
    """For each provider: what it can serve, what is assigned (open assignments, by the member's county and the
    assignment's population) and what the plan expects, per county and population. Two queries."""
    npis = [p.npi for p in providers]
    by_npi = {p.npi: ProviderCapacity(p) for p in providers}
    cells: dict[tuple[str, str, str], CapacityCell] = {}
    lines = CapacityLine.objects.filter(provider__npi__in=npis).values_list(
        "provider__npi", "county", "population", "capacity", "expected")
    for npi, line_county, population, capacity, expected in lines:
        cells[(npi, line_county, population)] = CapacityCell(line_county, population, capacity, expected)
    assigned = (Assignment.objects.filter(status__in=OPEN_STATUSES, provider_npi__in=npis)
                .values_list("provider_npi", "member__county", "population").annotate(n=Count("pk")))
    for npi, member_county, population, n in assigned:
        key = (npi, member_county or "", population or "")
        cells.setdefault(key, CapacityCell(key[1], key[2])).assigned += n
        by_npi[npi].assigned += n
    for (npi, cell_county, _), cell in sorted(cells.items()):
        if not county or cell_county == county:
            by_npi[npi].cells.append(cell)
    for row in by_npi.values():
        record = record_of(row.provider)
        line_expected = [c.expected for c in row.cells if c.expected is not None]
        row.expected = (record.expected_assignments if record and record.expected_assignments is not None
                        else (sum(line_expected) if line_expected else None))
    return [by_npi[p.npi] for p in providers]


def expected_assignments() -> dict[str, int]:
    """Members the plan expects to assign per provider NPI: the network record's figure, else the sum of its
    capacity lines' expectations (seed 000 IV.1.b.vii). Two queries."""
    out = dict(NetworkRecord.objects.filter(expected_assignments__isnull=False)
               .values_list("provider__npi", "expected_assignments"))
    sums: dict[str, int] = defaultdict(int)
    for npi, expected in CapacityLine.objects.filter(expected__isnull=False).values_list("provider__npi",
                                                                                         "expected"):
        sums[npi] += expected
    return {**sums, **out}


# ---- one provider ----------------------------------------------------------------------------------------------

def _caseload_counter() -> Callable[[list[int]], dict[int, int]] | None:
    """engagement.selectors.caseload_counts when the engagement app provides it (built by another part of the
    program); until then caseloads show as 0."""
    try:
        module = importlib.import_module("carehub.apps.engagement.selectors")
    except ImportError:
        return None
    return getattr(module, "caseload_counts", None)


def caseloads(care_managers: Sequence[CareManager]) -> dict[int, int]:
    """Members each care manager currently leads, by id; also set as `caseload` on each object for templates."""
    counter = _caseload_counter()
    ids = [cm.pk for cm in care_managers]
    counts = counter(ids) if counter and ids else {}
    for cm in care_managers:
        cm.caseload = counts.get(cm.pk, 0)  # type: ignore[attr-defined]
    return {i: counts.get(i, 0) for i in ids}


def provider_detail(npi: str) -> ProviderOrganization | None:
    """A provider with everything the detail page shows, prefetched (a fixed number of queries)."""
    return (ProviderOrganization.objects.select_related("network", "organization")
            .prefetch_related("sites", "subcontractors", "care_managers",
                              Prefetch("contracting_exceptions",
                                       queryset=ContractingException.objects.order_by("-created_at")))
            .filter(npi=npi).first())


def readiness_of(provider: ProviderOrganization) -> ReadinessApplication | None:
    return (ReadinessApplication.objects.select_related("verdict_by")
            .prefetch_related("answers", "evidence", "check_ins").filter(provider=provider).first())


def own_providers(user) -> list[ProviderOrganization]:
    """The network records a provider user's organization acts under (usually one)."""
    if not getattr(user, "is_provider_staff", False):
        return []
    npis = organization_npis(user.organization_id)
    return list(ProviderOrganization.objects.filter(Q(npi__in=npis) | Q(organization_id=user.organization_id))
                .select_related("network").order_by("name", "npi"))


def exceptions(filters: dict[str, str]) -> QuerySet[ContractingException]:
    qs = ContractingException.objects.select_related("provider", "created_by").order_by("-created_at", "-pk")
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs


# ---- readiness across the network ------------------------------------------------------------------------------

@dataclass
class ReadinessRow:
    """One provider's application as provider relations review it: where it asks for help, what is not yet
    compliant, and when the next check-in is due."""

    app: ReadinessApplication
    high_1: int
    high_2: int
    unanswered: int
    not_compliant: int
    evidence: int
    last_check_in: date | None
    next_check_in: date | None

    @property
    def check_in_overdue(self) -> bool:
        # Check-ins go on while the provider gets ready (seed 002 slide 5), not after a final verdict.
        return bool(self.next_check_in and self.next_check_in < timezone.localdate()
                    and self.app.verdict in ("PENDING", "APPROVED_WITH_CONDITIONS"))


def readiness_page(verdict: str = "", page: int | str = 1) -> tuple[Page, list[ReadinessRow]]:
    """Readiness applications, those asking the plan for most help first; one query for the page and its counts."""
    qs = (ReadinessApplication.objects.select_related("provider")
          .annotate(high_1=Count("answers", filter=Q(answers__effort="HIGH_1"), distinct=True),
                    high_2=Count("answers", filter=Q(answers__effort="HIGH_2"), distinct=True),
                    unanswered=Count("answers", filter=Q(answers__effort=""), distinct=True),
                    not_compliant=Count("answers", filter=Q(answers__compliant=False), distinct=True),
                    evidence_count=Count("evidence", distinct=True),
                    last_check_in=Max("check_ins__on"))
          .order_by("-high_2", "-high_1", "provider__name", "pk"))
    if verdict:
        qs = qs.filter(verdict=verdict)
    current = Paginator(qs, PAGE_SIZE).get_page(page)
    rows = [ReadinessRow(a, a.high_1, a.high_2, a.unanswered, a.not_compliant, a.evidence_count, a.last_check_in,
                         next_check_in(a, a.last_check_in)) for a in current.object_list]
    return current, rows


# ---- change history ----------------------------------------------------------------------------------------------

HISTORY_LABELS = {
    "ProviderOrganization": "Provider", "NetworkRecord": "Network record", "CapacityLine": "Capacity",
    "Subcontractor": "Subcontractor", "ProviderSite": "Site", "ContractingException": "Contracting exception",
    "ReadinessApplication": "Readiness", "CareManager": "Roster",
}


@dataclass(frozen=True)
class HistoryLine:
    at: object
    who: str
    what: str
    action: str
    changes: tuple[tuple[str, str], ...]


def change_history(provider: ProviderOrganization, readiness: ReadinessApplication | None = None,
                   limit: int = 50) -> list[HistoryLine]:
    """What provider relations and the provider's staff changed about this provider, newest first, read from the
    audit trail (every change is recorded there with its fields; nothing is kept twice). Uses the provider's
    prefetched sites, subcontractors, care managers and exceptions (provider_detail); one query for the events
    (indexed on object type and id)."""
    ids: dict[str, list[str]] = {
        "ProviderOrganization": [provider.npi], "NetworkRecord": [provider.npi], "CapacityLine": [provider.npi],
        "Subcontractor": [str(x.pk) for x in provider.subcontractors.all()],
        "ProviderSite": [str(x.pk) for x in provider.sites.all()],
        "ContractingException": [str(x.pk) for x in provider.contracting_exceptions.all()],
        "CareManager": [str(x.pk) for x in provider.care_managers.all()],
        "ReadinessApplication": [str(readiness.pk)] if readiness is not None else [],
    }
    where = Q()
    for kind, keys in ids.items():
        if keys:
            where |= Q(object_type=kind, object_id__in=keys)
    events = (AuditEvent.objects.filter(where).exclude(action=Action.READ)
              .only("at", "actor_label", "object_type", "action", "detail").order_by("-seq")[:limit])
    return [HistoryLine(at=e.at, who=e.actor_label, what=HISTORY_LABELS.get(e.object_type, e.object_type),
                        action=e.get_action_display(),
                        changes=tuple((str(k).replace("_", " "), str(v)) for k, v in (e.detail or {}).items()
                                      if k != "provider_npi"))
            for e in events]
