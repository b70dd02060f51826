"""42 CFR Part 2 in a real browser: the assigned ECM provider sees the "withheld" placeholder, records the
member's Part 2 consent with the signed form, then sees the records with the redisclosure notice; a written
revocation hides them again."""

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
from carehub.apps.consents.models import Consent

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
ECM_NPI = "1234567893"
SCREENSHOT_DIR = Path(os.environ.get("CAREHUB_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "carehub-screenshots")
PDF = b"%PDF-1.4\n% signed Part 2 consent\n%%EOF\n"


@pytest.fixture
def plan_data():
    org = make_org(OrganizationKind.ECM_PROVIDER, name="Bayview Care Partners", npi=ECM_NPI)
    make_provider(ECM_NPI, organization=org, name="Bayview Care Partners")
    ana = make_member(last_name="Garcia", first_name="Ana", person_id="P-ANA", member_id="91111111A")
    add_history(ana)
    add_program(ana, "HHP", source="plan")
    add_program(ana, "DMC_ODS", source="county")
    relate(ana, ECM_NPI)
    write_claims([{"claim_id": "C1", "person_id": "P-ANA", "claim_start_date": today() - timedelta(days=5),
                   "diagnosis_code_1": "F1120", "hcpcs_code": "99213"}])
    make_user(Role.ECM_PROVIDER_STAFF, username="ecm", organization=org)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_provider_records_a_part2_consent_then_sees_the_records_until_revoked(page, live_server, plan_data,
                                                                            tmp_path):
    base = live_server.url
    _sign_in(page, base, "ecm")
    page.goto(f"{base}/members/P-ANA/")
    assert page.get_by_role("heading", name="Information withheld").is_visible()
    assert "DMC_ODS" not in page.content() and "F1120" not in page.content()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "member-page-part2-withheld.png"), full_page=True)

    page.get_by_role("link", name="Consents, data-sharing authorizations and support persons").click()
    page.wait_for_url(f"{base}/consents/P-ANA/")
    page.get_by_role("link", name="Record a consent").click()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "consents-add.png"), full_page=True)
    page.get_by_label("Kind").select_option("PART2")
    page.get_by_label("Substance use disorder records (42 CFR Part 2)").check()
    assert page.get_by_label("Recipient provider organizations").input_value() == ECM_NPI
    page.get_by_label("Expires on").fill((today() + timedelta(days=365)).isoformat())
    form = tmp_path / "signed.pdf"
    form.write_bytes(PDF)
    page.get_by_label("Signed form").set_input_files(str(form))
    page.get_by_role("button", name="Record consent").click()
    page.wait_for_url(f"{base}/consents/P-ANA/")
    assert page.get_by_text("Consent recorded.").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="signed.pdf").click()
    assert download.value.path().read_bytes() == PDF
    assert AuditEvent.objects.filter(action=Action.READ, object_type="ConsentForm").exists()

    page.goto(f"{base}/members/P-ANA/")
    assert page.get_by_role("heading", name="Shared under a 42 CFR Part 2 consent").is_visible()
    assert page.get_by_role("cell", name="DMC_ODS").is_visible() and "F1120" in page.content()
    assert "Federal confidentiality rules (42 CFR part 2)" in page.content()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "member-page-part2-consent.png"), full_page=True)

    page.goto(f"{base}/consents/P-ANA/")
    page.screenshot(path=str(SCREENSHOT_DIR / "consents-panel.png"), full_page=True)
    consent = Consent.objects.get()
    row = page.locator(f'tr[data-consent="{consent.pk}"]')
    row.locator("summary", has_text="Revoke").click()
    row.get_by_label("Received").select_option("WRITTEN")
    row.locator("button[type=submit]", has_text="Revoke").click()
    page.wait_for_url(f"{base}/consents/P-ANA/")
    assert page.get_by_text("Revocation recorded.").is_visible()
    page.goto(f"{base}/members/P-ANA/")
    assert page.get_by_role("heading", name="Information withheld").is_visible()
    assert "DMC_ODS" not in page.content()
