"""Provider network in a real browser: an ECM provider's staff answer the readiness self-assessment with evidence
and submit it; provider relations find the provider by county, record its contract, and decide the verdict."""

from __future__ import annotations

import pytest
from factories import PASSWORD, make_org, make_provider, make_user
from playwright.sync_api import expect

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.providers.models import NetworkRecord, ReadinessApplication, ReadinessEvidence
from carehub.domain.network import readiness_areas

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
NPI = "1234567893"


@pytest.fixture
def network():
    org = make_org(OrganizationKind.ECM_PROVIDER, name="Bay Street Outreach", npi=NPI)
    provider = make_provider(NPI, organization=org, name="Bay Street Outreach")
    provider.counties, provider.populations, provider.capacity = ["Alameda"], ["ADULT_HOMELESS"], 40
    provider.save()
    other = make_provider("1245319599", name="Sonoma Care")
    other.counties = ["Sonoma"]
    other.save()
    make_user(Role.ECM_PROVIDER_STAFF, username="ecm", organization=org)
    make_user(Role.PLAN_PROVIDER_RELATIONS, username="network")


def sign_in(page, base, username):
    page.goto(f"{base}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_readiness_from_self_assessment_to_verdict(page, live_server, network, tmp_path):
    base = live_server.url
    sign_in(page, base, "ecm")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Readiness", exact=True).click()
    page.get_by_role("button", name="Start the application").click()
    for area in readiness_areas():
        page.get_by_label(f"Effort for {area.label}").select_option("HIGH_2" if area.code == "BILLING" else "LOW")
    page.get_by_label("Response for Outreach and engagement").fill("Street teams twice a week.")
    page.get_by_role("button", name="Save answers").click()
    page.get_by_text(f"Saved {len(readiness_areas())} area(s)").wait_for()
    # The program areas' long descriptions once stretched the page past the window (unwrapped row headers).
    page.wait_for_load_state("load")  # the stylesheet applied, so the width is the one people see
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    policy = tmp_path / "outreach-policy.pdf"
    policy.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label("File (PDF, Word, Excel, image, text; up to 10 MB)").set_input_files(str(policy))
    page.get_by_role("button", name="Upload").click()
    page.get_by_role("link", name="outreach-policy.pdf").wait_for()
    page.get_by_role("button", name="Submit the application").click()
    page.get_by_text("Application submitted").wait_for()
    assert ReadinessEvidence.objects.get().filename == "outreach-policy.pdf"

    page.context.clear_cookies()
    sign_in(page, base, "network")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Provider network").click()
    page.get_by_label("County").select_option("Alameda")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    # expect() waits for the filtered page: a count taken as the new document commits can still see no rows.
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Bay Street Outreach")
    rows.nth(0).get_by_role("link", name="Bay Street Outreach").click()
    page.get_by_label("Contract status").select_option("ACTIVE")
    page.get_by_label("Contract start").fill("2025-01-01")
    page.get_by_role("button", name="Save network record").click()
    page.get_by_text("Network record saved").wait_for()
    assert NetworkRecord.objects.get().contract_status == "ACTIVE"

    page.get_by_role("link", name="Open the readiness application").click()
    expect(page.locator("body")).to_contain_text("needs the plan's help")
    page.get_by_label("Verdict").select_option("APPROVED_WITH_CONDITIONS")
    page.get_by_label("Reasons (required for conditions or not ready)").fill("Billing support plan by October.")
    page.get_by_role("button", name="Save verdict").click()
    page.get_by_text("Verdict saved").wait_for()
    app = ReadinessApplication.objects.get()
    assert (app.verdict, app.verdict_reasons) == ("APPROVED_WITH_CONDITIONS", "Billing support plan by October.")
