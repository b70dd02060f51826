"""A care plan in a real browser: the Lead Care Manager sees a reassessment overdue, completes the comprehensive
assessment beside the plan's HRA, writes and finalizes the care plan (missing fields named first); the member
reads it in Spanish, downloads the PDF and asks for an update; the provider marks the request done."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from careplans_helpers import NPI_A, assign, authorize, ecm_org
from factories import PASSWORD, make_member, make_user
from playwright.sync_api import expect

from carehub.apps.accounts.models import Role
from carehub.apps.authorizations.models import AuthorizationKind
from carehub.apps.careplans.models import CarePlanVersion, UpdateRequest
from carehub.apps.members.models import Assessment as LoadedAssessment
from carehub.domain import careplan as policy

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
SCREENSHOT_DIR = Path(os.environ.get("CAREHUB_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "carehub-screenshots")


@pytest.fixture
def plan_data():
    org = ecm_org(NPI_A)
    ana = make_member(last_name="Garcia", first_name="Ana", person_id="P-ANA", member_id="91111111A",
                      preferred_language="Spanish")
    assign(ana, NPI_A)
    authorize(ana, date(2024, 1, 10), kind=AuthorizationKind.CONTINUITY)  # 6-month reassessment long overdue
    LoadedAssessment.objects.create(member=ana, kind="HRA", value="Needs help bathing; LTSS referral", row_hash="x",
                                    assessed_on=date(2024, 1, 5), source="plan HRA", row_key="hra-ana")
    make_user(Role.LEAD_CARE_MANAGER, username="lcm", organization=org)
    make_user(Role.MEMBER, username="ana", member=ana)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _sign_out(page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")


def test_care_plan_from_assessment_to_the_members_copy(page, live_server, plan_data):
    base = live_server.url
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    _sign_in(page, base, "lcm")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Care plans").click()
    page.get_by_role("cell", name="Overdue").wait_for()
    page.screenshot(path=str(SCREENSHOT_DIR / "careplan-worklist.png"), full_page=True)
    page.get_by_role("link", name="Ana Garcia").first.click()
    expect(page.get_by_text("Needs help bathing; LTSS referral")).to_be_visible()  # the plan's HRA

    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_role("button", name="Complete the assessment").wait_for()  # the form, before its fields are listed
    for select in page.locator("form select").all():
        select.select_option(index=1)  # first answer of each yes/no or choice question: "Yes" for LTSS needs
    for area in page.locator("form textarea").all():
        area.fill("Discussed with Ana")
    page.get_by_role("button", name="Complete the assessment").click()
    page.get_by_text("Assessment saved.").wait_for()

    page.get_by_role("link", name="Back to the member's care plan").click()
    page.get_by_role("button", name="Start a care plan").click()
    expect(page.get_by_label("The member has long-term services and supports")).to_be_checked()  # from the assessment
    for code in policy.DOMAIN_CODES:
        if code == "ORAL":
            page.locator("#d-ORAL-goals").fill("Quiero arreglar mi diente")
            page.locator("#d-ORAL-needs").fill("Tooth pain")
            page.locator("#d-ORAL-strategies").fill("Dental appointment in 2 weeks")
            page.locator("#d-ORAL-responsible").fill("Lee (Lead Care Manager)")
            page.locator("#d-ORAL-due_date").fill("2027-01-31")
        elif code != "LTSS":
            page.locator(f"#d-{code}-no_need").fill("No current need")
    page.get_by_role("button", name="Finalize a new version").click()
    error = page.locator(".error, .message.error").first
    error.wait_for()
    assert "Long-term services and supports (LTSS): missing" in error.inner_text()
    assert "People the member chose to take part in care planning" in error.inner_text()
    page.locator("#d-LTSS-goals").fill("Quiero bañarme sola")
    page.locator("#d-LTSS-needs").fill("Help bathing")
    page.locator("#d-LTSS-strategies").fill("In-Home Supportive Services application")
    page.locator("#d-LTSS-responsible").fill("Lee")
    page.locator("#d-LTSS-due_date").fill("2027-02-28")
    for code in policy.LTSS_ELEMENT_CODES:
        page.locator(f"#ltss-{code}").fill("Recorded with Ana and her sister")
    page.get_by_role("button", name="Finalize a new version").click()
    page.get_by_text("Version 1 finalized").wait_for()
    page.screenshot(path=str(SCREENSHOT_DIR / "careplan-editor.png"), full_page=True)
    assert CarePlanVersion.objects.get().ltss_needs is True
    page.get_by_role("link", name="Back to the member's care plan").click()
    page.screenshot(path=str(SCREENSHOT_DIR / "careplan-member-file.png"), full_page=True)
    _sign_out(page, base)

    _sign_in(page, base, "ana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My care plan").click()
    page.get_by_role("heading", name="Mi plan de cuidado").wait_for()
    assert page.get_by_text("Quiero arreglar mi diente").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar mi plan (PDF)").click()
    assert download.value.suggested_filename.endswith("-es.pdf")
    page.get_by_label("¿Qué le gustaría cambiar?").fill("Agregar a mi hermana")
    page.get_by_role("button", name="Enviar").click()
    page.get_by_text("Your request was sent to your care team.").wait_for()
    page.screenshot(path=str(SCREENSHOT_DIR / "careplan-member.png"), full_page=True)
    _sign_out(page, base)

    _sign_in(page, base, "lcm")
    page.goto(f"{base}/careplans/")
    page.get_by_role("cell", name="Agregar a mi hermana").wait_for()
    page.get_by_label("What was done").fill("Sister added to the care team")
    page.get_by_role("button", name="Mark done").click()
    page.get_by_text("Request marked done").wait_for()
    assert UpdateRequest.objects.get().status == "DONE"
