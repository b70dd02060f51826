"""ECM provider readiness (seed 002): the self-assessment by program area, evidence uploads (type, size and
signature checks; stored under the data directory), the plan's compliance marks and verdict with reasons, and
check-ins; the pages for the provider's staff and for provider relations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from factories import make_user
from providers_helpers import ecm, network_staff, staff_of

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.providers import readiness
from carehub.apps.providers.models import ReadinessAnswer, ReadinessApplication, ReadinessEvidence
from carehub.apps.providers.services import NetworkError
from carehub.domain.network import readiness_areas

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def all_low() -> dict[str, tuple[str, str]]:
    return {a.code: (f"We do {a.label.lower()}.", "LOW") for a in readiness_areas()}


def test_areas_come_from_the_data_file_with_sources():
    areas = readiness_areas()
    assert areas[0].code == "OUTREACH" and "seed 002" in areas[0].source
    assert len(areas) == len({a.code for a in areas}) >= 10
    assert all(a.source for a in areas)


def test_provider_fills_in_and_submits_the_self_assessment():
    provider = ecm(1)
    staff = staff_of(provider)
    app = readiness.start_application(provider, actor=staff)
    assert app.answers.count() == len(readiness_areas())
    assert readiness.start_application(provider, actor=staff).pk == app.pk  # idempotent
    with pytest.raises(NetworkError, match="every program area"):
        readiness.submit_application(app, actor=staff)
    answers = all_low()
    answers["OUTREACH"] = ("Street teams twice a week.", "HIGH_1")
    assert readiness.save_answers(app, answers, actor=staff) == len(answers)
    assert readiness.save_answers(app, answers, actor=staff) == 0  # nothing changed
    readiness.submit_application(app, actor=staff)
    row = ReadinessAnswer.objects.get(application=app, area="OUTREACH")
    assert (row.response, row.effort, row.compliant) == ("Street teams twice a week.", "HIGH_1", None)
    assert ReadinessApplication.objects.get(pk=app.pk).submitted_at is not None


def test_unknown_effort_or_area_changes_nothing():
    provider = ecm(1)
    staff = staff_of(provider)
    app = readiness.start_application(provider, actor=staff)
    for bad in ({"OUTREACH": ("x", "HUGE")}, {"NOT_AN_AREA": ("x", "LOW")}):
        with pytest.raises(NetworkError):
            readiness.save_answers(app, {**all_low(), **bad}, actor=staff)
    assert not ReadinessAnswer.objects.exclude(effort="").exists()


@pytest.mark.parametrize("role", [Role.LEAD_CARE_MANAGER, Role.ECM_PROVIDER_STAFF, Role.PLAN_CARE_COORDINATION])
def test_only_the_providers_own_staff_or_network_staff_work_on_it(role):
    provider, other = ecm(1), ecm(2)
    # A Lead Care Manager of the provider itself reads but does not answer; other staff are strangers.
    user = staff_of(provider, role) if role == Role.LEAD_CARE_MANAGER else (
        staff_of(other) if role == Role.ECM_PROVIDER_STAFF else make_user(role))
    with pytest.raises(NetworkError):
        readiness.start_application(provider, actor=user)
    assert not ReadinessApplication.objects.exists()


def test_evidence_is_checked_and_stored_under_the_data_dir(_isolated_data_dir):
    provider = ecm(1)
    staff = staff_of(provider)
    app = readiness.start_application(provider, actor=staff)
    evidence = readiness.upload_evidence(app, filename="C:\\docs\\outreach policy.pdf", content=PDF, area="OUTREACH",
                                         actor=staff)
    assert (evidence.filename, evidence.content_type, evidence.size) == ("outreach policy.pdf", "application/pdf",
                                                                         len(PDF))
    stored = Path(_isolated_data_dir) / "readiness" / evidence.file
    assert stored.read_bytes() == PDF
    with readiness.open_evidence(evidence, actor=network_staff()) as handle:
        assert handle.read() == PDF
    assert AuditEvent.objects.filter(object_type="ReadinessEvidence", action="READ").count() == 1


@pytest.mark.parametrize(("filename", "content", "problem"), [
    ("policy.exe", b"MZ....", "not accepted"),
    ("policy.pdf", b"", "empty"),
    ("policy.pdf", b"<html>not a pdf</html>", "not a .pdf file"),
    ("chart.png", PDF, "not a .png file"),
    ("notes.txt", b"text\x00with nul", "not a .txt file"),
    ("noextension", PDF, "not accepted"),
])
def test_bad_evidence_is_refused_with_a_clear_reason(filename, content, problem):
    provider = ecm(1)
    staff = staff_of(provider)
    app = readiness.start_application(provider, actor=staff)
    with pytest.raises(NetworkError, match=problem):
        readiness.upload_evidence(app, filename=filename, content=content, actor=staff)
    assert not ReadinessEvidence.objects.exists()


@override_settings(CAREHUB_EVIDENCE_MAX_BYTES=1024)
def test_evidence_size_limit_is_configurable():
    provider = ecm(1)
    staff = staff_of(provider)
    app = readiness.start_application(provider, actor=staff)
    with pytest.raises(NetworkError, match="larger than"):
        readiness.upload_evidence(app, filename="big.pdf", content=PDF + b"0" * 2000, actor=staff)


def test_plan_marks_compliance_decides_with_reasons_and_notes_check_ins():
    provider = ecm(1)
    staff, plan = staff_of(provider), network_staff()
    app = readiness.start_application(provider, actor=staff)
    with pytest.raises(NetworkError, match="not submitted"):
        readiness.decide(app, "APPROVED", actor=plan)
    readiness.save_answers(app, all_low(), actor=staff)
    readiness.submit_application(app, actor=staff)
    with pytest.raises(NetworkError, match="provider relations"):
        readiness.decide(app, "APPROVED", actor=staff)
    with pytest.raises(NetworkError, match="provider relations"):
        readiness.mark_compliant(app, "OUTREACH", True, actor=staff)
    readiness.mark_compliant(app, "OUTREACH", True, actor=plan)
    readiness.mark_compliant(app, "BILLING", False, actor=plan)
    with pytest.raises(NetworkError, match="reasons"):
        readiness.decide(app, "APPROVED_WITH_CONDITIONS", "  ", actor=plan)
    readiness.decide(app, "APPROVED_WITH_CONDITIONS", "Encounter testing by October.", actor=plan)
    app.refresh_from_db()
    assert (app.verdict, app.verdict_reasons, app.verdict_by) == ("APPROVED_WITH_CONDITIONS",
                                                                  "Encounter testing by October.", plan)
    today = timezone.localdate()
    with pytest.raises(NetworkError, match="future"):
        readiness.add_check_in(app, "Planned call", actor=plan, on=today + timedelta(days=1))
    check_in = readiness.add_check_in(app, "Reviewed the billing plan.", actor=plan, on=today)
    assert readiness.next_check_in(app, check_in.on) == today + timedelta(days=14)
    with override_settings(CAREHUB_READINESS_CHECK_IN_DAYS=7):
        assert readiness.next_check_in(app, check_in.on) == today + timedelta(days=7)


# ---- pages ---------------------------------------------------------------------------------------------------

def test_provider_staff_work_their_application_on_the_page(client):
    provider = ecm(1)
    client.force_login(staff_of(provider))
    assert client.get("/providers/readiness/").url == f"/providers/{provider.npi}/readiness/"
    url = f"/providers/{provider.npi}/readiness/"
    assert b"Start the application" in client.get(url).content
    assert client.post(url, {"action": "start"}).status_code == 302
    form = {"action": "answers", **{f"effort-{a.code}": "MEDIUM" for a in readiness_areas()},
            "response-OUTREACH": "In person first."}
    assert client.post(url, form).status_code == 302
    assert client.post(url, {"action": "submit"}).status_code == 302
    upload = client.post(url, {"action": "evidence", "area": "OUTREACH",
                               "file": _file("policy.pdf", PDF)})
    assert upload.status_code == 302
    bad = client.post(url, {"action": "evidence", "file": _file("virus.exe", b"MZ")})
    assert bad.status_code == 400 and b"not accepted" in bad.content
    page = client.get(url).content.decode()
    assert "In person first." in page and "policy.pdf" in page
    assert "Compliant (internal)" not in page and "Compliance verdict" not in page  # internal to the plan
    evidence = ReadinessEvidence.objects.get()
    download = client.get(f"/providers/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # The provider cannot decide its own verdict.
    assert client.post(url, {"action": "verdict", "verdict": "APPROVED"}).status_code == 400
    assert ReadinessApplication.objects.get().verdict == "PENDING"


def test_other_providers_application_is_not_found(client):
    provider, other = ecm(1), ecm(2)
    app = readiness.start_application(provider, actor=staff_of(provider))
    evidence = readiness.upload_evidence(app, filename="p.pdf", content=PDF, actor=staff_of(provider))
    client.force_login(staff_of(other))
    assert client.get(f"/providers/{provider.npi}/readiness/").status_code == 404
    assert client.get(f"/providers/evidence/{evidence.pk}/").status_code == 404


def test_plan_reviews_on_the_page(client):
    provider = ecm(1)
    app = readiness.start_application(provider, actor=staff_of(provider))
    readiness.save_answers(app, all_low(), actor=staff_of(provider))
    readiness.submit_application(app, actor=staff_of(provider))
    client.force_login(network_staff())
    url = f"/providers/{provider.npi}/readiness/"
    assert client.post(url, {"action": "compliant", "area": "OUTREACH", "compliant": "yes"}).status_code == 302
    assert client.post(url, {"action": "checkin", "note": "Call went well.", "on": ""}).status_code == 302
    assert client.post(url, {"action": "verdict", "verdict": "NOT_READY", "reasons": ""}).status_code == 400
    assert client.post(url, {"action": "verdict", "verdict": "NOT_READY",
                             "reasons": "No documentation system."}).status_code == 302
    page = client.get(url).content.decode()
    assert "Not ready" in page and "No documentation system." in page and "Call went well." in page
    assert ReadinessAnswer.objects.get(application=app, area="OUTREACH").compliant is True


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_submission_tells_the_plan_and_the_verdict_tells_the_provider(django_capture_on_commit_callbacks):
    from factories import make_org

    from carehub.apps.accounts.models import OrganizationKind
    from carehub.apps.notifications.models import Notification

    plan_org = make_org(OrganizationKind.PLAN, name="Demo Health Plan")
    provider = ecm(1)
    staff, plan = staff_of(provider), network_staff()
    app = readiness.start_application(provider, actor=staff)
    readiness.save_answers(app, all_low(), actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        readiness.submit_application(app, actor=staff)
    submitted = Notification.objects.get(kind="readiness-submitted")
    assert submitted.recipient_org == plan_org and submitted.link == f"/providers/{provider.npi}/readiness/"
    readiness.mark_compliant(app, "BILLING", False, actor=plan)
    with django_capture_on_commit_callbacks(execute=True):
        readiness.decide(app, "APPROVED_WITH_CONDITIONS", "Encounter testing by October.", actor=plan)
    verdict = Notification.objects.get(kind="readiness-verdict")
    assert verdict.recipient_org == provider.organization and verdict.subject.endswith("Approved with conditions")
    assert verdict.body == "Encounter testing by October." and "BILLING" not in verdict.body


def test_review_list_puts_calls_for_help_first_and_flags_overdue_check_ins(client, django_assert_max_num_queries):
    plan = network_staff()
    for n in range(1, 56):
        provider = ecm(n)
        staff = staff_of(provider)
        app = readiness.start_application(provider, actor=staff)
        answers = all_low()
        if n == 40:
            answers["OUTREACH"] = ("", "HIGH_2")
            answers["BILLING"] = ("", "HIGH_1")
        readiness.save_answers(app, answers, actor=staff)
        readiness.submit_application(app, actor=staff, now=timezone.now() - timedelta(days=30))
        if n == 2:
            readiness.add_check_in(app, "Fine.", actor=plan)
    client.force_login(plan)
    with django_assert_max_num_queries(10):
        response = client.get("/providers/readiness/review/")
    rows = response.context["rows"]
    assert response.status_code == 200 and len(rows) == 50
    assert (rows[0].app.provider.name, rows[0].high_2, rows[0].high_1, rows[0].unanswered) == ("Provider 040", 1, 1,
                                                                                                 0)
    by_name = {r.app.provider.name: r for r in rows}
    assert by_name["Provider 001"].check_in_overdue  # submitted 30 days ago, never checked in
    assert not by_name["Provider 002"].check_in_overdue
    assert client.get("/providers/readiness/review/?verdict=APPROVED").context["page"].paginator.count == 0
    client.force_login(staff_of(ecm(99)))
    assert client.get("/providers/readiness/review/").status_code == 403


def test_evidence_uploaded_by_mistake_is_removed_before_submission(client, _isolated_data_dir,
                                                                   django_capture_on_commit_callbacks):
    provider = ecm(1)
    staff = staff_of(provider)
    app = readiness.start_application(provider, actor=staff)
    wrong = readiness.upload_evidence(app, filename="wrong.pdf", content=PDF + b"1", actor=staff)
    stored = Path(_isolated_data_dir) / "readiness" / wrong.file
    client.force_login(staff)
    url = f"/providers/{provider.npi}/readiness/"
    assert client.post(url, {"action": "remove-evidence", "evidence": "abc"}).status_code == 400
    assert client.post(url, {"action": "remove-evidence", "evidence": "999"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "remove-evidence", "evidence": str(wrong.pk)}).status_code == 302
    assert not ReadinessEvidence.objects.exists() and not stored.exists()
    kept = readiness.upload_evidence(app, filename="right.pdf", content=PDF, actor=staff)
    readiness.save_answers(app, all_low(), actor=staff)
    readiness.submit_application(app, actor=staff)
    refused = client.post(url, {"action": "remove-evidence", "evidence": str(kept.pk)})
    assert refused.status_code == 400 and b"stays with it" in refused.content
    assert ReadinessEvidence.objects.get() == kept


def test_a_provider_found_not_ready_submits_again_for_a_fresh_review():
    provider = ecm(1)
    staff, plan = staff_of(provider), network_staff()
    app = readiness.start_application(provider, actor=staff)
    readiness.save_answers(app, all_low(), actor=staff)
    readiness.submit_application(app, actor=staff)
    readiness.decide(app, "NOT_READY", "No care management documentation system.", actor=plan)
    app.refresh_from_db()
    readiness.save_answers(app, {"DATA_SYSTEMS": ("We bought one.", "LOW")}, actor=staff)
    readiness.submit_application(app, actor=staff)
    app.refresh_from_db()
    assert (app.verdict, app.verdict_reasons) == ("PENDING", "No care management documentation system.")
