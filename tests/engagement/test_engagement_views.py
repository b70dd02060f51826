"""Engagement pages: the scoped, audited, paginated worklist (query count bounded at 60 rows), the member's
engagement page and its forms, the plan's not-engaged list with routing, and the monthly contact report + CSV."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from engagement_helpers import NPI_B, assign, care_manager, days_ago, ecm_shop
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.engagement import services
from carehub.apps.engagement.models import Activity, Enrollment, LeadCareManagerAssignment, OutreachAttempt
from carehub.apps.members.models import HousingEpisode, Incarceration

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return ecm_shop()


def _rows(response):
    return [f.assignment for f in response.context["page"].rows]


def test_worklist_most_immediate_needs_first_and_scoped(client, shop):
    plain = assign(last_name="Plain")
    released = assign(last_name="Released")
    Incarceration.objects.create(member=released.member, row_key="inc-1", row_hash="x", facility_type="JAIL",
                                 admission_date=days_ago(200), release_date=days_ago(10))
    unsheltered = assign(last_name="Outside")
    HousingEpisode.objects.create(member=unsheltered.member, row_key="h-1", row_hash="x", status="UNSHELTERED",
                                  start_date=days_ago(100))
    elsewhere = assign(NPI_B, last_name="Elsewhere")
    client.force_login(shop.staff)
    response = client.get("/engagement/worklist/")
    assert response.status_code == 200
    assert _rows(response) == [released, unsheltered, plain]
    assert elsewhere not in _rows(response)
    event = AuditEvent.objects.filter(object_type="EngagementWorklist").latest("seq")
    assert event.detail["person_ids"] == [released.member_id, unsheltered.member_id, plain.member_id]
    html = response.content.decode()
    assert "Released" in html and "0 of 3" in html and "not assigned" in html
    # another provider's member is not found, and the refusal is audited
    assert client.get(f"/engagement/{elsewhere.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="DENIED", object_id=str(elsewhere.pk)).exists()


def test_lead_care_manager_sees_own_members_first_and_mine_filter(client, shop):
    other = care_manager(shop.provider)
    theirs, mine = assign(), assign()
    services.assign_lead_care_manager(theirs, other, actor=shop.staff)
    services.assign_lead_care_manager(mine, shop.lcm, actor=shop.staff)
    client.force_login(shop.lcm_user)
    assert _rows(client.get("/engagement/worklist/"))[0] == mine
    assert _rows(client.get("/engagement/worklist/?mine=1")) == [mine]


def test_worklist_query_count_is_bounded_and_paginated(client, shop, django_assert_max_num_queries):
    roster = [care_manager(shop.provider, f"CM {i}") for i in range(3)]
    for i in range(60):
        a = assign(last_name=f"Member{i:02d}")
        OutreachAttempt.objects.create(assignment=a, attempted_on=days_ago(0), method="PHONE", outcome="NO_ANSWER")
        LeadCareManagerAssignment.objects.create(assignment=a, care_manager=roster[i % 3], start_date=days_ago(0))
    client.force_login(shop.staff)
    client.get("/engagement/worklist/")  # warm the session
    with django_assert_max_num_queries(24):
        response = client.get("/engagement/worklist/")
    page = response.context["page"]
    assert (page.total, page.pages, len(page.rows)) == (60, 2, 50)
    with CaptureQueriesContext(connection) as first:
        client.get("/engagement/worklist/")
    with CaptureQueriesContext(connection) as second:
        assert len(_rows(client.get("/engagement/worklist/?page=2"))) == 10
    assert len(first.captured_queries) == len(second.captured_queries)  # 50 rows or 10: the same queries


def test_detail_forms_record_and_refusals_show_the_reason(client, shop):
    a = assign()
    client.force_login(shop.staff)
    page = client.get(f"/engagement/{a.pk}/")
    assert page.status_code == 200 and "Record attempt" in page.content.decode()
    response = client.post(f"/engagement/{a.pk}/outreach/", {"attempted_on": days_ago(0).isoformat(),
                                                              "method": "PHONE", "outcome": "NO_ANSWER",
                                                              "minutes": "10"}, follow=True)
    assert "in person first" in response.content.decode()
    assert OutreachAttempt.objects.get(assignment=a).minutes == 10
    refused = client.post(f"/engagement/{a.pk}/activities/", {"component": "COORDINATION", "mode": "IN_PERSON",
                                                               "minutes": "20"})
    assert refused.status_code == 400 and "enrolled members only" in refused.content.decode()
    client.post(f"/engagement/{a.pk}/status/", {"action": "enroll", "on": days_ago(0).isoformat()})
    assert Enrollment.objects.get(assignment=a).status == "ENROLLED"
    client.post(f"/engagement/{a.pk}/lead/", {"care_manager": shop.lcm.pk})
    client.post(f"/engagement/{a.pk}/activities/", {"component": "COORDINATION", "mode": "IN_PERSON",
                                                    "minutes": "20", "care_manager": shop.lcm.pk})
    assert Activity.objects.filter(assignment=a, care_manager=shop.lcm).count() == 1
    client.post(f"/engagement/{a.pk}/care-team/", {"role": "PCP", "name": "Dr. Kim", "organization": "Clinic"})
    html = client.get(f"/engagement/{a.pk}/").content.decode()
    assert "Dr. Kim" in html and "Lee Nurse" in html and "Enhanced coordination of care" in html


def test_plan_staff_cannot_write_provider_records_and_members_see_nothing(client, shop):
    a = assign()
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert client.get(f"/engagement/{a.pk}/").status_code == 200
    assert client.post(f"/engagement/{a.pk}/outreach/", {"method": "PHONE", "outcome": "NO_ANSWER"}).status_code == 403
    assert client.get("/engagement/worklist/").status_code == 403
    client.force_login(make_user(Role.MEMBER, member=a.member))
    assert client.get(f"/engagement/{a.pk}/").status_code == 403
    assert OutreachAttempt.objects.count() == 0


def test_not_engaged_list_and_routing(client, shop, settings):
    settings.CAREHUB_OUTREACH_POLICY = {"required_attempts": 1, "distinct_methods": 1, "time_limit_days": 30}
    stale = assign(assigned_at=timezone.now() - timedelta(days=45), last_name="Stale")
    declined = assign(last_name="Declined")
    fresh = assign(last_name="Fresh")
    services.decline(declined, actor=shop.staff, on=days_ago(0), reason="not interested")
    coordinator = make_user(Role.PLAN_CARE_COORDINATION)
    client.force_login(coordinator)
    response = client.get("/engagement/not-engaged/")
    shown = [f.assignment for f in response.context["rows"]]
    assert set(shown) == {stale, declined} and fresh not in shown
    assert "Past the limit, attempts missing" in response.content.decode()
    client.post(f"/engagement/{declined.pk}/route/", {"routed_to": "Plan Basic Case Management"})
    assert Enrollment.objects.get(assignment=declined).routed_to == "Plan Basic Case Management"
    assert [f.assignment for f in client.get("/engagement/not-engaged/").context["rows"]] == [stale]
    client.force_login(shop.staff)
    assert client.get("/engagement/not-engaged/").status_code == 403


def test_monthly_contact_report_shows_gaps_and_csv(client, shop):
    today = timezone.localdate()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last complete month
    before = (first - timedelta(days=1)).replace(day=1)
    a, b = assign(last_name="Gap"), assign(last_name="Fine")
    for x in (a, b):
        x.assigned_at = timezone.now() - timedelta(days=90)
        x.save()
        Enrollment.objects.create(assignment=x, status="ENROLLED", enrolled_on=before)
    OutreachAttempt.objects.create(assignment=a, attempted_on=before + timedelta(days=3), method="PHONE",
                                   outcome="REACHED_ENGAGED")
    for month in (before, first):
        Activity.objects.create(assignment=b, occurred_on=month + timedelta(days=4), component="COORDINATION",
                                mode="IN_PERSON", minutes=30)
    client.force_login(shop.staff)
    period = f"from={before:%Y-%m}&to={first:%Y-%m}"
    response = client.get(f"/engagement/monthly/?{period}")
    lines = response.context["lines"]
    assert [(line.person_id, line.gaps) for line in lines] == [(a.member_id, [first])]
    csv_text = client.get(f"/engagement/monthly/?{period}&all=1&format=csv").content.decode()
    rows = csv_text.splitlines()
    assert rows[0].startswith("month,person_id,cin")
    assert f"{first:%Y-%m},{a.member_id}" in csv_text and rows[1:] and len(rows) == 5
    assert sum(r.endswith(",yes") for r in rows) == 1
    assert AuditEvent.objects.filter(object_type="MonthlyContactReport").count() == 2
    assert isinstance(first, date)


def test_member_page_shows_recent_admissions_and_ed_visits_without_part2(client, shop):
    from factories import write_claims

    a = assign()
    pid = a.member_id
    write_claims([
        {"claim_id": "IP", "person_id": pid, "claim_start_date": days_ago(20), "claim_type": "institutional",
         "bill_type_code": "0111", "place_of_service_code": None, "diagnosis_code_1": "I10"},
        {"claim_id": "ED", "person_id": pid, "claim_start_date": days_ago(40), "claim_type": "institutional",
         "bill_type_code": "0131", "revenue_center_code": "0450", "place_of_service_code": None,
         "diagnosis_code_1": "J101"},
        {"claim_id": "ED-SUD", "person_id": pid, "claim_start_date": days_ago(50), "hcpcs_code": "99284",
         "place_of_service_code": "23", "diagnosis_code_1": "F11.20"},
        {"claim_id": "OFFICE", "person_id": pid, "claim_start_date": days_ago(10), "diagnosis_code_1": "I10"},
        {"claim_id": "OLD", "person_id": pid, "claim_start_date": days_ago(500), "claim_type": "institutional",
         "bill_type_code": "111", "place_of_service_code": None, "diagnosis_code_1": "I10"},
    ])
    client.force_login(shop.staff)
    d = client.get(f"/engagement/{a.pk}/").context["d"]
    assert d.utilization == [(days_ago(20), "Hospital stay"), (days_ago(40), "Emergency department visit")]
    assert AuditEvent.objects.filter(object_type="RecentUtilization", person_id=pid).exists()
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert len(client.get(f"/engagement/{a.pk}/").context["d"].utilization) == 3  # plan staff see Part 2


def test_worklist_flags_enrolled_without_lead_or_contact_this_month(client, shop):
    a = assign(assigned_at=timezone.now() - timedelta(days=60))
    Enrollment.objects.create(assignment=a, status="ENROLLED", enrolled_on=days_ago(50))
    client.force_login(shop.staff)
    (f,) = client.get("/engagement/worklist/").context["page"].rows
    assert f.needs_lead and f.month_gap
    html = client.get("/engagement/worklist/").content.decode()
    assert "Enrolled: assign one" in html and "No contact yet this month" in html
    services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff)
    services.record_activity(a, actor=shop.staff, occurred_on=days_ago(0), component="COORDINATION",
                             mode="IN_PERSON", minutes=15)
    (f,) = client.get("/engagement/worklist/").context["page"].rows
    assert not f.needs_lead and not f.month_gap


def test_a_refused_outreach_or_activity_comes_back_as_typed(client, shop):
    """A walk-through lost every field of the outreach form on a date in the future."""
    a = assign()
    client.force_login(shop.staff)
    future = days_ago(-3).isoformat()
    refused = client.post(f"/engagement/{a.pk}/outreach/", {
        "attempted_on": future, "method": "PHONE", "outcome": "LEFT_MESSAGE", "location": "Shelter on 5th",
        "minutes": "15", "care_manager": str(shop.lcm.pk), "note": "Left a voicemail"})
    html = refused.content.decode()
    assert refused.status_code == 400 and "cannot be in the future" in html
    form = html[html.index('aria-label="Record an outreach attempt"'):]
    form = form[:form.index("</form>")]
    for kept in (f'name="attempted_on" value="{future}"', '<option value="PHONE" selected>',
                 '<option value="LEFT_MESSAGE" selected>', 'value="Shelter on 5th"', 'value="15"',
                 f'<option value="{shop.lcm.pk}" selected>', 'value="Left a voicemail"'):
        assert kept in form, kept
    refused = client.post(f"/engagement/{a.pk}/activities/", {
        "occurred_on": future, "component": "HEALTH_PROMOTION", "mode": "PHONE", "minutes": "25", "note": "Diet"})
    html = refused.content.decode()
    form = html[html.index('aria-label="Record an activity"'):]
    form = form[:form.index("</form>")]
    assert refused.status_code == 400 and 'value="25"' in form and 'value="Diet"' in form
    assert '<option value="HEALTH_PROMOTION" selected>' in form


def test_a_refused_status_change_or_lead_care_manager_keeps_the_choice(client, shop):
    """A refused "Member declines" came back as "Member enrolls" with today's date: sending it again would have
    recorded an enrollment (found by a walk-through of the demo)."""
    a = assign()
    client.force_login(shop.staff)
    future = days_ago(-2).isoformat()
    refused = client.post(f"/engagement/{a.pk}/status/", {"action": "decline", "on": future, "reason": "Moving"})
    html = refused.content.decode()
    assert refused.status_code == 400 and '<option value="decline" selected>' in html
    assert f'name="on" value="{future}"' in html and 'value="Moving"' in html
    refused = client.post(f"/engagement/{a.pk}/lead/", {"care_manager": str(shop.lcm.pk), "on": future})
    html = refused.content.decode()
    assert refused.status_code == 400 and f'<option value="{shop.lcm.pk}" selected>' in html
