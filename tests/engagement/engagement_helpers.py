"""Set-up shared by the engagement tests: an ECM provider with staff, a roster, and open assignments made
directly through the ORM (the assignment rules are tested in tests/assignments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from factories import make_member, make_org, make_provider, make_user, relate

from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User
from carehub.apps.assignments.models import Assignment, AssignmentStatus
from carehub.apps.members.models import Member
from carehub.apps.providers.models import CareManager, CareManagerRole, ProviderOrganization

# NPIs that pass the Luhn check.
NPI_A, NPI_B = "1234567893", "1245319599"


@dataclass
class Shop:
    """An ECM provider: its sign-in organization, network record, one staff user and one Lead Care Manager user."""

    org: Organization
    provider: ProviderOrganization
    staff: User
    lcm_user: User
    lcm: CareManager


def ecm_shop(npi: str = NPI_A) -> Shop:
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=npi)
    provider = make_provider(npi, organization=org)
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=org)
    lcm_user = make_user(Role.LEAD_CARE_MANAGER, organization=org)
    lcm = CareManager.objects.create(provider=provider, user=lcm_user, name="Lee Nurse", role=CareManagerRole.NURSE,
                                     languages=["English"], populations=["ADULT_HOMELESS"], max_caseload=20)
    return Shop(org, provider, staff, lcm_user, lcm)


def care_manager(provider: ProviderOrganization, name: str = "Sam Navigator",
                 role: str = CareManagerRole.HOUSING_NAVIGATOR, *, languages=("English",),
                 populations=("ADULT_HOMELESS",), max_caseload: int | None = 20) -> CareManager:
    return CareManager.objects.create(provider=provider, name=name, role=role, languages=list(languages),
                                      populations=list(populations), max_caseload=max_caseload)


def assign(npi: str = NPI_A, member: Member | None = None, *, population: str = "ADULT_HOMELESS",
           status: str = AssignmentStatus.ACCEPTED, assigned_at=None, **member_fields) -> Assignment:
    """An open assignment of a (new) member to `npi`, with the care relationship that lets the staff see them."""
    member = member or make_member(**member_fields)
    rel = relate(member, npi)
    return Assignment.objects.create(member=member, provider_npi=npi, population=population, rule="TEST",
                                     assigned_at=assigned_at or timezone.now(), status=status, relationship=rel)


def telehealth_consent(member: Member, npi: str = NPI_A, *, effective=None):
    """A telehealth consent naming the provider (consents app)."""
    from factories import today

    from carehub.apps.consents.models import Consent, ConsentKind

    day = effective or today() - timedelta(days=60)
    return Consent.objects.create(member=member, kind=ConsentKind.TELEHEALTH, recipient_npis=[npi],
                                  channels=["VIDEO", "TELEPHONE"], signer_name="Ana Garcia", signed_on=day,
                                  effective_on=day, recorded_at=timezone.now())


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)
