"""The care plan demo data: written once for the demo member, complete, and shown on their page."""

from __future__ import annotations

import pytest
from careplans_helpers import NPI_A, assigned_member, ecm_org
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.careplans.demo import seed_demo_careplans
from carehub.apps.careplans.models import CarePlan
from carehub.apps.careplans.selectors import current_care_plan

pytestmark = pytest.mark.django_db


def test_demo_care_plan_is_written_once_for_the_member_login():
    assert seed_demo_careplans() == 0  # no demo user yet
    make_user(Role.LEAD_CARE_MANAGER, username="lcm", organization=ecm_org(NPI_A))
    assigned_member(NPI_A)
    member = assigned_member(NPI_A)
    make_user(Role.MEMBER, username="member", member=member)
    assert seed_demo_careplans() == 1
    assert seed_demo_careplans() == 0
    plan = current_care_plan(member)
    assert plan is not None and plan.latest_version().number == 1 and CarePlan.objects.count() == 1
