"""When ECM ends after the plan confirms a discontinuation: the Notice of Action goes out 10 days before the date of
action (42 CFR 438.404(c)(1), 431.211) unless an exception of 431.213 applies, ECM goes on until then, and an appeal
received in time keeps it going while it is open (438.420)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from discontinuation_helpers import accepted_case
from django.utils import timezone
from factories import make_user
from typer.testing import CliRunner

from carehub.apps.accounts.models import Role
from carehub.apps.assignments.models import AssignmentStatus
from carehub.apps.discontinuation import services
from carehub.apps.discontinuation.models import Discontinuation
from carehub.apps.engagement.models import Enrollment, EnrollmentStatus
from carehub.apps.notices.cases import CaseError, CaseInput, record_case, resolve
from carehub.cli import app
from carehub.domain import discontinuation as policy
from carehub.domain.discontinuation import Reason, default_reasons

pytestmark = pytest.mark.django_db
NOTICE_DAY = date(2026, 3, 2)


# ---- the rule ------------------------------------------------------------------------------------------------------

def test_the_date_of_action_is_ten_days_after_the_notice_unless_an_exception_applies():
    rules = default_reasons()
    assert policy.ends_on(NOTICE_DAY, rules[Reason.GRADUATED]) == date(2026, 3, 12)
    assert policy.ends_on(NOTICE_DAY, rules[Reason.NOT_ENGAGING]) == date(2026, 3, 12)
    assert policy.ends_on(NOTICE_DAY, rules[Reason.DECEASED]) == NOTICE_DAY  # 431.213(a)
    assert policy.ends_on(NOTICE_DAY, rules[Reason.INCARCERATED]) == NOTICE_DAY  # 431.213(c)
    # 431.213(b): the member's wish ends ECM on the notice day only when the member asked in writing.
    assert policy.ends_on(NOTICE_DAY, rules[Reason.MEMBER_WISH], written_request=True) == NOTICE_DAY
    assert policy.ends_on(NOTICE_DAY, rules[Reason.MEMBER_WISH]) == date(2026, 3, 12)
    assert policy.ends_on(NOTICE_DAY, rules[Reason.GRADUATED], days=14) == date(2026, 3, 16)
    with pytest.raises(ValueError, match="at least 10 days"):
        policy.ends_on(NOTICE_DAY, rules[Reason.GRADUATED], days=9)


def test_an_appeal_keeps_ecm_when_received_by_the_date_of_action():
    action = date(2026, 3, 12)
    assert policy.end_held_by_appeal(action, NOTICE_DAY, action)
    assert not policy.end_held_by_appeal(action + timedelta(days=1), NOTICE_DAY, action)
    assert not policy.end_held_by_appeal(NOTICE_DAY - timedelta(days=1), NOTICE_DAY, action)
    # With no advance notice (a death, say) the member still has 10 days from the notice.
    assert policy.end_held_by_appeal(date(2026, 3, 12), NOTICE_DAY, NOTICE_DAY)


def test_a_plan_reasons_file_without_the_column_gives_advance_notice_and_a_bad_value_names_the_row(tmp_path):
    text = policy.DEFAULT_REASONS_FILE.read_text(encoding="utf-8")
    header, *rows = text.strip().splitlines()
    old = tmp_path / "old.csv"
    cut = [line.rsplit(",", 3)[0] for line in [header, *rows]]  # without advance_notice, its source, dhcs_code
    old.write_text("\n".join(cut), encoding="utf-8")
    assert {r.advance_notice for r in policy.load_reasons(old).values()} == {policy.AdvanceNotice.YES}
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([header, *[r.replace(",no,42 CFR 431.213(a)", ",maybe,x") for r in rows]]),
                   encoding="utf-8")
    with pytest.raises(policy.ReasonFileError, match="row 6: advance_notice must be yes, no or unless_written"):
        policy.load_reasons(bad)


# ---- the workflow --------------------------------------------------------------------------------------------------

def _confirmed(reason: str = "NOT_ENGAGING", **kwargs):
    case = accepted_case(**kwargs)
    item = services.request_discontinuation(case.assignment, reason, actor=case.staff,
                                            evidence="3 calls, 2 letters, 1 visit over 8 weeks.")
    return case, services.confirm(item, actor=case.plan)


def _status(case) -> str:
    case.assignment.refresh_from_db()
    return case.assignment.status


def test_ecm_goes_on_until_the_date_of_action_and_ends_that_day_once(django_capture_on_commit_callbacks):
    case, item = _confirmed()
    today = timezone.localdate()
    ends = today + timedelta(days=10)
    assert item.effective_on == ends and item.ending and item.notice is not None
    assert _status(case) != AssignmentStatus.ENDED
    assert services.end_due(ends - timedelta(days=1)) == {"ended": 0, "held": 0, "reversed": 0}
    assert _status(case) != AssignmentStatus.ENDED
    # The provider cannot file another request meanwhile: the end is already set.
    with pytest.raises(services.DiscontinuationError, match=f"ends on {ends.isoformat()}"):
        services.request_discontinuation(case.assignment, "GRADUATED", actor=case.staff, evidence="Goals met.")
    # Run three days late (the job was down): ECM still ends on the date of action, and only once.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.end_due(ends + timedelta(days=3))["ended"] == 1
    assert services.end_due(ends + timedelta(days=3))["ended"] == 0
    item.refresh_from_db()
    assert item.ended_on == ends and not item.ending
    assert _status(case) == AssignmentStatus.ENDED
    enrollment = Enrollment.objects.get(assignment=case.assignment)
    assert (enrollment.status, enrollment.discontinued_on) == (EnrollmentStatus.DISCONTINUED, ends)


def test_the_members_own_written_request_and_a_death_end_ecm_the_day_of_the_notice():
    case = accepted_case()
    member_user = make_user(Role.MEMBER, member=case.member)
    item = services.request_discontinuation(case.assignment, "MEMBER_WISH", actor=member_user)
    item = services.confirm(item, actor=case.plan)
    assert item.effective_on == item.ended_on == timezone.localdate()
    assert _status(case) == AssignmentStatus.ENDED
    # The same wish told to the care manager gets the 10 days.
    case, item = _confirmed("MEMBER_WISH", plan=case.plan, provider_exists=True)
    assert item.effective_on == timezone.localdate() + timedelta(days=10) and item.ending


def test_a_timely_appeal_holds_the_end_and_an_overturned_appeal_keeps_ecm():
    case, item = _confirmed()
    ends = item.effective_on
    appeal = record_case(case.member, CaseInput("APPEAL", "the member", "I still want ECM.",
                                                authorization_id=item.notice.authorization_id), actor=case.plan)
    assert services.end_due(ends) == {"ended": 0, "held": 1, "reversed": 0}
    item.refresh_from_db()
    assert item.appeal == appeal and item.ending and _status(case) != AssignmentStatus.ENDED
    resolve(appeal, outcome="OVERTURNED", resolution="The member is engaging again.", actor=case.plan)
    assert services.end_due(ends + timedelta(days=1)) == {"ended": 0, "held": 0, "reversed": 1}
    item.refresh_from_db()
    assert item.reversed_on_appeal and not item.ending and _status(case) != AssignmentStatus.ENDED
    assert services.end_due(ends + timedelta(days=30))["ended"] == 0


def test_an_upheld_appeal_ends_ecm_ten_days_after_its_resolution():
    case, item = _confirmed()
    appeal = record_case(case.member, CaseInput("APPEAL", "the member", "Please keep my care manager.",
                                                authorization_id=item.notice.authorization_id), actor=case.plan)
    resolved = timezone.localdate() + timedelta(days=20)
    resolve(appeal, outcome="UPHELD", resolution="No contact for 8 weeks.", actor=case.plan,
            now=datetime.combine(resolved, time(10), tzinfo=timezone.get_current_timezone()))
    assert services.end_due(resolved + timedelta(days=9))["held"] == 1
    assert services.end_due(resolved + timedelta(days=10))["ended"] == 1
    item.refresh_from_db()
    assert item.ended_on == resolved + timedelta(days=10) and _status(case) == AssignmentStatus.ENDED


def test_an_appeal_after_the_date_of_action_does_not_hold_it():
    case, item = _confirmed()
    late = datetime.combine(item.effective_on + timedelta(days=1), time(9), tzinfo=timezone.get_current_timezone())
    record_case(case.member, CaseInput("APPEAL", "the member", "Late.", authorization_id=item.notice.authorization_id),
                actor=case.plan, received_at=late)
    assert services.end_due(item.effective_on)["ended"] == 1


def test_an_approved_authorization_is_appealable_only_once_its_ecm_was_discontinued():
    case = accepted_case()
    authorization_id = case.assignment.authorization_id
    with pytest.raises(CaseError, match="denied or modified decision, or an ECM the plan discontinued"):
        record_case(case.member, CaseInput("APPEAL", "the member", "x", authorization_id=authorization_id),
                    actor=case.plan)
    item = services.confirm(services.request_discontinuation(case.assignment, "GRADUATED", actor=case.staff,
                                                             evidence="Goals met."), actor=case.plan)
    assert item.notice.authorization_id == authorization_id
    assert record_case(case.member, CaseInput("APPEAL", "the member", "x", authorization_id=authorization_id),
                       actor=case.plan).kind == "APPEAL"


def test_confirming_queues_the_end_for_the_start_of_the_date_of_action(queued_jobs,
                                                                       django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        case, item = _confirmed()
    job = DBTaskResult.objects.get(task_path__endswith="end_ecm_job")
    assert job.args_kwargs["args"] == [item.pk]
    assert timezone.localtime(job.run_after) == datetime.combine(item.effective_on, time.min,
                                                                 tzinfo=timezone.get_current_timezone())


def test_the_command_ends_what_is_due_and_refuses_a_bad_date():
    case, item = _confirmed()
    result = CliRunner().invoke(app, ["discontinuation", "end-due", "--on", "2026-13-01"])
    assert result.exit_code == 2 and "not an ISO date: '2026-13-01'" in result.output
    assert Discontinuation.objects.get(pk=item.pk).ending
    result = CliRunner().invoke(app, ["discontinuation", "end-due", "--on", item.effective_on.isoformat()])
    assert result.exit_code == 0 and "ECM ended: 1; held by a timely appeal: 0" in result.output
    assert _status(case) == AssignmentStatus.ENDED


def test_the_plan_withdraws_a_discontinuation_before_its_date_of_action_and_ecm_goes_on(
        client, django_capture_on_commit_callbacks):
    from carehub.apps.notifications.models import Notification

    case, item = _confirmed()
    client.force_login(case.plan)
    page = client.get(f"/discontinuation/{item.pk}/").content.decode()
    assert "Withdraw the discontinuation" in page
    assert client.post(f"/discontinuation/{item.pk}/withdraw/", {"note": " "}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/discontinuation/{item.pk}/withdraw/", {"note": "The member called back and engaged."})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == "WITHDRAWN" and not item.ending
    assert services.end_due(item.effective_on)["ended"] == 0 and _status(case) != AssignmentStatus.ENDED
    assert Notification.objects.filter(kind="discontinuation-withdrawn", recipient_member=case.member).exists()
    assert "the plan withdrew the discontinuation" in client.get(f"/discontinuation/{item.pk}/").content.decode()
    # ECM that has ended cannot be withdrawn; the provider may file a new request after a withdrawal.
    with pytest.raises(services.DiscontinuationError, match="has not ended yet"):
        services.withdraw(item, "again", actor=case.plan)
    again = services.request_discontinuation(case.assignment, "GRADUATED", actor=case.staff, evidence="Goals met.")
    assert again.status == "REQUESTED"


def test_a_second_discontinuation_after_a_withdrawal_gets_its_own_notice():
    """The first notice (another reason, another end date) was handed back for the second discontinuation."""
    case, first = _confirmed()
    services.withdraw(first, "The member engaged again.", actor=case.plan)
    second = services.request_discontinuation(case.assignment, "INCARCERATED", actor=case.staff,
                                              evidence="County jail since 2026-10-01, release not expected.")
    second = services.confirm(second, actor=case.plan)
    assert second.notice_id != first.notice_id
    assert second.notice.authorization_id == first.notice.authorization_id
    assert second.effective_on == second.ended_on == timezone.localdate()  # 431.213(c): no advance notice


def test_the_letter_offers_ecm_during_an_appeal_only_while_ecm_goes_on():
    from carehub.apps.notices.discontinuation import DiscontinuationFacts, render_discontinuation

    case, item = _confirmed()
    rule = default_reasons()[Reason.NOT_ENGAGING]
    facts = DiscontinuationFacts(rule.label, rule.label_es, "", item.effective_on, "Provider")
    assert "keep receiving ECM while we decide" in render_discontinuation(item.notice, item.notice.authorization,
                                                                          facts).html
    same_day = DiscontinuationFacts(rule.label, rule.label_es, "", timezone.localdate(item.notice.issued_at),
                                    "Provider")
    assert "keep receiving ECM" not in render_discontinuation(item.notice, item.notice.authorization, same_day).html


def test_a_refused_withdrawal_keeps_the_form(client):
    case, item = _confirmed()
    client.force_login(case.plan)
    refused = client.post(f"/discontinuation/{item.pk}/withdraw/", {"note": "   "})
    html = refused.content.decode()
    assert refused.status_code == 400 and "say why the discontinuation is withdrawn" in html
    assert "Withdraw the discontinuation" in html  # the walk-through had to reload the page to try again


def test_the_provider_sees_the_end_date_on_the_members_engagement_page(client):
    """A walk-through found nothing on the provider's pages during the 10 days, and the request link still there."""
    case, item = _confirmed()
    client.force_login(case.staff)
    html = client.get(f"/engagement/{case.assignment.pk}/").content.decode()
    assert f"ECM ends on {item.effective_on.isoformat()}" in html and "Keep serving the member" in html
    assert ">Request discontinuation</a>" not in html
