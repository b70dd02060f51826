"""Set-up shared by the discontinuation tests: an accepted ECM assignment with its provider staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from factories import make_member, make_org, make_provider, make_user

from carehub.apps.accounts.models import OrganizationKind, Role, User
from carehub.apps.assignments import services as assignments
from carehub.apps.assignments.models import Assignment
from carehub.apps.authorizations.models import AuthorizationRequest
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.members.models import Member
from carehub.apps.providers.models import ProviderOrganization
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral

LA = ZoneInfo("America/Los_Angeles")
# NPIs that pass the Luhn check (as tests/assignments/assign_helpers.py, copied: test helper dirs are not shared).
NPI_A, NPI_B = "1234567893", "1245319599"

DECIDED = datetime(2025, 6, 2, 10, 0, tzinfo=LA)
SOON = datetime(2025, 6, 4, 9, 0, tzinfo=LA)


def ecm_provider(npi: str, *, capacity: int = 5, county: str = "Alameda") -> ProviderOrganization:
    """An ECM provider in `county` for ADULT_HOMELESS, with its sign-in organization."""
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=npi)
    provider = make_provider(npi, organization=org)
    provider.capacity, provider.counties, provider.populations = capacity, [county], ["ADULT_HOMELESS"]
    provider.languages, provider.tin, provider.phone = ["en"], "123456789", "510-555-0100"
    provider.save()
    return provider


def approved(member: Member, *, actor: User, decided_at: datetime = DECIDED) -> AuthorizationRequest:
    """An approved ECM authorization for the member (a provider referral for ADULT_HOMELESS)."""
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(), "urgency": "ROUTINE", "facts": "Unsheltered.",
            "populations": ["ADULT_HOMELESS"]}
    referral = submit_referral(data, actor=actor, channel=Channel.WEB, received_at=decided_at).referral
    request = open_authorization(referral, actor=actor)
    return decide(request, DecisionInput("APPROVED", start_date=decided_at.astimezone(LA).date()), actor=actor,
                  now=decided_at)


@dataclass
class Case:
    member: Member
    assignment: Assignment
    plan: User
    staff: User
    lcm: User


def accepted_case(*, npi: str = NPI_A, language: str = "English", plan: User | None = None,
                  provider_exists: bool = False, county: str = "Alameda") -> Case:
    """A member with an approved ECM authorization, assigned to `npi` and accepted by its staff. Use a county
    per provider when a test has several (the assignment solver picks by county)."""
    if plan is None:
        plan = make_user(Role.PLAN_CARE_COORDINATION, organization=make_org(OrganizationKind.PLAN))
    if not provider_exists:
        ecm_provider(npi, county=county)
    provider = ProviderOrganization.objects.get(npi=npi)
    member = make_member(county=county, preferred_language=language, address="1 Main St", city="Oakland",
                         state="CA", zip_code="94612")
    authorization = approved(member, actor=plan, decided_at=DECIDED)
    (assignment,) = assignments.assign_authorized(actor=plan, now=SOON,
                                                  authorization_ids=[authorization.pk]).assigned
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=provider.organization)
    lcm = make_user(Role.LEAD_CARE_MANAGER, organization=provider.organization)
    assignments.accept(assignment, actor=staff)
    assignment.refresh_from_db()
    return Case(member=member, assignment=assignment, plan=plan, staff=staff, lcm=lcm)
