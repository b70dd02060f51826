"""Decision notices: issued after the decision commits, in the member's language, to the representative when
there is one, with a referrer copy free of protected details; stored and re-printable byte for byte."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.authorizations.models import Program
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.notices.models import Notice, NoticeKind, Recipient, Representative
from carehub.apps.notices.services import issue_decision_notices, render_notice
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
DECIDED = datetime(2025, 6, 12, 16, 0, tzinfo=LA)


@pytest.fixture
def um():
    return make_user(Role.PLAN_UTILIZATION_MANAGEMENT)


def pdf_text(pdf: bytes) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def authorization_for(member, um, *, source="PROVIDER", facts="Frequent ED visits; F20.9 schizophrenia."):
    data = {"source": source, "referrer_name": "Dr. Lee", "referrer_organization": "Eastside Clinic",
            "referrer_phone": "510-555-0101", "cin": member.member_id, "first_name": member.first_name,
            "last_name": member.last_name, "birth_date": member.birth_date.isoformat(), "facts": facts,
            "populations": ["ADULT_SMH_SUD"]}
    referral = submit_referral(data, actor=um, channel=Channel.WEB,
                               received_at=datetime(2025, 6, 9, 9, 0, tzinfo=LA)).referral
    return open_authorization(referral, actor=um)


def test_decision_issues_notices_only_after_commit(um, django_capture_on_commit_callbacks):
    request = authorization_for(make_member(preferred_language="en"), um)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(request, DecisionInput("DENIED", reasons="Does not meet the ECM criteria."), actor=um, now=DECIDED)
    assert Notice.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    notices = {n.recipient: n for n in Notice.objects.all()}
    assert set(notices) == {Recipient.MEMBER, Recipient.REFERRER}
    assert {n.kind for n in notices.values()} == {NoticeKind.DENIAL}
    assert AuditEvent.objects.filter(object_type="Notice").count() == 2



@pytest.mark.django_db(transaction=True)  # the worker closes and reopens database connections as a real one does
def test_notices_wait_for_the_worker_and_a_second_run_changes_nothing(um, queued_jobs,
                                                                      django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult
    from typer.testing import CliRunner

    from carehub.cli import app

    request = authorization_for(make_member(preferred_language="en"), um)
    with django_capture_on_commit_callbacks(execute=True):
        decide(request, DecisionInput("DENIED", reasons="Does not meet the ECM criteria."), actor=um, now=DECIDED)
    assert Notice.objects.count() == 0  # the decision is saved at once; the letters are a queued job
    assert DBTaskResult.objects.count() == 1

    result = CliRunner().invoke(app, ["worker", "--batch"])
    assert result.exit_code == 0, result.output
    assert {n.recipient for n in Notice.objects.all()} == {Recipient.MEMBER, Recipient.REFERRER}
    assert {e.actor_id for e in AuditEvent.objects.filter(object_type="Notice")} == {um.pk}  # for who decided
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    CliRunner().invoke(app, ["worker", "--batch"])
    assert Notice.objects.count() == 2


def decided(member, um, decision="APPROVED", reasons="", source="PROVIDER", program=None):
    request = authorization_for(member, um, source=source)
    if program:
        type(request).objects.filter(pk=request.pk).update(program=program)
        request.refresh_from_db()
    decide(request, DecisionInput(decision, reasons=reasons, start_date=date(2025, 7, 1)), actor=um, now=DECIDED)
    request.refresh_from_db()
    return request


def test_denial_in_spanish_to_member_with_state_fair_hearing_rights(um):
    request = decided(make_member(preferred_language="es"), um, "DENIED", reasons="No cumple los criterios.")
    notices = issue_decision_notices(request.pk, actor=um, now=DECIDED)
    member_notice = next(n for n in notices if n.recipient == Recipient.MEMBER)
    assert member_notice.language == "es" and member_notice.kind == NoticeKind.DENIAL
    html = render_notice(member_notice, request).html
    assert "Negamos la solicitud de Administración Mejorada de la Atención" in html
    assert "No cumple los criterios." in html
    assert "Audiencia Estatal Imparcial" in html
    assert "11 de agosto de 2025" in html  # appeal by: 60 calendar days after June 12, 2025
    assert member_notice.due_at == request.notice_due_at and member_notice.on_time is True


def test_community_supports_denial_has_plan_appeal_but_no_state_fair_hearing(um):
    request = decided(make_member(preferred_language="en"), um, "DENIED", reasons="Not eligible.",
                      program=Program.CS)
    notice = next(n for n in issue_decision_notices(request.pk, actor=um, now=DECIDED)
                  if n.recipient == Recipient.MEMBER)
    html = render_notice(notice, request).html
    assert "Your right to appeal" in html
    assert "a State Fair Hearing is not available" in html
    assert "ask the State of California for a" not in html


def test_english_fallback_and_approval_dates(um):
    request = decided(make_member(preferred_language="vi"), um)
    notice = next(n for n in issue_decision_notices(request.pk, actor=um, now=DECIDED)
                  if n.recipient == Recipient.MEMBER)
    html = render_notice(notice, request).html
    assert notice.language == "en" and notice.kind == NoticeKind.APPROVAL
    assert "We approved Enhanced Care Management from July 1, 2025 to June 30, 2026." in html
    assert "Your right to appeal" not in html  # an approval is not an adverse decision


def test_addressed_to_the_authorized_representative(um):
    member = make_member(preferred_language="en")
    Representative.objects.create(member=member, name="Rosa Garcia", relationship="daughter", address="1 Elm St",
                                  city="Oakland", state="CA", zip_code="94601", preferred_language="es",
                                  start_date=date(2025, 1, 1))
    request = decided(member, um, "MODIFIED", reasons="Six months instead of twelve.")
    notice = next(n for n in issue_decision_notices(request.pk, actor=um, now=DECIDED)
                  if n.recipient != Recipient.REFERRER)
    assert (notice.recipient, notice.addressee, notice.language) == (Recipient.REPRESENTATIVE, "Rosa Garcia", "es")
    html = render_notice(notice, request, Representative.objects.get()).html
    assert "representante autorizado de Ana Garcia" in html and "1 Elm St" in html


def test_referrer_copy_carries_no_protected_details(um):
    request = decided(make_member(preferred_language="en", address="9 Secret Lane"), um, "DENIED",
                      reasons="Diagnosis F20.9 does not meet criteria; SUD treatment history.")
    copy = next(n for n in issue_decision_notices(request.pk, actor=um, now=DECIDED)
                if n.recipient == Recipient.REFERRER)
    html = render_notice(copy, request).html
    assert copy.addressee == "Dr. Lee" and "Not approved." in html
    for secret in ("F20.9", "SUD", "Diagnosis", "9 Secret Lane", "ADULT_SMH_SUD", "serious mental health",
                   request.member.member_id):
        assert secret not in html


def test_no_referrer_copy_for_self_referral(um):
    request = decided(make_member(), um, source="MEMBER")
    assert [n.recipient for n in issue_decision_notices(request.pk, actor=um, now=DECIDED)] == [Recipient.MEMBER]


def test_stored_pdf_is_reproducible_and_idempotent(um):
    request = decided(make_member(preferred_language="es"), um, "DENIED", reasons="Razones.")
    notices = issue_decision_notices(request.pk, actor=um, now=DECIDED)
    assert issue_decision_notices(request.pk, actor=um) == []  # a retry issues nothing twice
    from carehub.apps.notices.services import rerender

    for notice in Notice.objects.all():
        pdf = bytes(notice.pdf)
        assert pdf.startswith(b"%PDF-") and notice.size == len(pdf)
        assert hashlib.sha256(pdf).hexdigest() == notice.sha256
        assert rerender(notice).pdf == pdf  # same rows, same bytes
    # The issue time is in the document (its metadata): another time gives other bytes.
    later = notices[0]
    later.issued_at = datetime(2025, 6, 13, 9, 0, tzinfo=LA)
    assert rerender(later).pdf != bytes(Notice.objects.get(pk=later.pk).pdf)


def test_download_returns_the_stored_bytes_and_is_scoped(client, um):
    member = make_member()
    request = decided(member, um, "DENIED", reasons="Not eligible.")
    issue_decision_notices(request.pk, actor=um, now=DECIDED)
    notice = Notice.objects.get(recipient=Recipient.MEMBER)
    Notice.objects.filter(pk=notice.pk).update(pdf=b"%PDF-1.7 stored bytes")  # proves nothing is re-rendered
    client.force_login(um)
    response = client.get(f"/notices/{notice.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 stored bytes"
    assert AuditEvent.objects.filter(object_type="Notice", action="EXPORT", object_id=notice.reference).exists()
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))  # not the referrer: nothing
    assert client.get(f"/notices/{notice.pk}.pdf").status_code == 404
    client.force_login(make_user(Role.MEMBER, member=member))
    assert client.get(f"/notices/{notice.pk}.pdf").status_code == 200


def test_listed_on_the_member_page(client, um):
    member = make_member()
    request = decided(member, um, "DENIED", reasons="Not eligible.")
    issue_decision_notices(request.pk, actor=um, now=DECIDED)
    client.force_login(um)
    page = client.get(f"/members/{member.person_id}/").content.decode()
    assert "Notices" in page and page.count(".pdf") == 2
    assert "Notice of Action: denial" in page


def test_an_expedited_decision_is_noticed_within_72_hours_of_receipt_and_the_referrer_within_24_of_it(um):
    """42 CFR 438.210(d)(2): an expedited decision and its notice within 72 hours of receipt, so the two working
    days after the decision may not run past it; H&SC 1367.01(h)(3): the requesting provider within 24 hours."""
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "urgency": "EXPEDITED", "facts": "Discharged yesterday, no housing."}
    requests = {}
    for urgency in ("EXPEDITED", "ROUTINE"):
        member = make_member(preferred_language="en")
        referral = submit_referral({**data, "urgency": urgency, "cin": member.member_id,
                                    "first_name": member.first_name, "last_name": member.last_name,
                                    "birth_date": member.birth_date.isoformat()}, actor=um, channel=Channel.WEB,
                                   received_at=datetime(2026, 3, 6, 10, 0, tzinfo=LA)).referral  # a Friday
        request = open_authorization(referral, actor=um)
        decide(request, DecisionInput("DENIED", reasons="Does not meet the ECM criteria."), actor=um,
               now=datetime(2026, 3, 9, 9, 0, tzinfo=LA))  # Monday, the day DST began
        requests[urgency] = {n.recipient: n.due_at for n in issue_decision_notices(request.pk, actor=um)}
    receipt_plus_72h = datetime(2026, 3, 9, 11, 0, tzinfo=LA)
    assert requests["EXPEDITED"] == {Recipient.MEMBER: receipt_plus_72h, Recipient.REFERRER: receipt_plus_72h}
    assert requests["ROUTINE"] == {Recipient.MEMBER: datetime(2026, 3, 11, 23, 59, 59, 999999, tzinfo=LA),
                                   Recipient.REFERRER: datetime(2026, 3, 10, 9, 0, tzinfo=LA)}
