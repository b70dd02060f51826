"""Authorization requests on the clock: opening, deciding, continuity, the UM worklist and review page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from factories import QueryCounter, add_program, make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest, Decision
from carehub.apps.authorizations.selectors import worklist
from carehub.apps.authorizations.services import (
    DecisionError,
    DecisionInput,
    authorize_for_continuity,
    continuity_basis,
    decide,
    open_authorization,
)
from carehub.apps.referrals.models import Channel, ReferralStatus
from carehub.apps.referrals.services import submit_referral
from carehub.domain.deadlines import ClockState

pytestmark = pytest.mark.django_db
# Decisions made today on periods of next year (an approval that has already ended is refused).
Y = timezone.localdate().year + 1
LA = ZoneInfo("America/Los_Angeles")


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LA)


@pytest.fixture
def um():
    return make_user(Role.PLAN_UTILIZATION_MANAGEMENT)


def request_for(member, *, actor, received_at, urgency="ROUTINE"):
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(), "urgency": urgency, "facts": "Frequent ED visits."}
    referral = submit_referral(data, actor=actor, channel=Channel.WEB, received_at=received_at).referral
    return open_authorization(referral, actor=actor)


def test_routine_request_due_five_working_days_after_receipt_over_thanksgiving(um):
    request = request_for(make_member(), actor=um, received_at=datetime(2025, 11, 26, 15, 0, tzinfo=LA))
    assert request.due_at == end_of(date(2025, 12, 5))
    assert request.referral.status == ReferralStatus.IN_AUTHORIZATION
    assert AuditEvent.objects.filter(object_type="AuthorizationRequest", action=Action.CREATE).count() == 1


def test_expedited_request_due_72_hours_after_receipt_across_dst(um):
    request = request_for(make_member(), actor=um, received_at=datetime(2025, 3, 7, 10, 0, tzinfo=LA),
                          urgency="EXPEDITED")
    assert request.due_at == datetime(2025, 3, 10, 11, 0, tzinfo=LA)
    assert request.clock_rule == "authorization-expedited"


def test_approve_defaults_to_twelve_months_and_starts_the_notice_clock(um):
    request = request_for(make_member(), actor=um, received_at=datetime(2025, 6, 9, 9, 0, tzinfo=LA))
    decided_at = datetime(2025, 6, 12, 16, 0, tzinfo=LA)
    decided = decide(request, DecisionInput("APPROVED", start_date=date(2025, 7, 1)), actor=um, now=decided_at)
    assert (decided.decision, decided.start_date, decided.end_date) == ("APPROVED", date(2025, 7, 1),
                                                                         date(2026, 6, 30))
    assert decided.notice_due_at == end_of(date(2025, 6, 16))
    assert decided.referral.status == ReferralStatus.CLOSED
    event = AuditEvent.objects.get(object_type="AuthorizationRequest", action=Action.UPDATE)
    assert event.detail["on_time"] is True and event.detail["decision"] == "APPROVED"


def test_plan_length_setting(um, settings):
    settings.CAREHUB_AUTHORIZATION_MONTHS = 9
    request = request_for(make_member(), actor=um, received_at=timezone.now())
    decided = decide(request, DecisionInput("APPROVED", start_date=date(Y, 7, 1)), actor=um)
    assert decided.end_date == date(Y + 1, 3, 31)


@pytest.mark.parametrize(("data", "message"), [
    (DecisionInput("APPROVED", start_date=date(Y, 7, 1), end_date=date(Y, 12, 30)), "at least 6 months"),
    (DecisionInput("DENIED"), "give the reasons"),
    (DecisionInput("MODIFIED", start_date=date(Y, 7, 1), end_date=date(Y + 1, 1, 31)), "give the reasons"),
    (DecisionInput("MAYBE"), "choose approve"),
])
def test_refused_decisions_change_nothing(um, data, message):
    request = request_for(make_member(), actor=um, received_at=timezone.now())
    with pytest.raises(DecisionError, match=message):
        decide(request, data, actor=um)
    request.refresh_from_db()
    assert request.decision == Decision.PENDING and request.decided_at is None
    assert not AuditEvent.objects.filter(object_type="AuthorizationRequest", action=Action.UPDATE).exists()


def test_deny_and_modify_with_reasons_and_no_second_decision(um):
    denied = decide(request_for(make_member(), actor=um, received_at=timezone.now()),
                    DecisionInput("DENIED", reasons="Does not meet any Population of Focus."), actor=um)
    assert (denied.decision, denied.start_date, denied.end_date) == ("DENIED", None, None)
    with pytest.raises(DecisionError, match="already been decided"):
        decide(denied, DecisionInput("APPROVED"), actor=um)
    modified = decide(request_for(make_member(), actor=um, received_at=timezone.now()),
                      DecisionInput("MODIFIED", reasons="Six months, then reassess.", start_date=date(Y, 7, 1),
                                    end_date=date(Y, 12, 31)), actor=um)
    assert modified.end_date == date(Y, 12, 31)


def test_a_request_to_continue_ecm_is_decided_on_the_expedited_clock(um):
    # seed 004 VI.G.3.b: a new member asking to continue ECM they had elsewhere: "Partnership shall expedite"
    member, other = make_member(), make_member()
    add_program(member, "ECM", start=date(2024, 6, 1), end=date(2025, 2, 28))
    received = datetime(2025, 3, 7, 10, 0, tzinfo=LA)
    request = request_for(member, actor=um, received_at=received)
    assert (request.urgency, request.clock_rule) == ("EXPEDITED", "authorization-expedited")
    assert request.due_at == datetime(2025, 3, 10, 11, 0, tzinfo=LA)
    assert request_for(other, actor=um, received_at=received).clock_rule == "authorization-routine"


def test_continuity_basis_from_programs():
    on = date(2025, 6, 1)
    wpc = make_member()
    add_program(wpc, "WPC", start=date(2024, 1, 1))
    recent_ecm = make_member()
    add_program(recent_ecm, "ECM", start=date(2024, 1, 1), end=date(2025, 3, 1))
    old_ecm = make_member()
    add_program(old_ecm, "ECM", start=date(2023, 1, 1), end=date(2024, 6, 1))
    ended_hhp = make_member()
    add_program(ended_hhp, "HHP", start=date(2022, 1, 1), end=date(2024, 12, 31))
    assert continuity_basis(wpc, on) == "enrolled in WPC"
    assert continuity_basis(recent_ecm, on) == "received ECM in the last 6 months"
    assert continuity_basis(old_ecm, on) == ""
    assert continuity_basis(ended_hhp, on) == ""


def test_continuity_authorization_is_approved_for_six_months_with_reassessment_clock():
    member = make_member()
    request = authorize_for_continuity(member, actor=make_user(Role.PLAN_CARE_COORDINATION), basis="enrolled in WPC",
                                       start=date(2025, 8, 31))
    assert (request.kind, request.decision) == (AuthorizationKind.CONTINUITY, Decision.APPROVED)
    assert (request.start_date, request.end_date) == (date(2025, 8, 31), date(2026, 2, 27))
    assert request.reassessment_due_at == end_of(date(2026, 2, 27))  # by the authorization's last day
    assert request.referral.source == "IDENTIFIED" and request.referral.channel == "IDENTIFIED"
    with pytest.raises(DecisionError):
        authorize_for_continuity(member, actor=None, basis="")


# ---- the UM worklist and review page -----------------------------------------------------------------------------

def test_worklist_sorts_by_time_left_with_overdue_and_due_today_marked(um):
    now = timezone.now()
    local_today = timezone.localdate()
    late = request_for(make_member(last_name="Late"), actor=um, received_at=now - timedelta(days=30))
    later = request_for(make_member(last_name="Later"), actor=um, received_at=now, urgency="ROUTINE")
    soon = request_for(make_member(last_name="Soon"), actor=um, received_at=now, urgency="EXPEDITED")
    today_one = request_for(make_member(last_name="Today"), actor=um, received_at=now)
    AuthorizationRequest.objects.filter(pk=today_one.pk).update(due_at=end_of(local_today))
    lines = worklist(um, now=now)
    assert [line.request.member.last_name for line in lines] == ["Late", "Today", "Soon", "Later"]
    states = {line.request.pk: line.state for line in lines}
    assert states[late.pk] == ClockState.OVERDUE and states[today_one.pk] == ClockState.DUE_TODAY
    assert states[later.pk] == ClockState.ON_TIME and lines[0].time_left.startswith("overdue by ")
    decide(late, DecisionInput("APPROVED"), actor=um)
    assert late.pk not in [line.request.pk for line in worklist(um, now=now)]
    assert soon.pk in states


def test_worklist_page_marks_overdue_and_has_a_fixed_query_count(client, um):
    client.force_login(um)
    request_for(make_member(), actor=um, received_at=timezone.now() - timedelta(days=30))
    with QueryCounter() as few:
        response = client.get("/authorizations/")
    assert "⚠ OVERDUE" in response.content.decode() and "1 overdue" in response.content.decode()
    for _ in range(6):
        request_for(make_member(), actor=um, received_at=timezone.now())
    with QueryCounter() as many:
        client.get("/authorizations/")
    assert many.count == few.count


def test_review_page_shows_the_evidence_and_records_the_decision(client, um):
    member = make_member(last_name="Rivera", first_name="Jo")
    add_program(member, "HHP")
    request = request_for(member, actor=um, received_at=timezone.now())
    client.force_login(um)
    text = client.get(f"/authorizations/{request.pk}/").content.decode()
    assert "Frequent ED visits." in text and "HHP" in text and request.referral.reference in text
    assert AuditEvent.objects.filter(object_type="AuthorizationRequest", action=Action.READ,
                                     person_id=member.person_id).exists()
    refused = client.post(f"/authorizations/{request.pk}/", {"decision": "DENIED", "reasons": ""})
    assert refused.status_code == 400 and "give the reasons" in refused.content.decode()
    done = client.post(f"/authorizations/{request.pk}/", {"decision": "APPROVED", "start_date": f"{Y}-07-01"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert (request.decision, request.end_date, request.decided_by) == ("APPROVED", date(Y + 1, 6, 30), um)


@pytest.mark.parametrize("role", [Role.ECM_PROVIDER_STAFF, Role.PLAN_PROVIDER_RELATIONS, Role.PLAN_CARE_COORDINATION])
def test_only_um_and_admin_open_the_worklist(client, um, role):
    request = request_for(make_member(), actor=um, received_at=timezone.now())
    client.force_login(make_user(role))
    assert client.get("/authorizations/").status_code == 403
    assert client.post(f"/authorizations/{request.pk}/", {"decision": "APPROVED"}).status_code == 403
    request.refresh_from_db()
    assert request.decision == Decision.PENDING


def test_api_worklist_for_plan_staff_only(client, um):
    request_for(make_member(), actor=um, received_at=timezone.now())
    client.force_login(um)
    rows = client.get("/api/authorizations/worklist").json()
    assert len(rows) == 1 and rows[0]["clock"] == "on time"
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    assert client.get("/api/authorizations/worklist").status_code == 403


def test_an_approval_over_before_it_is_decided_or_longer_than_two_years_is_refused(um):
    """A walk-through approved 1999-01-01 to 2099-12-31 and the notice went out."""
    request = request_for(make_member(), actor=um, received_at=timezone.now())
    with pytest.raises(DecisionError, match="an approval ending on 1999-12-31 is over before it is decided"):
        decide(request, DecisionInput("APPROVED", start_date=date(1999, 1, 1)), actor=um)
    with pytest.raises(DecisionError, match=f"at most 24 months \\(to {Y + 2}-06-30\\)"):
        decide(request, DecisionInput("APPROVED", start_date=date(Y, 7, 1), end_date=date(2099, 12, 31)), actor=um)
    request.refresh_from_db()
    assert request.decision == Decision.PENDING
    assert decide(request, DecisionInput("APPROVED", start_date=date(Y, 7, 1), end_date=date(Y + 2, 6, 30)),
                  actor=um).end_date == date(Y + 2, 6, 30)
