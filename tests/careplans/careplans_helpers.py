"""Set-up shared by the care plan tests: an ECM provider with staff, assigned members, authorizations."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone
from factories import make_member, make_org, make_provider, make_user

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.assignments.models import Assignment, AssignmentStatus
from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest, Decision
from carehub.apps.referrals.models import Channel, Referral, ReferralSource, ReferralStatus, Urgency
from carehub.domain import careplan as policy

LA = ZoneInfo("America/Los_Angeles")
NPI_A, NPI_B = "1234567893", "1245319599"
_seq = itertools.count(1)


def ecm_org(npi: str = NPI_A):
    """An ECM provider organization that signs in under `npi`, with its network record."""
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=npi)
    make_provider(npi, organization=org)
    return org


def lcm(org, role: str = Role.LEAD_CARE_MANAGER):
    return make_user(role, organization=org)


def assign(member, npi: str = NPI_A, *, status: str = AssignmentStatus.ACCEPTED) -> Assignment:
    return Assignment.objects.create(member=member, provider_npi=npi, rule="test", assigned_at=timezone.now(),
                                     status=status)


def authorize(member, start: date, *, kind: str = AuthorizationKind.STANDARD) -> AuthorizationRequest:
    """An approved ECM authorization starting on `start` (CONTINUITY and PRESUMPTIVE are automatic)."""
    at = datetime.combine(start, time(9), tzinfo=LA)
    referral = Referral.objects.create(
        reference=f"CPT{next(_seq):06d}", received_at=at, source=ReferralSource.IDENTIFIED,
        channel=Channel.IDENTIFIED, referrer_name="Plan", first_name=member.first_name,
        last_name=member.last_name, birth_date=member.birth_date, member=member, status=ReferralStatus.CLOSED)
    return AuthorizationRequest.objects.create(
        referral=referral, member=member, kind=kind, urgency=Urgency.ROUTINE, received_at=at,
        clock_rule="authorization-routine", due_at=at, decision=Decision.APPROVED, decided_at=at, start_date=start,
        end_date=policy.add_months(start, 12))


def assigned_member(npi: str = NPI_A, **fields):
    member = make_member(**fields)
    assign(member, npi)
    return member


def complete_content(*, ltss: bool = False) -> dict:
    content = policy.empty_content()
    for code, entry in content["domains"].items():
        entry.update(goals=f"I want help with {code.lower()}", needs="need", strategies="plan",
                     responsible="Lee Chen", due_date="2027-01-31", status="IN_PROGRESS")
    if ltss:
        content["ltss"] = {code: f"written {code.lower()}" for code in policy.LTSS_ELEMENT_CODES}
    return content
