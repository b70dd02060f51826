"""The engagement demo data: a roster with the lcm login on it, some members enrolled with a Lead Care Manager and
some in outreach; running it again adds nothing."""

from __future__ import annotations

import pytest
from engagement_helpers import NPI_A, assign
from factories import make_org, make_provider, make_user

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.engagement.demo import seed_engagement_demo
from carehub.apps.engagement.models import Enrollment, LeadCareManagerAssignment, OutreachAttempt
from carehub.apps.providers.models import CareManager

pytestmark = pytest.mark.django_db


def test_demo_roster_and_engagement_idempotent():
    assert "no Lead Care Manager login" in seed_engagement_demo()
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=NPI_A)
    make_provider(NPI_A, organization=org)
    lcm = make_user(Role.LEAD_CARE_MANAGER, username="lcm", organization=org)
    for _ in range(14):
        assign()
    summary = seed_engagement_demo()
    assert "8 enrolled, 4 in outreach" in summary
    assert CareManager.objects.get(user=lcm).name == "Lee Care-Manager"
    assert Enrollment.objects.filter(status="ENROLLED").count() == 8
    assert LeadCareManagerAssignment.objects.count() == 8
    counts = (CareManager.objects.count(), OutreachAttempt.objects.count())
    seed_engagement_demo()
    assert (CareManager.objects.count(), OutreachAttempt.objects.count()) == counts
