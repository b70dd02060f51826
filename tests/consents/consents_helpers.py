"""Set-up shared by the consents tests: a member related to an ECM provider, and consents recorded through the ORM."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from factories import make_member, make_org, make_provider, make_user, relate, today

from carehub.apps.accounts.models import OrganizationKind, Role, User
from carehub.apps.consents.models import Consent, ConsentKind, Purpose

NPI_ECM = "1234567893"
NPI_OTHER = "1245319599"


def provider_user(npi: str = NPI_ECM, role: str = Role.ECM_PROVIDER_STAFF) -> User:
    """A provider staff user signing in under an organization acting as `npi`."""
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=npi)
    make_provider(npi, organization=org)
    return make_user(role, organization=org)


def related_member(npi: str = NPI_ECM, **fields: Any):
    member = make_member(**fields)
    relate(member, npi)
    return member


def add_consent(member, kind: str = ConsentKind.PART2, *, npis: tuple[str, ...] = (NPI_ECM,),
                effective: date | None = None, expires: date | None = None, revoked: date | None = None,
                **fields: Any) -> Consent:
    effective = effective or today() - timedelta(days=10)
    defaults: dict[str, Any] = {
        "categories": ["PART2_SUD"] if kind == ConsentKind.PART2 else ["GENERAL"],
        "recipient_npis": list(npis), "purpose": Purpose.TPO, "signer_name": "Ana Garcia",
        "signed_on": effective, "effective_on": effective, "expires_on": expires, "revoked_on": revoked,
        "revocation_method": "WRITTEN" if revoked else "", "recorded_at": timezone.now()}
    defaults.update(fields)
    return Consent.objects.create(member=member, kind=kind, **defaults)
