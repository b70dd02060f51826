"""Set-up shared by the provider network tests: NPIs that pass the Luhn check, network staff, ECM providers with a
sign-in organization and staff."""

from __future__ import annotations

from factories import make_org, make_provider, make_user
from stdnum import luhn

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.providers.models import ProviderOrganization


def npi(n: int) -> str:
    body = f"1{n:08d}"
    return body + luhn.calc_check_digit("80840" + body)


def network_staff(role: str = Role.PLAN_PROVIDER_RELATIONS):
    return make_user(role)


def ecm(n: int, *, capacity: int | None = 10, counties=("Alameda",), populations=("ADULT_HOMELESS",),
        kind: str = "ECM", name: str = "") -> ProviderOrganization:
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=npi(n))
    provider = make_provider(npi(n), kind=kind, organization=org, name=name or f"Provider {n:03d}")
    provider.capacity, provider.counties, provider.populations = capacity, list(counties), list(populations)
    provider.languages = ["en", "es"]
    provider.save()
    return provider


def staff_of(provider: ProviderOrganization, role: str = Role.ECM_PROVIDER_STAFF):
    return make_user(role, organization=provider.organization)
