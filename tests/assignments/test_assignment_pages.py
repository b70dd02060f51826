"""The assignment pages as staff use them: forms that name the member by person id or CIN, and problems shown
inside the page with what was typed (found by a walk-through of the demo)."""

from __future__ import annotations

from datetime import datetime

import pytest
from assign_helpers import LA, NPI_A, NPI_B, approved, ecm_provider
from django.utils import timezone
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import services
from carehub.apps.assignments.models import Assignment, AssignmentStatus, ChangeStatus, ProviderChangeRequest
from carehub.apps.providers.models import ProviderOrganization

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


# ---- problems come back inside the page, not as a bare text page ---------------------------------------------------

def _in_layout(response) -> str:
    page = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="en">' in page and 'aria-label="Main"' in page  # the normal layout, with the menu
    return page


def test_a_return_without_a_reason_is_shown_on_the_members_page(client, plan, assigned):
    assignment = Assignment.objects.get()
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF,
                                 organization=ProviderOrganization.objects.get(npi=NPI_A).organization))
    page = _in_layout(client.post(f"/assignments/{assignment.pk}/return/", {"reason": "  "}))
    assert f'Say why the member is returned <a href="#assignment-{assignment.pk}">Back to the member</a>' in page
    assert f'id="assignment-{assignment.pk}"' in page and assigned.last_name in page
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ASSIGNED and assignment.return_reason == ""


def test_a_move_the_provider_cannot_take_is_shown_on_the_queue_with_the_npi_typed(client, plan, assigned):
    change = services.request_provider_change(assigned, actor=plan, channel="PHONE")
    page = _in_layout(client.post(f"/assignments/changes/{change.pk}/complete/", {"new_npi": NPI_B}))
    assert ("That provider cannot take the member: it does not serve the member&#x27;s county; enter another NPI "
            f'<a href="#change-{change.pk}">Back to the form</a>') in page
    assert f'id="change-{change.pk}"' in page and f'name="new_npi" value="{NPI_B}"' in page
    change.refresh_from_db()
    assert change.status == ChangeStatus.OPEN
    assert Assignment.objects.get().provider_npi == NPI_A


def test_a_refused_phone_request_is_shown_on_the_queue_with_what_was_typed(client, plan, assigned):
    page = _in_layout(client.post("/assignments/changes/", {"person_id": assigned.person_id, "channel": "FAX",
                                                            "reason": "Closer to home"}))
    assert 'Channel must be phone, mail or portal <a href="#new-change">Back to the form</a>' in page
    assert f'value="{assigned.person_id}"' in page and 'value="Closer to home"' in page
    assert not ProviderChangeRequest.objects.exists()


def test_exchange_file_problems_are_shown_on_the_files_page(client, plan, assigned):
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF,
                                 organization=ProviderOrganization.objects.get(npi=NPI_A).organization))
    assert "Choose RTF or OTF and a workbook to upload." in _in_layout(client.post("/assignments/files/", {}))
    page = _in_layout(client.get("/assignments/files/mif/", {"npi": NPI_A, "period": "2025-13"}))
    assert "The MIF could not be made: the period must be YYYY-MM." in page


# ---- what a phone or mail request may say -------------------------------------------------------------------------

@pytest.mark.parametrize("npi", ["12345", "1234567890", "12345678930", "123456789A"])
def test_a_request_for_a_provider_that_is_not_a_valid_npi_is_refused(client, plan, assigned, npi):
    page = _in_layout(client.post("/assignments/changes/", {"person_id": assigned.person_id, "channel": "PHONE",
                                                            "requested_npi": npi, "reason": "Closer to home"}))
    assert ("The provider asked for is not a valid NPI (10 digits, the last a check digit): check it, or leave it "
            "blank if the member named no provider") in page
    assert f'name="requested_npi" value="{npi}"' in page
    assert not ProviderChangeRequest.objects.exists()


def test_a_reason_over_2000_characters_is_refused_not_cut(client, plan, assigned):
    page = _in_layout(client.post("/assignments/changes/", {"person_id": assigned.person_id, "channel": "MAIL",
                                                            "requested_npi": NPI_B, "reason": "x" * 3000}))
    assert "The reason is at most 2,000 characters (this one has 3,000): shorten it" in page
    assert not ProviderChangeRequest.objects.exists()
    assert client.post("/assignments/changes/", {"person_id": assigned.person_id, "channel": "MAIL",
                                                 "requested_npi": NPI_B, "reason": "x" * 2000}).status_code == 302
    assert ProviderChangeRequest.objects.get().reason == "x" * 2000


def test_a_members_own_request_over_the_limit_is_refused_with_a_way_back(client, assigned):
    client.force_login(make_user(Role.MEMBER, member=assigned))
    page = _in_layout(client.post("/assignments/changes/mine/", {"reason": "x" * 3000}))
    assert "The reason is at most 2,000 characters (this one has 3,000): shorten it." in page
    assert 'href="/discontinuation/my-ecm/"' in page
    assert not ProviderChangeRequest.objects.exists()



def test_pages_name_populations_and_rules_in_words_not_codes(client, plan):
    """A walk-through read ADULT_AVOIDABLE_UTILIZATION and 'BEST_MATCH 2' on the pages."""
    ecm_provider(NPI_A, populations=("ADULT_AVOIDABLE_UTILIZATION",))
    approved(make_member(county="Alameda"), actor=plan, population="ADULT_AVOIDABLE_UTILIZATION",
             decided_at=timezone.now())
    queue = client.get("/assignments/").content.decode()
    assert "Adults at risk for avoidable hospital or ED utilization" in queue
    assert "ADULT_AVOIDABLE_UTILIZATION<" not in queue
    assert services.assign_authorized(actor=plan).summary() == (
        "assigned 1, left in the queue 0 (1 by the best match)")


def test_the_queue_shows_only_its_own_messages(client, plan):
    """Any text put in ?done= was shown as a success banner (found by a walk-through of the demo); the batch's
    summary now comes as a message of the session."""
    spoofed = client.get("/assignments/?done=Call+555-0100+to+verify+your+account").content.decode()
    assert "555-0100" not in spoofed
    page = client.post("/assignments/run/", follow=True).content.decode()
    assert "Assigned 0, left in the queue 0." in page
