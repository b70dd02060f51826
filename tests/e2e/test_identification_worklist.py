"""The identification worklist in a real browser: switching the Show choice (htmx) brings the heading and the
filters of that list, including "Why no longer" for members no longer eligible."""

from __future__ import annotations

from datetime import date

import pytest
from factories import PASSWORD, make_member, make_user

from carehub.apps.accounts.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


def test_switching_to_no_longer_eligible_shows_its_heading_reasons_and_filter(page, live_server):
    from carehub.apps.identification.services import store_run
    from carehub.apps.members.models import EligibilitySpan

    for person_id, ends in (("STAYS", None), ("LEFT", date(2024, 8, 15))):
        member = make_member(person_id=person_id, last_name=person_id.title())
        EligibilitySpan.objects.create(member=member, row_key=f"el-{person_id}", row_hash="x",
                                       start_date=date(2024, 1, 1), end_date=ends)
    for as_of, people in ((date(2024, 7, 31), ("STAYS", "LEFT")), (date(2024, 8, 31), ("STAYS",))):
        store_run([(p, "", "ADULT_HOMELESS", "", "", False, "", False, i, "Kern", None, "", "")
                   for i, p in enumerate(people, start=1)], as_of=as_of)
    make_user(Role.PLAN_CARE_COORDINATION, username="coordinator")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(f"{live_server.url}/identification/?change=STILL")
    assert page.locator("h1").inner_text() == "Still eligible members"
    assert page.locator("#why").count() == 0
    page.select_option("#change", "NO_LONGER")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "change=NO_LONGER" in url)
    page.locator("h1", has_text="No longer eligible members").wait_for()
    assert page.locator("#why").count() == 1
    assert page.get_by_text("Medi-Cal eligibility ended 2024-08-15").count() == 1
    page.select_option("#why", "CRITERIA")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(lambda url: "why=CRITERIA" in url)
    page.get_by_text("No members match these filters.").wait_for()
