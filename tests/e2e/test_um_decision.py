"""UM in a real browser: the worklist by time left (overdue unmistakable), a denial with reasons, and the Notice
of Action it issues, downloaded byte for byte from the review page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import PASSWORD, make_member, make_user
from playwright.sync_api import expect

from carehub.apps.accounts.models import Role
from carehub.apps.authorizations.services import open_authorization
from carehub.apps.notices.models import Notice, NoticeKind
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def requests():
    um = make_user(Role.PLAN_UTILIZATION_MANAGEMENT, username="um")
    for first, days_ago in (("Olga", 20), ("Ana", 0)):
        member = make_member(first_name=first, last_name="Ruiz", preferred_language="es")
        data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
                "cin": member.member_id, "first_name": first, "last_name": "Ruiz",
                "birth_date": member.birth_date.isoformat()}
        referral = submit_referral(data, actor=um, channel=Channel.WEB,
                                   received_at=timezone.now() - timedelta(days=days_ago)).referral
        open_authorization(referral, actor=um)


def test_um_worklist_and_a_denial_with_its_notice(page, live_server, requests):
    base = live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("um")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Authorizations", exact=True).click()
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("OVERDUE")
    expect(rows.nth(0)).to_contain_text("Olga Ruiz")
    expect(rows.nth(1)).to_contain_text("Ana Ruiz")

    rows.nth(0).get_by_role("link", name="Olga Ruiz").click()
    page.get_by_label("Denied").check()
    page.get_by_label("Reasons (required to deny or modify)").fill("No cumple los criterios de ECM.")
    page.get_by_role("button", name="Record decision").click()
    page.get_by_role("heading", name="Notices").wait_for()
    link = page.get_by_role("link", name=".pdf").first
    link.wait_for()
    notice = Notice.objects.get(recipient="MEMBER")
    assert notice.kind == NoticeKind.DENIAL and notice.language == "es"
    response = page.request.get(f"{base}/notices/{notice.pk}.pdf")
    assert response.ok and response.body() == bytes(notice.pdf)
