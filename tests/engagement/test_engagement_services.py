"""Engagement services: outreach attempts, enrollment transitions, Lead Care Manager switches with history,
core-service activities (telehealth needs consent), care team, unreachable and routing. Refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from engagement_helpers import NPI_B, assign, care_manager, days_ago, ecm_shop, telehealth_consent
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.assignments.models import AssignmentStatus
from carehub.apps.audit.models import AuditEvent
from carehub.apps.engagement import selectors, services
from carehub.apps.engagement.models import (
    Activity,
    CareTeamMember,
    Enrollment,
    LeadCareManagerAssignment,
    OutreachAttempt,
)
from carehub.apps.engagement.services import EngagementError
from carehub.apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return ecm_shop()


def test_outreach_attempt_recorded_with_in_person_first_warning(shop):
    a = assign()
    attempt, warning = services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(0), method="PHONE",
                                                outcome="NO_ANSWER", location="", minutes=5, care_manager=shop.lcm)
    assert (attempt.method, attempt.outcome, attempt.minutes, attempt.care_manager) == ("PHONE", "NO_ANSWER", 5,
                                                                                        shop.lcm)
    assert "in person first" in warning
    services.set_preferred_method(a, "PHONE", actor=shop.staff)
    _, warning = services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(0), method="TEXT",
                                          outcome="LEFT_MESSAGE")
    assert warning == ""
    assert Enrollment.objects.get(assignment=a).outreach_started_on == days_ago(0)
    assert AuditEvent.objects.filter(object_type="OutreachAttempt", person_id=a.member_id).count() == 2


def test_bad_outreach_is_refused_and_changes_nothing(shop):
    a = assign()
    for kwargs in ({"method": "PIGEON", "outcome": "NO_ANSWER"}, {"method": "PHONE", "outcome": "MAYBE"},
                   {"method": "PHONE", "outcome": "NO_ANSWER", "minutes": 5000},
                   {"method": "PHONE", "outcome": "NO_ANSWER", "attempted_on": days_ago(-1)},
                   {"method": "PHONE", "outcome": "NO_ANSWER", "attempted_on": days_ago(400)}):
        kwargs.setdefault("attempted_on", days_ago(0))
        with pytest.raises(EngagementError):
            services.record_outreach(a, actor=shop.staff, **kwargs)
    ended = assign(status=AssignmentStatus.ENDED)
    with pytest.raises(EngagementError, match="ended"):
        services.record_outreach(ended, actor=shop.staff, attempted_on=days_ago(0), method="PHONE",
                                 outcome="NO_ANSWER")
    assert OutreachAttempt.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="OutreachAttempt").exists()


def test_declined_at_first_contact_leaves_the_active_worklist(shop, django_capture_on_commit_callbacks):
    a, b = assign(), assign()
    plan = make_user(Role.PLAN_CARE_COORDINATION).organization
    with django_capture_on_commit_callbacks(execute=True):
        services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(0), method="IN_PERSON",
                                 outcome="REACHED_DECLINED", location="Shelter on 5th")
    note = Notification.objects.get(recipient_org=plan)
    assert (note.kind, note.link, note.person_id) == ("engagement-not-engaged", "/engagement/not-engaged/",
                                                      a.member_id)
    enrollment = Enrollment.objects.get(assignment=a)
    assert (enrollment.status, enrollment.declined_on, enrollment.changed_by) == ("DECLINED", days_ago(0), shop.staff)
    rows = selectors.worklist(shop.staff).rows
    assert [f.assignment for f in rows] == [b]
    assert [f.assignment for f in selectors.worklist(shop.staff, status="DECLINED").rows] == [a]
    with pytest.raises(EngagementError, match="Outreach is over"):
        services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(0), method="PHONE", outcome="NO_ANSWER")


def test_enroll_then_stop_at_any_time_and_illegal_transitions_refused(shop):
    a = assign()
    with pytest.raises(EngagementError, match="cannot become stopped"):
        services.stop(a, actor=shop.staff, on=days_ago(0))
    services.enroll(a, actor=shop.staff, on=days_ago(0))
    services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff)
    with pytest.raises(EngagementError, match="cannot become declined"):
        services.decline(a, actor=shop.staff, on=days_ago(0))
    services.stop(a, actor=shop.lcm_user, on=days_ago(0), reason="Moving in with family, no longer wants it")
    e = Enrollment.objects.get(assignment=a)
    assert (e.status, e.enrolled_on, e.stopped_on, e.reason) == ("STOPPED", days_ago(0), days_ago(0),
                                                                 "Moving in with family, no longer wants it")
    assert selectors.current_lead_care_manager(a) is None
    assert selectors.worklist(shop.staff).total == 0
    # the stop waits for the plan as a discontinuation for the member's wish, which issues the notice
    from carehub.apps.discontinuation.models import Discontinuation
    assert list(Discontinuation.objects.filter(assignment=a).values_list("reason", "status")) == [
        ("MEMBER_WISH", "REQUESTED")]


def test_lead_care_manager_switch_on_request_keeps_history_and_notifies(shop, django_capture_on_commit_callbacks):
    a = assign()
    services.enroll(a, actor=shop.staff, on=days_ago(0))
    other = care_manager(shop.provider)
    first = services.assign_lead_care_manager(a, other, actor=shop.staff, on=days_ago(0))
    with pytest.raises(EngagementError, match="reason"):
        services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff)
    with pytest.raises(EngagementError, match="already"):
        services.assign_lead_care_manager(a, other, actor=shop.staff, reason="x")
    foreign = care_manager(ecm_shop(NPI_B).provider, "Elsewhere")
    with pytest.raises(EngagementError, match="roster"):
        services.assign_lead_care_manager(a, foreign, actor=shop.staff, reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff, reason="Member asked for a Spanish speaker",
                                          member_requested=True)
    history = list(LeadCareManagerAssignment.objects.filter(assignment=a).order_by("pk"))
    assert [(h.care_manager, h.end_date, h.end_reason) for h in history] == [
        (other, days_ago(0), "Member asked for a Spanish speaker"), (shop.lcm, None, "")]
    assert history[1].member_requested and first.pk == history[0].pk
    assert selectors.current_lead_care_manager(a) == shop.lcm
    assert selectors.caseload_counts([shop.lcm.pk, other.pk]) == {shop.lcm.pk: 1, other.pk: 0}
    assert Notification.objects.filter(recipient_user=shop.lcm_user).count() == 1


def test_activities_need_enrollment_and_telehealth_needs_consent(shop):
    a = assign()
    with pytest.raises(EngagementError, match="enrolled members only"):
        services.record_activity(a, actor=shop.staff, occurred_on=days_ago(0), component="COORDINATION",
                                 mode="IN_PERSON", minutes=30)
    services.record_activity(a, actor=shop.staff, occurred_on=days_ago(0), component="OUTREACH", mode="IN_PERSON",
                             minutes=15)
    services.enroll(a, actor=shop.staff, on=days_ago(0))
    with pytest.raises(EngagementError, match="consent"):
        services.record_activity(a, actor=shop.staff, occurred_on=days_ago(0), component="HEALTH_PROMOTION",
                                 mode="VIDEO", minutes=30)
    assert Activity.objects.count() == 1
    telehealth_consent(a.member)
    act = services.record_activity(a, actor=shop.staff, occurred_on=days_ago(0), component="HEALTH_PROMOTION",
                                   mode="VIDEO", minutes=30, care_manager=shop.lcm)
    assert (act.component, act.mode, act.minutes, act.care_manager) == ("HEALTH_PROMOTION", "VIDEO", 30, shop.lcm)
    assert AuditEvent.objects.filter(object_type="Activity", person_id=a.member_id).count() == 2


def test_care_team_roster_and_outside_members(shop):
    a = assign()
    with pytest.raises(EngagementError):
        services.add_care_team_member(a, actor=shop.staff, role="ROSTER")
    with pytest.raises(EngagementError):
        services.add_care_team_member(a, actor=shop.staff, role="PCP")
    services.add_care_team_member(a, actor=shop.staff, role="ROSTER", care_manager=shop.lcm)
    pcp = services.add_care_team_member(a, actor=shop.staff, role="PCP", name="Dr. Kim", organization="Eastside Clinic",
                                        npi="1679576722", contact="510-555-0199")
    services.add_care_team_member(a, actor=shop.staff, role="OTHER_CM", name="J. Ortiz",
                                  organization="County TCM", contact="jortiz@county.example")
    services.end_care_team_member(pcp, actor=shop.staff)
    assert CareTeamMember.objects.filter(assignment=a, ended_on__isnull=True).count() == 2
    assert AuditEvent.objects.filter(object_type="CareTeamMember").count() == 4


def test_unreachable_only_after_the_limit_then_plan_routes(shop, settings):
    settings.CAREHUB_OUTREACH_POLICY = {"required_attempts": 2, "time_limit_days": 30}
    a = assign(assigned_at=timezone.now() - timedelta(days=40))
    with pytest.raises(EngagementError, match="cannot be called unreachable"):
        services.mark_unreachable(a, actor=shop.staff)
    services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(39), method="IN_PERSON", outcome="NO_ANSWER")
    services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(20), method="PHONE", outcome="NO_ANSWER")
    services.mark_unreachable(a, actor=shop.staff)
    assert selectors.enrollment_status(a) == "UNREACHABLE"
    coordinator = make_user(Role.PLAN_CARE_COORDINATION)
    with pytest.raises(EngagementError):
        services.route_to_other_care_management(a, actor=coordinator, routed_to=" ")
    e = services.route_to_other_care_management(a, actor=coordinator, routed_to="Plan Complex Case Management")
    assert (e.routed_on, e.routed_to, e.routed_by) == (days_ago(0), "Plan Complex Case Management", coordinator)
    # A reachable member later found can still enroll.
    services.enroll(a, actor=shop.staff, on=days_ago(0))
    assert selectors.enrollment_status(a) == "ENROLLED"
    in_outreach = assign()
    with pytest.raises(EngagementError, match="Only members"):
        services.route_to_other_care_management(in_outreach, actor=coordinator, routed_to="CCM")


def test_working_a_member_not_yet_accepted_accepts_them_so_an_enrolled_member_cannot_be_returned(shop):
    """Outreach and enrollment were recorded on an assignment still "waiting for the provider", which could then
    be returned as if untouched (found by a walk-through of the demo)."""
    from carehub.apps.assignments.services import AssignmentError, return_assignment

    a = assign(status=AssignmentStatus.ASSIGNED)
    services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(0), method="PHONE", outcome="REACHED_ENGAGED")
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACCEPTED and a.responded_at is not None
    services.enroll(a, actor=shop.staff, on=days_ago(0))
    with pytest.raises(AssignmentError, match="only a new assignment"):
        return_assignment(a, "No capacity", actor=shop.staff)
    # A refused attempt (a date in the future) accepts nothing.
    b = assign(status=AssignmentStatus.ASSIGNED)
    with pytest.raises(EngagementError, match="future"):
        services.record_outreach(b, actor=shop.staff, attempted_on=days_ago(-1), method="PHONE", outcome="NO_ANSWER")
    b.refresh_from_db()
    assert b.status == AssignmentStatus.ASSIGNED


def test_a_lead_care_manager_cannot_start_in_the_future_or_before_the_assignment(shop):
    a = assign()
    with pytest.raises(EngagementError, match="Lead Care Manager's start date cannot be in the future"):
        services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff, on=days_ago(-1))
    with pytest.raises(EngagementError, match="before the member was assigned"):
        services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff, on=days_ago(3))
    assert services.assign_lead_care_manager(a, shop.lcm, actor=shop.staff).start_date == days_ago(0)


def test_a_care_team_member_with_an_npi_that_is_not_one_is_refused(shop):
    a = assign()
    with pytest.raises(EngagementError, match="10 digits with a valid check digit"):
        services.add_care_team_member(a, actor=shop.staff, role="PCP", name="Dr. Kim", npi="12345")
    assert services.add_care_team_member(a, actor=shop.staff, role="PCP", name="Dr. Kim", npi="1234567893").npi \
        == "1234567893"
