"""Set-up shared by the assignment tests: ECM providers, approved authorizations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from factories import make_member, make_org, make_provider

from carehub.apps.accounts.models import OrganizationKind
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.providers.models import ProviderOrganization
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral

LA = ZoneInfo("America/Los_Angeles")
# NPIs that pass the Luhn check (prefix 80840).
NPI_A, NPI_B, NPI_C = "1234567893", "1245319599", "1679576722"


def ecm_provider(npi: str, *, capacity: int = 5, counties=("Alameda",), populations=("ADULT_HOMELESS",),
                 languages=("en",), with_org: bool = True) -> ProviderOrganization:
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=npi) if with_org else None
    provider = make_provider(npi, organization=org)
    provider.capacity, provider.counties, provider.populations = capacity, list(counties), list(populations)
    provider.languages, provider.tin, provider.phone = list(languages), "123456789", "510-555-0100"
    provider.save()
    return provider


def approved(member=None, *, actor, population: str = "ADULT_HOMELESS",
             decided_at: datetime = datetime(2025, 6, 2, 10, 0, tzinfo=LA)):
    member = member or make_member(county="Alameda", preferred_language="English")
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(), "urgency": "ROUTINE", "facts": "Unsheltered.",
            "populations": [population] if population else []}
    referral = submit_referral(data, actor=actor, channel=Channel.WEB, received_at=decided_at).referral
    request = open_authorization(referral, actor=actor)
    return decide(request, DecisionInput("APPROVED", start_date=decided_at.astimezone(LA).date()), actor=actor,
                  now=decided_at)
