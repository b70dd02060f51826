"""The discontinuation workflow through its services: the provider records a reason with evidence, the plan
confirms (assignment ended, enrollment discontinued, notice issued, provider notified, transition due) or sends
it back."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from discontinuation_helpers import accepted_case
from django.utils import timezone

from carehub.apps.assignments.models import AssignmentStatus
from carehub.apps.discontinuation import services
from carehub.apps.discontinuation.models import Discontinuation, Status
from carehub.apps.notices.models import Notice, NoticeKind
from carehub.apps.notifications.models import Notification
from carehub.domain import discontinuation as policy

pytestmark = pytest.mark.django_db


def test_graduation_confirmed_ends_ecm_issues_notice_notifies_provider_and_plans_transition(
        django_capture_on_commit_callbacks):
    case = accepted_case()
    with django_capture_on_commit_callbacks(execute=True):
        item = services.request_discontinuation(case.assignment, "GRADUATED", actor=case.lcm,
                                                evidence="All ICP goals met; self-manages medications.")
    assert item.status == Status.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        item = services.confirm(item, actor=case.plan, transition_to="Complex Case Management")
    today = timezone.localdate()
    case.assignment.refresh_from_db()
    # 42 CFR 431.211: the notice goes out 10 days before ECM ends; the provider serves the member until then.
    assert case.assignment.status != AssignmentStatus.ENDED
    assert item.status == Status.CONFIRMED and item.effective_on == today + timedelta(days=10)
    assert item.ended_on is None
    with django_capture_on_commit_callbacks(execute=True):
        assert services.end_due(today + timedelta(days=10))["ended"] == 1
    case.assignment.refresh_from_db()
    assert case.assignment.status == AssignmentStatus.ENDED
    assert item.transition_due_on == today + timedelta(days=30)
    notice = Notice.objects.get(kind=NoticeKind.DISCONTINUATION, member=case.member)
    assert item.notice == notice and notice.language == "en" and bytes(notice.pdf).startswith(b"%PDF-")
    assert Notification.objects.filter(kind="discontinuation-confirmed",
                                       recipient_org=case.staff.organization).count() == 1
    assert Notification.objects.filter(kind="discontinuation-confirmed", recipient_member=case.member).count() == 1
    assert Notification.objects.filter(kind="discontinuation-ended", recipient_org=case.staff.organization).count() == 1
    assert Discontinuation.objects.count() == 1
    assert date.today() - today <= timedelta(days=1)


def test_spanish_speaking_member_gets_the_notice_in_spanish_with_appeal_and_hearing_rights():
    case = accepted_case(language="Spanish")
    item = services.request_discontinuation(case.assignment, "MOVED_OUT_OF_AREA", actor=case.staff,
                                            evidence="Moved to Nevada per member call on 2025-07-01.")
    item = services.confirm(item, actor=case.plan)
    notice = item.notice
    assert (notice.kind, notice.language, notice.recipient) == ("DISCONTINUATION", "es", "MEMBER")
    assert item.transition_due_on is None
    from carehub.apps.notices.discontinuation import DiscontinuationFacts, render_discontinuation
    from carehub.domain.discontinuation import default_reasons
    rule = default_reasons()["MOVED_OUT_OF_AREA"]
    facts = DiscontinuationFacts(rule.label, rule.label_es, "", item.effective_on,
                                 f"Provider {case.assignment.provider_npi}")
    letter = render_discontinuation(notice, notice.authorization, facts)
    assert letter.pdf == bytes(notice.pdf)  # deterministic: re-rendered, same bytes
    assert "Audiencia Estatal Imparcial" in letter.html and "apelación" in letter.html
    assert rule.label_es in letter.html


def test_death_ends_ecm_with_a_notice_as_seed_004_vi_f_2_b_asks():
    case = accepted_case()
    item = services.request_discontinuation(case.assignment, "DECEASED", actor=case.staff,
                                            evidence="Date of death 2025-07-02, reported by the family.")
    item = services.confirm(item, actor=case.plan)
    assert item.notice is not None and item.needs_notice is True
    assert Notice.objects.filter(kind=NoticeKind.DISCONTINUATION).count() == 1
    case.assignment.refresh_from_db()
    assert case.assignment.status == AssignmentStatus.ENDED


def test_a_plan_reasons_file_can_drop_the_notice_for_death(tmp_path, settings):
    shipped = (Path(policy.__file__).parent / "discontinuation_reasons.csv").read_text()
    plan_file = tmp_path / "reasons.csv"
    plan_file.write_text(shipped.replace("seed 004 VI.F.2.b,yes,yes,no,", "seed 004 VI.F.2.b,no,yes,no,"))
    settings.CAREHUB_DISCONTINUATION = {"reasons_file": str(plan_file)}
    case = accepted_case()
    item = services.request_discontinuation(case.assignment, "DECEASED", actor=case.staff,
                                            evidence="Date of death 2025-07-02, reported by the family.")
    item = services.confirm(item, actor=case.plan)
    assert item.notice is None and not Notice.objects.filter(kind=NoticeKind.DISCONTINUATION).exists()
    case.assignment.refresh_from_db()
    assert case.assignment.status == AssignmentStatus.ENDED


def test_evidence_is_required_where_the_reason_needs_it_and_nothing_is_written_without_it():
    case = accepted_case()
    with pytest.raises(services.DiscontinuationError, match="describe the evidence"):
        services.request_discontinuation(case.assignment, "NOT_ENGAGING", actor=case.staff, evidence=" ")
    with pytest.raises(services.DiscontinuationError, match="choose one of"):
        services.request_discontinuation(case.assignment, "BORED", actor=case.staff, evidence="x")
    assert Discontinuation.objects.count() == 0
    item = services.request_discontinuation(case.assignment, "MEMBER_WISH", actor=case.staff)
    assert item.evidence == ""
    with pytest.raises(services.DiscontinuationError, match="already waiting"):
        services.request_discontinuation(case.assignment, "MEMBER_WISH", actor=case.staff)


def test_evidence_file_is_checked_and_stored_with_its_digest():
    case = accepted_case()
    fake = services.EvidenceFile("letter.pdf", "application/pdf", b"MZ not a pdf")
    with pytest.raises(services.DiscontinuationError, match="not the type it claims"):
        services.request_discontinuation(case.assignment, "INCARCERATED", actor=case.staff, evidence="County jail",
                                         evidence_file=fake)
    good = services.EvidenceFile("booking.pdf", "application/pdf", b"%PDF-1.4 booking record")
    item = services.request_discontinuation(case.assignment, "INCARCERATED", actor=case.lcm,
                                            evidence="Santa Rita jail since 2025-06-01", evidence_file=good)
    assert bytes(item.evidence_file) == good.content and len(item.evidence_sha256) == 64


def test_another_provider_cannot_request_and_a_member_only_for_themselves(django_capture_on_commit_callbacks):
    from discontinuation_helpers import NPI_B
    from factories import make_user

    from carehub.apps.accounts.models import Role

    case = accepted_case()
    other = accepted_case(npi=NPI_B, plan=case.plan, county="Fresno")
    with pytest.raises(services.DiscontinuationError, match="not assigned to your organization"):
        services.request_discontinuation(case.assignment, "GRADUATED", actor=other.staff, evidence="x")
    stranger = make_user(Role.MEMBER, member=other.member)
    with pytest.raises(services.DiscontinuationError, match="your own"):
        services.request_discontinuation(case.assignment, "MEMBER_WISH", actor=stranger)
    me = make_user(Role.MEMBER, member=case.member)
    with pytest.raises(services.DiscontinuationError, match="a member can ask to stop"):
        services.request_discontinuation(case.assignment, "GRADUATED", actor=me, evidence="x")
    with pytest.raises(services.DiscontinuationError, match="cannot record"):
        services.request_discontinuation(case.assignment, "GRADUATED", evidence="x",
                                         actor=make_user(Role.PLAN_UTILIZATION_MANAGEMENT))
    with pytest.raises(services.DiscontinuationError, match="only the plan's care coordination"):
        services.confirm(services.request_discontinuation(case.assignment, "MEMBER_WISH", actor=case.staff),
                         actor=case.staff)
    assert Discontinuation.objects.count() == 1


def test_member_stop_request_notifies_provider_and_plan(django_capture_on_commit_callbacks):
    from factories import make_user

    from carehub.apps.accounts.models import Role

    case = accepted_case()
    me = make_user(Role.MEMBER, member=case.member)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.request_discontinuation(case.assignment, "MEMBER_WISH", actor=me, evidence="Feeling better")
    assert (item.origin, item.requested_by) == ("MEMBER", me)
    kinds = set(Notification.objects.filter(person_id=case.member.person_id)
                .values_list("kind", "recipient_org_id"))
    assert kinds == {("discontinuation-requested", case.plan.organization_id),
                     ("discontinuation-requested", case.staff.organization_id)}


def test_send_back_keeps_ecm_and_the_provider_can_file_again(django_capture_on_commit_callbacks):
    case = accepted_case()
    item = services.request_discontinuation(case.assignment, "NO_LONGER_RESPONDING", actor=case.staff,
                                            evidence="Two calls.")
    with pytest.raises(services.DiscontinuationError, match="say what"):
        services.send_back(item, "  ", actor=case.plan)
    with django_capture_on_commit_callbacks(execute=True):
        item = services.send_back(item, "Document in-person attempts first.", actor=case.plan)
    assert item.status == Status.SENT_BACK
    case.assignment.refresh_from_db()
    assert case.assignment.status == AssignmentStatus.ACCEPTED
    assert not Notice.objects.filter(kind=NoticeKind.DISCONTINUATION).exists()
    note = Notification.objects.get(kind="discontinuation-sent-back")
    assert note.recipient_org_id == case.staff.organization_id and "in-person" in note.body
    with pytest.raises(services.DiscontinuationError, match="not waiting for review"):
        services.confirm(item, actor=case.plan)
    again = services.request_discontinuation(case.assignment, "NO_LONGER_RESPONDING", actor=case.staff,
                                             evidence="Two calls, three visits to the shelter.")
    assert again.pk != item.pk and again.status == Status.REQUESTED


def test_transition_completed_on_the_plan_queue():
    from carehub.apps.discontinuation import selectors

    case = accepted_case()
    item = services.confirm(services.request_discontinuation(
        case.assignment, "TRANSITIONED", actor=case.staff, evidence="Hospice referral accepted."), actor=case.plan)
    today = timezone.localdate()
    (line,) = selectors.transitions(case.plan, today=today)
    assert line.state == "DUE"
    (line,) = selectors.transitions(case.plan, today=today + timedelta(days=31))
    assert line.state == "OVERDUE" and line.css == "bad"
    assert selectors.transitions(case.staff) == []
    with pytest.raises(services.DiscontinuationError, match="name the program"):
        services.complete_transition(item, actor=case.plan)
    from discontinuation_helpers import NPI_B
    other = accepted_case(npi=NPI_B, plan=case.plan, county="Fresno")
    with pytest.raises(services.DiscontinuationError, match="only the member's ECM provider"):
        services.complete_transition(item, actor=other.staff, transition_to="Hospice of the East Bay")
    # The ECM provider coordinated the transfer (seed 004 VI.F.1.j.1) and records it.
    item = services.complete_transition(item, actor=case.lcm, transition_to="Hospice of the East Bay",
                                        on=today + timedelta(days=12))
    assert (item.transition_completed_on, item.transition_to) == (today + timedelta(days=12),
                                                                  "Hospice of the East Bay")
    assert selectors.transitions(case.plan) == []
    with pytest.raises(services.DiscontinuationError, match="already recorded"):
        services.complete_transition(item, actor=case.plan, transition_to="x")


def test_notice_goes_to_the_authorized_representative_in_their_language():
    from carehub.apps.notices.models import Representative

    case = accepted_case(language="English")
    Representative.objects.create(member=case.member, name="Luis Diaz", relationship="son", address="5 Oak St",
                                  city="Oakland", state="CA", zip_code="94601", preferred_language="Spanish",
                                  start_date=date(2025, 1, 1))
    item = services.confirm(services.request_discontinuation(
        case.assignment, "INCARCERATED", actor=case.staff, evidence="County jail since 2025-06-01."),
        actor=case.plan)
    notice = item.notice
    assert (notice.recipient, notice.language, notice.addressee) == ("REPRESENTATIVE", "es", "Luis Diaz")
