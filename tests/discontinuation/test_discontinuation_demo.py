"""The demo requests: filed once for the demo ECM provider, never twice."""

from __future__ import annotations

import pytest
from discontinuation_helpers import accepted_case

from carehub.apps.discontinuation.demo import seed_demo_discontinuations
from carehub.apps.discontinuation.models import Discontinuation

pytestmark = pytest.mark.django_db


def test_demo_requests_are_idempotent():
    assert seed_demo_discontinuations() == 0  # no demo user yet
    case = accepted_case()
    case.staff.username = "ecm"
    case.staff.save()
    assert seed_demo_discontinuations() == 1
    assert seed_demo_discontinuations() == 0
    assert list(Discontinuation.objects.values_list("reason", "status")) == [("GRADUATED", "REQUESTED")]
