"""Every write provider relations make to the network: a provider's network record (contract, Medi-Cal enrollment
or vetting, experience), subcontractors, capacity by county and population, contracting exceptions, and the Lead
Care Manager roster. Readiness applications are in providers.readiness.

Each function takes a keyword-only `actor`, runs in one transaction and writes an audit record. Who may do what
is decided here (plan network staff for the network; a provider's own staff for its roster), so the API and the
pages cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.selectors import organization_npis
from carehub.apps.providers.models import (
    CapacityLine,
    ContractingException,
    NetworkRecord,
    ProviderOrganization,
    ProviderSite,
    Subcontractor,
)
from carehub.domain.assignment.policy import normalize_county
from carehub.domain.counties import counties
from carehub.domain.digits import ascii_digits
from carehub.domain.network import (
    CONTRACT_STATUSES,
    ENROLLMENT_STATUSES,
    EXCEPTION_STATUSES,
    PROVIDER_TYPES,
    exception_problem,
)
from carehub.domain.populations.labels import POPULATIONS
from carehub.ingest.codes import npi_is_valid

# Plan roles that maintain the network (DESIGN.md "Who uses it": provider relations / network).
NETWORK_ROLES = frozenset({Role.PLAN_PROVIDER_RELATIONS, Role.PLAN_ADMIN})
# Provider roles that speak for their organization (readiness, roster); Lead Care Managers only read.
PROVIDER_EDITOR_ROLES = frozenset({Role.ECM_PROVIDER_STAFF, Role.CS_PROVIDER_STAFF})


MAX_COUNT = 1_000_000  # no provider serves more members than this; keeps numbers inside every database's range


class NetworkError(ValueError):
    """A change that cannot be made; the message says what to fix."""


def manages_network(user: Any) -> bool:
    return getattr(user, "role", "") in NETWORK_ROLES


def is_own_provider(user: Any, provider: ProviderOrganization) -> bool:
    """Whether the user works for the provider (its sign-in organization acts under the provider's NPI)."""
    if not getattr(user, "is_provider_staff", False):
        return False
    return provider.organization_id == user.organization_id or provider.npi in organization_npis(
        user.organization_id)


def speaks_for(user: Any, provider: ProviderOrganization) -> bool:
    """Plan network staff, or the provider's own staff (not its Lead Care Managers)."""
    return manages_network(user) or (getattr(user, "role", "") in PROVIDER_EDITOR_ROLES
                                     and is_own_provider(user, provider))


def _require_network(actor: Any) -> None:
    if not manages_network(actor):
        raise NetworkError("only the plan's provider relations staff change the network")


def _date(value: Any, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise NetworkError(f"{label} must be a date (YYYY-MM-DD)") from None


def whole_number(value: Any, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NetworkError(f"{label} must be a whole number") from None
    if number < 0:
        raise NetworkError(f"{label} cannot be negative")
    if number > MAX_COUNT:
        raise NetworkError(f"{label} is too large")
    return number


def _county(value: Any, *, required: bool = False) -> str:
    """A California county as eligibility writes it ("Alameda" for "alameda county"); empty when not required."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise NetworkError("give the county")
        return ""
    by_key = {normalize_county(name): name for name in counties()}
    name = by_key.get(normalize_county(text))
    if name is None:
        raise NetworkError(f"{text[:40]} is not a California county")
    return name


def known_codes(values: Iterable[str], vocabulary: Mapping[str, str], label: str) -> list[str]:
    out = [v.strip() for v in values if v and v.strip()]
    unknown = [v for v in out if v not in vocabulary]
    if unknown:
        raise NetworkError(f"unknown {label}: {', '.join(unknown)}")
    return list(dict.fromkeys(out))


def network_record(provider: ProviderOrganization) -> NetworkRecord:
    """The provider's record, unsaved and with defaults when it has none yet."""
    try:
        return provider.network
    except NetworkRecord.DoesNotExist:
        return NetworkRecord(provider=provider)


@transaction.atomic
def add_provider(data: Mapping[str, Any], *, actor: Any) -> ProviderOrganization:
    """Add a prospective ECM or Community Supports provider that is not in the plan's provider file yet, so that its
    readiness can start (seed 002 slide 5: reaching providers interested in becoming ECM providers). It gets a
    'prospective' network record, so it is not assigned members and a reload of provider.csv keeps it; when the
    file lists it later, the file's values replace these."""
    _require_network(actor)
    npi = str(data.get("npi", "")).strip()
    if not npi_is_valid(npi):
        raise NetworkError("the NPI must be 10 digits with a valid check digit")
    if ProviderOrganization.objects.filter(npi=npi).exists():
        raise NetworkError("a provider with that NPI is already in the network")
    name = str(data.get("name", "")).strip()
    if not name:
        raise NetworkError("give the provider's name")
    kind = str(data.get("kind", ""))
    if kind not in ("ECM", "CS"):
        raise NetworkError("choose ECM or Community Supports")
    provider_type = str(data.get("provider_type", ""))
    if provider_type and provider_type not in PROVIDER_TYPES:
        raise NetworkError("choose a provider type")
    tin = str(data.get("tin", "")).strip()
    if tin and not (ascii_digits(tin) and len(tin) == 9):
        raise NetworkError("the TIN must be 9 digits")
    provider = ProviderOrganization.objects.create(
        npi=npi, name=name[:200], kind=kind, provider_type=provider_type, tin=tin,
        phone=str(data.get("phone", "")).strip()[:30], email=str(data.get("email", "")).strip()[:120],
        address=str(data.get("address", "")).strip()[:200],
        counties=[_county(c) for c in data.get("counties", []) if str(c).strip()],
        populations=known_codes(data.get("populations", []), POPULATIONS, "population"),
        languages=[str(v).strip()[:40] for v in data.get("languages", []) if str(v).strip()],
        capacity=whole_number(data.get("capacity"), "capacity"), row_hash="")
    NetworkRecord.objects.create(provider=provider, contract_status="PROSPECTIVE")
    record(actor=actor, action=Action.CREATE, object_type="ProviderOrganization", object_id=npi,
           purpose="prospective provider", detail={"kind": kind, "name": provider.name})
    return provider


RECORD_FIELDS = ("contract_status", "contract_start", "contract_end", "enrollment_status", "enrollment_checked_on",
                 "community_experience", "population_experience", "was_wpc_lead_entity", "was_hhp_cb_cme",
                 "expected_assignments", "notes")


@transaction.atomic
def update_network_record(provider: ProviderOrganization, data: Mapping[str, Any], *, actor: Any) -> NetworkRecord:
    """Set the provider's contract, enrollment or vetting, experience flags and expected assignments. Fields
    missing from `data` keep their values; booleans are given as True/False."""
    _require_network(actor)
    rec = network_record(provider)
    if rec.pk is None and "contract_status" not in data:
        # Without a record the provider counts as contracted; a record that silently said "prospective" would
        # stop its assignments, so the first save names the contract status.
        raise NetworkError("a new network record needs the provider's contract status")
    before = {f: getattr(rec, f) for f in RECORD_FIELDS}
    if "contract_status" in data:
        if data["contract_status"] not in CONTRACT_STATUSES:
            raise NetworkError("choose a contract status")
        rec.contract_status = data["contract_status"]
    if "enrollment_status" in data:
        if data["enrollment_status"] not in ENROLLMENT_STATUSES:
            raise NetworkError("choose a Medi-Cal enrollment or vetting status")
        rec.enrollment_status = data["enrollment_status"]
    for field in ("contract_start", "contract_end", "enrollment_checked_on"):
        if field in data:
            setattr(rec, field, _date(data[field], field.replace("_", " ")))
    for field in ("community_experience", "population_experience", "was_wpc_lead_entity", "was_hhp_cb_cme"):
        if field in data:
            setattr(rec, field, bool(data[field]))
    if "expected_assignments" in data:
        rec.expected_assignments = whole_number(data["expected_assignments"], "expected assignments")
    if "notes" in data:
        rec.notes = str(data["notes"]).strip()[:4000]
    if rec.contract_start and rec.contract_end and rec.contract_end < rec.contract_start:
        raise NetworkError("the contract cannot end before it starts")
    if rec.contract_status == "ACTIVE" and rec.contract_start is None:
        raise NetworkError("a contracted provider needs a contract start date")
    rec.save()
    changed = {f: str(getattr(rec, f)) for f in RECORD_FIELDS if getattr(rec, f) != before[f]}
    record(actor=actor, action=Action.UPDATE, object_type="NetworkRecord", object_id=provider.npi,
           purpose="provider network record", detail=changed)
    return rec


@transaction.atomic
def add_subcontractor(provider: ProviderOrganization, data: Mapping[str, Any], *, actor: Any) -> Subcontractor:
    """Record a subcontractor of an ECM provider (seed 004 VI.K)."""
    _require_network(actor)
    name = str(data.get("name", "")).strip()
    if not name:
        raise NetworkError("give the subcontractor's name")
    sub = Subcontractor.objects.create(
        provider=provider, name=name[:200], npi=str(data.get("npi", "")).strip()[:10],
        counties=[_county(c) for c in data.get("counties", []) if str(c).strip()],
        populations=known_codes(data.get("populations", []), POPULATIONS, "population"),
        capacity=whole_number(data.get("capacity"), "capacity"),
        case_ratio=str(data.get("case_ratio", "")).strip()[:20],
        agreement_on_file=bool(data.get("agreement_on_file")), start_date=_date(data.get("start_date"), "start"),
        end_date=_date(data.get("end_date"), "end"))
    record(actor=actor, action=Action.CREATE, object_type="Subcontractor", object_id=str(sub.pk),
           purpose="provider subcontractor", detail={"provider_npi": provider.npi, "name": sub.name})
    return sub


SUBCONTRACTOR_FIELDS = ("capacity", "case_ratio", "agreement_on_file", "end_date")


@transaction.atomic
def update_subcontractor(sub: Subcontractor, data: Mapping[str, Any], *, actor: Any) -> Subcontractor:
    """Change a subcontractor's terms or end it (an end date; the row stays, for DHCS subcontractor reporting).
    Fields missing from `data` keep their values."""
    _require_network(actor)
    sub = Subcontractor.objects.select_for_update().get(pk=sub.pk)
    before = {f: getattr(sub, f) for f in SUBCONTRACTOR_FIELDS}
    if "capacity" in data:
        sub.capacity = whole_number(data["capacity"], "capacity")
    if "case_ratio" in data:
        sub.case_ratio = str(data["case_ratio"]).strip()[:20]
    if "agreement_on_file" in data:
        sub.agreement_on_file = bool(data["agreement_on_file"])
    if "end_date" in data:
        sub.end_date = _date(data["end_date"], "end")
    if sub.start_date and sub.end_date and sub.end_date < sub.start_date:
        raise NetworkError("the subcontract cannot end before it starts")
    changed = {f: str(getattr(sub, f)) for f in SUBCONTRACTOR_FIELDS if getattr(sub, f) != before[f]}
    if not changed:
        return sub
    sub.save(update_fields=list(changed))
    record(actor=actor, action=Action.UPDATE, object_type="Subcontractor", object_id=str(sub.pk),
           purpose="provider subcontractor", detail={"provider_npi": sub.provider.npi, "name": sub.name, **changed})
    return sub


@transaction.atomic
def add_site(provider: ProviderOrganization, data: Mapping[str, Any], *, actor: Any) -> ProviderSite:
    """Record a place where the provider serves members; a new primary site replaces the old primary."""
    _require_network(actor)
    name = str(data.get("name", "")).strip()
    if not name:
        raise NetworkError("give the site's name")
    primary = bool(data.get("is_primary"))
    if primary:
        ProviderSite.objects.filter(provider=provider, is_primary=True).update(is_primary=False)
    site = ProviderSite.objects.create(provider=provider, name=name[:200],
                                       address=str(data.get("address", "")).strip()[:200],
                                       county=_county(data.get("county")),
                                       phone=str(data.get("phone", "")).strip()[:30], is_primary=primary)
    record(actor=actor, action=Action.CREATE, object_type="ProviderSite", object_id=str(site.pk),
           purpose="provider site", detail={"provider_npi": provider.npi, "name": site.name, "county": site.county})
    return site


@transaction.atomic
def set_capacity_line(provider: ProviderOrganization, *, county: str, population: str, capacity: Any,
                      expected: Any = None, actor: Any) -> CapacityLine | None:
    """Set how many members the provider can serve in a county and population, and how many the plan expects to
    assign there; a capacity of 0 with no expectation removes the line."""
    _require_network(actor)
    county = _county(county, required=True)
    if population not in POPULATIONS:
        raise NetworkError("choose a Population of Focus")
    amount, expect = whole_number(capacity, "capacity") or 0, whole_number(expected, "expected assignments")
    if not amount and expect is None:
        CapacityLine.objects.filter(provider=provider, county=county, population=population).delete()
        line = None
    else:
        line, _ = CapacityLine.objects.update_or_create(provider=provider, county=county, population=population,
                                                        defaults={"capacity": amount, "expected": expect})
    record(actor=actor, action=Action.UPDATE, object_type="CapacityLine", object_id=provider.npi,
           purpose="provider capacity", detail={"county": county, "population": population, "capacity": amount,
                                                "expected": expect})
    return line


# ---- contracting exceptions ------------------------------------------------------------------------------------

@transaction.atomic
def record_exception(data: Mapping[str, Any], *, actor: Any) -> ContractingException:
    """Record a contracting exception the plan asks DHCS for: a WPC Lead Entity or HHP CB-CME it will not contract
    with and the permissible reason, or ECM by its own staff (explained in words)."""
    _require_network(actor)
    kind, reason = str(data.get("kind", "")), str(data.get("reason", "")).strip()
    problem = exception_problem(kind, reason)
    if problem:
        raise NetworkError(problem)
    provider = None
    if data.get("provider_npi"):
        provider = ProviderOrganization.objects.filter(npi=str(data["provider_npi"]).strip()).first()
        if provider is None:
            raise NetworkError("no provider in the network has that NPI")
    name = str(data.get("entity_name", "")).strip() or (provider.name if provider else "")
    if kind == "PLAN_OWN_STAFF" and not name:
        name = "Plan care management staff"
    if not name:
        raise NetworkError("name the WPC Lead Entity or HHP CB-CME")
    explanation = str(data.get("explanation", "")).strip()
    if not explanation:
        raise NetworkError("explain the exception (what was tried, which members are affected)")
    exc = ContractingException.objects.create(
        kind=kind, provider=provider, entity_name=name[:200], county=_county(data.get("county")),
        populations=known_codes(data.get("populations", []), POPULATIONS, "population"), reason=reason,
        explanation=explanation[:4000], created_at=timezone.now(), created_by=actor if getattr(actor, "pk", None)
        else None)
    record(actor=actor, action=Action.CREATE, object_type="ContractingException", object_id=str(exc.pk),
           purpose="contracting exception", detail={"kind": kind, "reason": reason, "entity": exc.entity_name})
    return exc


# Which review status may follow which (a draft is submitted; DHCS approves or denies; anything open withdraws).
NEXT_STATUSES = {"DRAFT": {"SUBMITTED", "WITHDRAWN"}, "SUBMITTED": {"APPROVED", "DENIED", "WITHDRAWN"}}


@transaction.atomic
def review_exception(exc: ContractingException, status: str, *, actor: Any, on: date | None = None,
                     note: str = "") -> ContractingException:
    """Move an exception along: submitted to DHCS, approved or denied by DHCS, or withdrawn."""
    _require_network(actor)
    exc = ContractingException.objects.select_for_update().get(pk=exc.pk)
    if status not in EXCEPTION_STATUSES or status not in NEXT_STATUSES.get(exc.status, set()):
        raise NetworkError(f"an exception that is {exc.get_status_display().lower()} cannot become "
                           f"{EXCEPTION_STATUSES.get(status, status).lower()}")
    on = on or timezone.localdate()
    exc.status = status
    if status == "SUBMITTED":
        exc.submitted_on = on
    elif status in ("APPROVED", "DENIED"):
        exc.decided_on = on
    if note.strip():
        exc.review_note = (exc.review_note + f"\n{on.isoformat()}: {note.strip()}").strip()[:4000]
    exc.save()
    record(actor=actor, action=Action.UPDATE, object_type="ContractingException", object_id=str(exc.pk),
           purpose="contracting exception review", detail={"status": status, "on": on.isoformat()})
    return exc
