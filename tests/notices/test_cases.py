"""Grievances and appeals on their own clocks, linked to the decision; the UM/compliance worklist."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.notices.cases import CaseError, CaseInput, acknowledge, record_case, resolve, worklist
from carehub.apps.notices.models import Case, CaseStatus
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral
from carehub.domain.deadlines import ClockState

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LA)


@pytest.fixture
def um():
    return make_user(Role.PLAN_UTILIZATION_MANAGEMENT)


def denied(member, um, decision="DENIED"):
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat()}
    referral = submit_referral(data, actor=um, channel=Channel.WEB).referral
    request = open_authorization(referral, actor=um)
    return decide(request, DecisionInput(decision, reasons="Not eligible."), actor=um)


def test_standard_appeal_clocks_over_thanksgiving_are_calendar_days(um):
    member = make_member()
    decision = denied(member, um)
    received = datetime(2025, 11, 26, 15, 0, tzinfo=LA)
    case = record_case(member, CaseInput("APPEAL", "the member", "Please reconsider.", authorization_id=decision.pk),
                       actor=um, received_at=received)
    assert case.authorization == decision
    assert case.acknowledgement_due_at == end_of(date(2025, 12, 1))  # 5 calendar days, holidays count
    assert case.resolution_due_at == end_of(date(2025, 12, 26))  # 30 calendar days
    assert case.next_due_at == case.acknowledgement_due_at


def test_expedited_appeal_resolves_in_72_hours_without_acknowledgement(um):
    member = make_member()
    decision = denied(member, um, "MODIFIED")
    received = datetime(2025, 3, 7, 10, 0, tzinfo=LA)
    case = record_case(member, CaseInput("APPEAL", "Dr. Lee", "Urgent.", expedited=True,
                                         authorization_id=decision.pk), actor=um, received_at=received)
    assert case.acknowledgement_due_at is None
    assert case.resolution_due_at == datetime(2025, 3, 10, 11, 0, tzinfo=LA)  # across the DST change


def test_appeal_needs_an_adverse_decision_of_this_member(um):
    member, other = make_member(), make_member(first_name="Bo")
    decision = denied(other, um)
    with pytest.raises(CaseError):
        record_case(member, CaseInput("APPEAL", "member", "x", authorization_id=decision.pk), actor=um)
    with pytest.raises(CaseError):
        record_case(member, CaseInput("APPEAL", "member", "x"), actor=um)
    assert Case.objects.count() == 0


def test_grievance_acknowledged_then_resolved(um):
    member = make_member()
    case = record_case(member, CaseInput("GRIEVANCE", "the member", "Nobody called me back."), actor=um,
                       received_at=datetime(2025, 12, 22, 9, 0, tzinfo=LA))
    assert case.resolution_due_at == end_of(date(2026, 1, 21))
    case = acknowledge(case, actor=um, now=datetime(2025, 12, 24, 9, 0, tzinfo=LA))
    assert case.status == CaseStatus.ACKNOWLEDGED and case.next_due_at == case.resolution_due_at
    with pytest.raises(CaseError):
        resolve(case, outcome="UPHELD", resolution="x", actor=um)  # appeal outcomes only for appeals
    case = resolve(case, outcome="RESOLVED", resolution="Care manager called.", actor=um)
    assert case.status == CaseStatus.RESOLVED and case.next_due_at is None


def test_worklist_nearest_clock_first_with_overdue_on_top(um):
    member = make_member()
    now = datetime(2025, 6, 20, 12, 0, tzinfo=LA)
    late = record_case(member, CaseInput("GRIEVANCE", "m", "late"), actor=um,
                       received_at=datetime(2025, 6, 10, 9, 0, tzinfo=LA))
    today = record_case(member, CaseInput("GRIEVANCE", "m", "today"), actor=um,
                        received_at=datetime(2025, 6, 15, 9, 0, tzinfo=LA))
    later = record_case(member, CaseInput("GRIEVANCE", "m", "later"), actor=um,
                        received_at=datetime(2025, 6, 19, 9, 0, tzinfo=LA))
    lines = worklist(um, now=now)
    assert [(line.case.pk, line.state) for line in lines] == [
        (late.pk, ClockState.OVERDUE), (today.pk, ClockState.DUE_TODAY), (later.pk, ClockState.ON_TIME)]
    assert worklist(make_user(Role.ECM_PROVIDER_STAFF), now=now) == []


def test_appeal_recorded_from_the_review_page_and_shown_in_worklist(client, um):
    member = make_member()
    decision = denied(member, um)
    client.force_login(um)
    response = client.post("/notices/cases/new", {"person_id": member.person_id, "authorization": decision.pk,
                                                  "kind": "APPEAL", "filed_by": "the member", "summary": "Please."})
    case = Case.objects.get()
    assert response.status_code == 302 and case.authorization_id == decision.pk
    page = client.get("/notices/cases/").content.decode()
    assert case.reference in page
    client.post(f"/notices/cases/{case.pk}/", {"step": "acknowledge"})
    client.post(f"/notices/cases/{case.pk}/", {"step": "resolve", "outcome": "OVERTURNED", "resolution": "Approved."})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.RESOLVED, "OVERTURNED")
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    assert client.get("/notices/cases/").status_code == 403
