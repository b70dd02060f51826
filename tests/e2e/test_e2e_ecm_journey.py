"""The whole ECM journey in a real browser, from assignment to graduation (issue 6 "Tests"), as a Lead Care
Manager and as plan care coordination:

provider accepts the assignment -> records an outreach attempt -> the member enrolls -> the Lead Care Manager is
assigned -> comprehensive assessment -> care plan finalized -> a core-service activity -> graduation requested
with evidence -> the plan confirms -> the Notice of Action is issued (downloaded byte for byte), the provider is
notified, the transition is on the plan's 30-day clock, and the member's own page says ECM ended.

Set-up (not part of the journey's pages): the member's referral and authorization, and the batch assignment,
go through their services as the plan would have run them before.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from factories import PASSWORD, make_member, make_org, make_provider, make_user

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.assignments import services as assignments
from carehub.apps.assignments.models import Assignment, AssignmentStatus
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.discontinuation import services as discontinuation_services
from carehub.apps.discontinuation.models import Discontinuation, Status
from carehub.apps.notices.models import Notice, NoticeKind
from carehub.apps.notifications.models import Notification
from carehub.apps.providers.models import CareManager
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("transactional_db")]
NPI = "1234567893"
LA = ZoneInfo("America/Los_Angeles")
SCREENSHOT_DIR = Path(os.environ.get("CAREHUB_SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "carehub-screenshots")


@pytest.fixture
def journey():
    plan_org = make_org(OrganizationKind.PLAN, name="CareHub Demo Health Plan")
    coordinator = make_user(Role.PLAN_CARE_COORDINATION, username="coordinator", organization=plan_org)
    org = make_org(OrganizationKind.ECM_PROVIDER, name="Bayview Care Partners", npi=NPI)
    provider = make_provider(NPI, organization=org, name="Bayview Care Partners")
    provider.capacity, provider.counties, provider.populations = 10, ["Alameda"], ["ADULT_HOMELESS"]
    provider.languages, provider.tin, provider.phone = ["en"], "123456789", "510-555-0100"
    provider.save()
    lcm = make_user(Role.LEAD_CARE_MANAGER, username="lcm", organization=org)
    CareManager.objects.create(provider=provider, user=lcm, name="Lee Care-Manager", role="NURSE",
                               languages=["en"], populations=["ADULT_HOMELESS"], max_caseload=30)
    member = make_member(first_name="Rosa", last_name="Diaz", person_id="P-ROSA", member_id="95555555E",
                         county="Alameda", preferred_language="English", address="12 Harbor Rd", city="Oakland",
                         state="CA", zip_code="94607", phone="510-555-0199")
    make_user(Role.MEMBER, username="rosa", member=member)
    decided = timezone.now() - timedelta(days=3)
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": "Rosa", "last_name": "Diaz",
            "birth_date": member.birth_date.isoformat(), "urgency": "ROUTINE", "facts": "Unsheltered.",
            "populations": ["ADULT_HOMELESS"]}
    referral = submit_referral(data, actor=coordinator, channel=Channel.WEB, received_at=decided).referral
    authorization = decide(open_authorization(referral, actor=coordinator),
                           DecisionInput("APPROVED", start_date=decided.astimezone(LA).date()),
                           actor=coordinator, now=decided)
    (assignment,) = assignments.assign_authorized(actor=coordinator, now=decided + timedelta(hours=1),
                                                  authorization_ids=[authorization.pk]).assigned
    assert assignment.provider_npi == NPI
    return assignment


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _sign_out(page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")


def _menu(page, label: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


# Answer every question of the assessment template: "no" to yes/no questions (no LTSS needs), the first choice,
# today for dates, a sentence for long text, 0 for the short inputs (counts such as ED visits).
_ANSWER_ALL = """(today) => {
  for (const el of document.querySelectorAll('form select:not([disabled])')) {
    const values = [...el.options].map(o => o.value).filter(v => v);
    el.value = values.includes('no') ? 'no' : values[0];
  }
  for (const el of document.querySelectorAll('form textarea:not([readonly])')) el.value = 'Discussed with Rosa.';
  for (const el of document.querySelectorAll('form input[type=text]:not([readonly])')) el.value = '0';
  for (const el of document.querySelectorAll('form input[type=date]:not([readonly])')) el.value = today;
}"""

# Every care plan domain but the first waved off with a reason (none needed now); the first one is typed in.
_WAVE_OFF_OTHER_DOMAINS = """() => {
  const fields = [...document.querySelectorAll('input[name$="-no_need"]')];
  fields.slice(1).forEach(el => { el.value = 'No current need (assessment).'; });
  return fields[0].name.split('-')[1];
}"""


def test_ecm_journey_from_assignment_to_graduation(page, live_server, journey):
    base = live_server.url
    assignment: Assignment = journey
    today = timezone.localdate().isoformat()

    # ---- the Lead Care Manager ---------------------------------------------------------------------------------
    _sign_in(page, base, "lcm")
    _menu(page, "Assigned members")
    row = page.locator("tbody tr", has_text="Diaz")
    row.get_by_role("button", name="Accept").click()
    page.locator("tbody tr", has_text="Accepted by the provider").wait_for()

    page.goto(f"{base}/engagement/{assignment.pk}/")
    outreach = page.get_by_role("form", name="Record an outreach attempt")
    outreach.get_by_label("Method").select_option("IN_PERSON")
    outreach.get_by_label("Where").fill("Harbor shelter")
    outreach.get_by_label("Outcome").select_option("REACHED_ENGAGED")
    outreach.get_by_label("Minutes").fill("40")
    outreach.get_by_role("button", name="Record attempt").click()
    page.get_by_text("Outreach attempt recorded.").wait_for()

    page.get_by_label("Change").select_option("enroll")
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_text("Status: Enrolled.").wait_for()

    lead = page.get_by_role("form", name="Assign the Lead Care Manager")
    lead.get_by_label("Care manager").select_option(label=lead.get_by_label("Care manager")
                                                    .locator("option").first.inner_text())
    lead.get_by_role("button", name="Assign").click()
    page.get_by_text("Lee Care-Manager is now the Lead Care Manager.").wait_for()

    # Comprehensive assessment, then the care plan from it.
    page.goto(f"{base}/careplans/member/{assignment.member_id}/")
    page.get_by_role("button", name="Start an assessment").click()
    page.get_by_role("heading", name="Comprehensive assessment: Rosa Diaz").wait_for()
    page.evaluate(_ANSWER_ALL, today)
    page.get_by_role("button", name="Complete the assessment").click()
    page.get_by_text("Assessment saved.").wait_for()
    page.goto(f"{base}/careplans/member/{assignment.member_id}/")
    page.get_by_role("button", name="Start a care plan").click()
    page.get_by_role("heading", name="Individualized Care Plan: Rosa Diaz").wait_for()
    first = page.evaluate(_WAVE_OFF_OTHER_DOMAINS)
    page.locator(f"#d-{first}-goals").fill("See my doctor regularly and keep my medicines in order.")
    page.locator(f"#d-{first}-needs").fill("Connection to primary care.")
    page.locator(f"#d-{first}-strategies").fill("Book a PCP visit; pill organizer; ride to appointments.")
    page.locator(f"#d-{first}-responsible").fill("Lee Care-Manager (Nurse)")
    page.locator(f"#d-{first}-due_date").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.locator(f"#d-{first}-status").select_option("MET")
    page.get_by_label("What changed (for the version history)").fill("First plan.")
    page.get_by_role("button", name="Finalize a new version").click()
    page.get_by_text("Version 1 finalized").wait_for()

    page.goto(f"{base}/engagement/{assignment.pk}/")
    activity = page.get_by_role("form", name="Record an activity")
    activity.get_by_label("Component").select_option("HEALTH_PROMOTION")
    activity.get_by_label("How").select_option("IN_PERSON")
    activity.get_by_label("Minutes").fill("45")
    activity.get_by_label("Note").fill("Medication teaching.")
    activity.get_by_role("button", name="Record activity").click()
    page.get_by_text("Activity recorded.").wait_for()

    # Graduation (seed 004 VI.F.1.a), with the evidence the plan reviews.
    _menu(page, "Discontinuation")
    page.get_by_label("Member", exact=True).select_option(str(assignment.pk))
    page.get_by_role("radio", name="Graduated: care plan goals met").check()
    page.get_by_label("Evidence", exact=True).fill(
        "ICP goals met: PCP visit kept, manages her medications, housed; connected to behavioral health and to "
        "the food bank, keeps her own appointments, and her sister is her support person for the next months.")
    page.get_by_role("button", name="Send to the plan").click()
    page.get_by_role("heading", name="Discontinuation of ECM: Rosa Diaz").wait_for()
    assert page.get_by_text("Requested, waiting for the plan").is_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "journey-graduation-requested.png"), full_page=True)
    _sign_out(page, base)

    # ---- plan care coordination ----------------------------------------------------------------------------------
    _sign_in(page, base, "coordinator")
    _menu(page, "Discontinuations")
    # The long reason labels in the plan's own form once widened the page past the window.
    page.wait_for_load_state("load")  # the stylesheet applied, so the width is the one people see
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.locator("tbody tr", has_text="Rosa Diaz").get_by_role("link", name="Review").click()
    page.get_by_text("Every goal is marked met in care plan version 1.").wait_for()
    page.wait_for_load_state("load")  # the stylesheet applied, so the width is the one people see
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # the facts table once did not wrap
    page.get_by_label("Transition to").fill("Complex Case Management")
    page.get_by_role("button", name="Confirm discontinuation").click()
    page.get_by_text("Confirmed by the plan").wait_for()
    item = Discontinuation.objects.get()
    notice = Notice.objects.get(kind=NoticeKind.DISCONTINUATION)
    assert (item.status, item.notice_id, notice.language) == (Status.CONFIRMED, notice.pk, "en")
    page.get_by_role("link", name=notice.reference).wait_for()
    response = page.request.get(f"{base}/notices/{notice.pk}.pdf")
    assert response.ok and response.body() == bytes(notice.pdf)
    # 42 CFR 431.211: ECM ends 10 days after the notice; the provider serves the member until then.
    ends = timezone.localdate() + timedelta(days=10)
    page.get_by_text(f"{ends.isoformat()}, after the member's advance notice").wait_for()
    assert Assignment.objects.get(pk=assignment.pk).status != AssignmentStatus.ENDED
    assert discontinuation_services.end_due(ends)["ended"] == 1  # the day's job
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.ENDED
    assert Notification.objects.filter(kind="discontinuation-confirmed", recipient_org__npi=NPI).exists()
    _menu(page, "Discontinuations")
    transition = page.locator("tbody tr", has_text="Complex Case Management")
    assert (timezone.localdate() + timedelta(days=30)).isoformat() in transition.inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "journey-plan-queue.png"), full_page=True)
    _sign_out(page, base)

    # ---- the member sees it on their own page ---------------------------------------------------------------------
    _sign_in(page, base, "rosa")
    _menu(page, "My ECM")
    page.get_by_text("You are not receiving ECM now.").wait_for()
    assert page.get_by_text("Bayview Care Partners").is_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "journey-member-my-ecm.png"), full_page=True)
