"""Two roles in a real browser: sign in, search (htmx), open a member; a provider cannot open an unrelated one."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from factories import (
    PASSWORD,
    add_history,
    add_program,
    make_member,
    make_org,
    make_provider,
    make_user,
    relate,
    today,
    write_claims,
)

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.audit.models import Action, AuditEvent

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
ECM_NPI = "1234567893"
SCREENSHOT_DIR = Path(os.environ.get("CAREHUB_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "carehub-screenshots")


@pytest.fixture
def plan_data():
    org = make_org(OrganizationKind.ECM_PROVIDER, name="Bayview Care Partners")
    make_provider(ECM_NPI, organization=org, name="Bayview Care Partners")
    make_provider("1477548872", kind="PCP", name="Eastbay Family Clinic")
    ana = make_member(last_name="Garcia", first_name="Ana", person_id="P-ANA", member_id="91111111A",
                      city="Oakland", state="CA", zip_code="94607", county="Alameda", gender="F",
                      preferred_language="Spanish", address="100 Main St", phone="510-555-0100")
    add_history(ana, pcp_npi="1477548872")
    add_program(ana, "HHP", source="plan")
    add_program(ana, "DMC_ODS", source="county")
    relate(ana, ECM_NPI)
    mai = make_member(last_name="Nguyen", first_name="Mai", person_id="P-MAI", member_id="93333333C")
    relate(mai, "1982736450")
    write_claims([
        {"claim_id": f"C{i}", "person_id": "P-ANA", "claim_start_date": today() - timedelta(days=10 * i),
         "diagnosis_code_1": "F1120" if i == 2 else "I10", "hcpcs_code": "99213"} for i in range(1, 6)
    ])
    make_user(Role.PLAN_CARE_COORDINATION, username="coordinator")
    make_user(Role.ECM_PROVIDER_STAFF, username="ecm", organization=org)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _search(page, text: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Member search").click()
    page.get_by_label("Name or CIN").fill(text)
    page.get_by_role("button", name="Search").click()


def test_plan_coordinator_searches_and_opens_a_member(page, live_server, plan_data):
    base = live_server.url
    _sign_in(page, base, "coordinator")
    _search(page, "garcia")
    results = page.locator("#results")
    results.get_by_role("link", name="Garcia, Ana").wait_for()
    assert "q=garcia" in page.url  # htmx pushed the search into the address bar
    results.get_by_role("link", name="Garcia, Ana").click()
    page.wait_for_url(f"{base}/members/P-ANA/")
    assert page.get_by_role("heading", name="Ana Garcia", level=1).is_visible()
    assert page.get_by_text("Eastbay Family Clinic").is_visible()
    assert page.get_by_role("cell", name="DMC_ODS").is_visible()  # plan staff see Part 2 rows
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "member-page-plan.png"), full_page=True)


def test_provider_sees_related_member_but_not_an_unrelated_one(page, live_server, plan_data):
    base = live_server.url
    _sign_in(page, base, "ecm")
    _search(page, "Nguyen")
    page.locator("#results").get_by_text("No members match that search.").wait_for()
    page.goto(f"{base}/members/P-MAI/")
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert "Nguyen" not in page.content()
    assert AuditEvent.objects.filter(action=Action.DENIED, person_id="P-MAI").exists()

    _search(page, "Garcia")
    page.locator("#results").get_by_role("link", name="Garcia, Ana").click()
    page.wait_for_url(f"{base}/members/P-ANA/")
    assert page.get_by_role("heading", name="Information withheld").is_visible()
    assert "DMC_ODS" not in page.content() and "F1120" not in page.content()
    page.screenshot(path=str(SCREENSHOT_DIR / "member-page-provider.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")
    assert page.get_by_text("You have signed out.").is_visible()
