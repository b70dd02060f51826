"""The assignment pages as staff use them: forms that name the member by person id or CIN, and problems shown
inside the page with what was typed (found by a walk-through of the demo)."""

from __future__ import annotations

from datetime import datetime

import pytest
from assign_helpers import LA, NPI_A, NPI_B, approved, ecm_provider
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import services
from carehub.apps.assignments.models import ProviderChangeRequest

pytestmark = pytest.mark.django_db
SOON = datetime(2025, 6, 4, 9, 0, tzinfo=LA)


@pytest.fixture
def plan(client):
    user = make_user(Role.PLAN_CARE_COORDINATION)
    client.force_login(user)
    return user


@pytest.fixture
def assigned(plan):
    """A member assigned to NPI_A; NPI_B serves another county."""
    ecm_provider(NPI_A)
    ecm_provider(NPI_B, counties=("Fresno",))
    member = make_member(county="Alameda", member_id="91234567A", person_id="P0000042")
    approved(member, actor=plan)
    services.assign_authorized(actor=plan, now=SOON)
    return member


def test_a_phone_request_names_the_member_by_cin_too(client, plan, assigned):
    response = client.post("/assignments/changes/", {"person_id": "91234567a", "channel": "PHONE",
                                                     "reason": "Closer to home"})
    assert response.status_code == 302
    assert ProviderChangeRequest.objects.get().member == assigned


def test_an_unknown_member_comes_back_on_the_page_with_what_was_typed(client, plan, assigned):
    response = client.post("/assignments/changes/", {"person_id": "99999999Z", "channel": "MAIL",
                                                     "requested_npi": NPI_A, "reason": "Closer to home",
                                                     "urgent": "on"})
    page = response.content.decode()
    assert response.status_code == 400 and '<html lang="en">' in page
    assert ("No member has that person id or CIN: copy either from member search. "
            '<a href="#new-change">Back to the form</a>') in page
    assert 'value="99999999Z"' in page and f'value="{NPI_A}"' in page and 'value="Closer to home"' in page
    assert '<option value="MAIL" selected>' in page and 'name="urgent" checked' in page
    assert not ProviderChangeRequest.objects.exists()
