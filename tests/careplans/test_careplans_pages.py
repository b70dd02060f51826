"""Care plan pages: scoping (provider sees only assigned members, member only their own), every read audited,
the member's PDF in Spanish, the reassessment worklist's due-soon and overdue boundaries."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from careplans_helpers import NPI_A, NPI_B, assign, assigned_member, authorize, complete_content, ecm_org, lcm
from django.utils import timezone
from factories import PASSWORD, completed_assessment, make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.authorizations.models import AuthorizationKind
from carehub.apps.careplans import documents, services
from carehub.apps.careplans.selectors import reassessment_worklist
from carehub.domain import careplan as policy

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def writer():
    return lcm(ecm_org(NPI_A))


def finalized_plan(member, writer, content=None):
    completed_assessment(member)
    plan = services.start_care_plan(member, actor=writer)
    services.save_draft(plan, content or complete_content(), actor=writer)
    return plan, services.finalize(plan, actor=writer)


def test_provider_sees_only_assigned_members_and_denials_are_audited(client, writer):
    mine, other = assigned_member(NPI_A), assigned_member(NPI_B)
    login(client, writer)
    assert client.get(f"/careplans/member/{mine.person_id}/").status_code == 200
    assert client.get(f"/careplans/member/{other.person_id}/").status_code == 404
    other_plan, _ = finalized_plan(other, lcm(ecm_org(NPI_B)))
    assert client.get(f"/careplans/plans/{other_plan.pk}/").status_code == 404
    assert client.get(f"/careplans/plans/{other_plan.pk}/v/1/pdf/").status_code == 404
    assert AuditEvent.objects.filter(action="READ", object_type="CarePlanMember", person_id=mine.person_id).exists()
    assert AuditEvent.objects.filter(action="DENIED", object_type="CarePlan", object_id=str(other_plan.pk)).exists()


def test_an_ended_assignment_ends_the_providers_access(client, writer):
    member = assigned_member(NPI_A)
    member.ecm_assignments.update(status="ENDED")
    login(client, writer)
    assert client.get(f"/careplans/member/{member.person_id}/").status_code == 404


def test_provider_writes_a_plan_through_the_pages(client, writer):
    member = assigned_member(NPI_A)
    login(client, writer)
    response = client.post(f"/careplans/member/{member.person_id}/plans/new/")
    plan_url = response["Location"]
    form = {f"d-{code}-{field}": value for code, entry in complete_content().items() if code == "domains"
            for code, fields in entry.items() for field, value in fields.items()}
    # Not before the comprehensive assessment is completed (a walk-through finalized a plan on one in progress).
    response = client.post(plan_url, {**form, "finalize": "1"})
    assert response.status_code == 400
    assert "complete the member&#x27;s comprehensive assessment before finalizing" in response.content.decode()
    completed_assessment(member)
    form["d-ORAL-goals"] = ""
    response = client.post(plan_url, {**form, "finalize": "1"})
    assert response.status_code == 400
    assert "Oral health: missing the member&#x27;s goals (in their words)" in response.content.decode()
    form["d-ORAL-goals"] = "Fix my tooth"
    assert client.post(plan_url, {**form, "finalize": "1", "summary": "first"}).status_code == 302
    form["d-ORAL-status"] = "MET"
    client.post(plan_url, {**form, "finalize": "1"})
    page = client.get(f"{plan_url}v/2/").content.decode()
    assert "Changes since version 1" in page and "<td>Oral health</td><td>status</td>" in page
    form["d-MENTAL-needs"] = "Counseling weekly"
    client.post(plan_url, form)  # saved, not finalized
    assert "The draft changes 1 field since the latest version" in client.get(plan_url).content.decode()


def test_member_downloads_their_plan_in_spanish_and_asks_for_an_update(client, writer):
    member = assigned_member(NPI_A, preferred_language="Spanish")
    other = assigned_member(NPI_A)
    _, version = finalized_plan(member, writer)
    finalized_plan(other, writer)
    login(client, make_user(Role.MEMBER, member=member))
    page = client.get("/careplans/mine/").content.decode()
    assert "Mi plan de cuidado" in page and "Salud dental" in page
    response = client.get("/careplans/mine/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response.content == documents.render_version(version).pdf
    assert "-es.pdf" in response["Content-Disposition"]
    html = documents.render_version(version).html
    assert "Su Plan de Cuidado Individualizado" in html and "Salud física" in html and "Sus metas" in html
    assert "31 de enero de 2027" in html
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode()
        assert "Su Plan de Cuidado Individualizado" in text
    assert client.get(f"/careplans/plans/{version.care_plan_id}/").status_code == 403  # staff pages
    assert client.post("/careplans/mine/request/", {"text": "Cambiar mi meta"}).status_code == 302
    assert member.care_plans.get().update_requests.get().text == "Cambiar mi meta"
    assert AuditEvent.objects.filter(action="READ", object_type="CarePlanVersion",
                                     person_id=member.person_id).exists()


def test_the_pdf_is_deterministic(writer):
    _, version = finalized_plan(assigned_member(NPI_A), writer)
    assert documents.render_version(version, "en").pdf == documents.render_version(version, "en").pdf


def test_member_without_a_plan(client):
    login(client, make_user(Role.MEMBER, member=make_member()))
    assert "You do not have a finished care plan yet" in client.get("/careplans/mine/").content.decode()
    response = client.get("/careplans/mine/pdf/", follow=True)
    assert response.redirect_chain == [("/careplans/mine/", 302)]
    assert "Your care plan is not finished yet." in response.content.decode()


def test_worklist_shows_due_soon_and_overdue_with_boundaries(client, writer):
    today = timezone.localdate()
    start_for = {  # authorization start so that the automatic 6-month due date lands `days` from today
        days: next(d for d in (today - timedelta(days=200 - i) for i in range(60))
                   if policy.add_months(d, 6) - timedelta(days=1) == today + timedelta(days=days))
        for days in (-1, 0, 30, 31)}
    members = {}
    for days, start in start_for.items():
        members[days] = assigned_member(NPI_A)
        authorize(members[days], start, kind=AuthorizationKind.CONTINUITY)
    elsewhere = make_member()
    assign(elsewhere, NPI_B)
    authorize(elsewhere, start_for[-1], kind=AuthorizationKind.PRESUMPTIVE)
    lines = reassessment_worklist(writer, today=today)
    assert [(line.member, line.state) for line in lines] == [
        (members[-1], policy.DueState.OVERDUE), (members[0], policy.DueState.DUE_SOON),
        (members[30], policy.DueState.DUE_SOON)]
    assert reassessment_worklist(make_user(Role.MEMBER, member=members[0])) == []
    assert len(reassessment_worklist(make_user(Role.PLAN_CARE_COORDINATION), today=today)) == 4
    login(client, writer)
    page = client.get("/careplans/").content.decode()
    assert "Overdue" in page and members[30].display_name in page
    assert AuditEvent.objects.filter(object_type="ReassessmentWorklist").exists()


def test_plan_staff_edit_the_assessment_template(client):
    admin = make_user(Role.PLAN_ADMIN)
    login(client, admin)
    page = client.get("/careplans/templates/")
    assert page.status_code == 200 and "Comprehensive assessment" in page.content.decode()
    response = client.post("/careplans/templates/", {"content": '{"name": "x", "sections": []}'})
    assert response.status_code == 400 and "the template has no sections" in response.content.decode()
    lead = lcm(ecm_org(NPI_B))
    login(client, lead)
    assert client.get("/careplans/templates/").status_code == 403


def test_assessment_page_shows_the_hra_and_saves_answers(client, writer):
    member = assigned_member(NPI_A)
    login(client, writer)
    response = client.post(f"/careplans/member/{member.person_id}/assessments/new/")
    url = response["Location"]
    page = client.get(url).content.decode()
    assert "The plan has no Health Risk Assessment results" in page and "Physical health" in page
    assert client.post(url, {"PHYSICAL.conditions": "Diabetes"}).status_code == 302
    assert "Diabetes" in client.get(url).content.decode()
    assert member.comprehensive_assessments.get().status == "DRAFT"


def test_the_worklist_reads_in_a_fixed_number_of_queries(writer, django_assert_num_queries):
    for _ in range(3):
        authorize(assigned_member(NPI_A), date(2020, 1, 1))
    with django_assert_num_queries(4):
        assert len(reassessment_worklist(writer)) == 3
    for _ in range(3):
        authorize(assigned_member(NPI_A), date(2020, 1, 1))
    with django_assert_num_queries(4):
        assert len(reassessment_worklist(writer)) == 6


def test_provider_caseload_lists_assigned_members_with_plan_state(client, writer, django_assert_num_queries):
    from carehub.apps.careplans.selectors import provider_caseload

    planned, none_yet = assigned_member(NPI_A, last_name="Adams"), assigned_member(NPI_A, last_name="Baker")
    assigned_member(NPI_B)
    authorize(none_yet, date(2026, 1, 15))
    finalized_plan(planned, writer)
    with django_assert_num_queries(6):
        lines = provider_caseload(writer)
    assert [(line.member, line.plan is not None, line.due) for line in lines] == [
        (planned, True, policy.add_months(timezone.localdate(), 12)), (none_yet, False, date(2027, 1, 15))]
    assert lines[0].last_version == timezone.localdate()
    # Never assessed: the page says the initial assessment is to do, not "next due" a year after the authorization
    # (found by a walk-through of the demo).
    assert [line.assessed for line in lines] == [True, False]
    assert provider_caseload(make_user(Role.PLAN_ADMIN)) == []
    login(client, writer)
    page = client.get("/careplans/").content.decode()
    assert page.count("Your assigned members") == 1  # once, in the page, not also in the window title
    assert "<title>Care plans · CareHub</title>" in page
    assert "initial assessment to do" in page


def test_the_plans_hra_reads_as_labels_and_values_not_json(client, writer):
    from carehub.apps.members.models import Assessment as LoadedAssessment

    member = assigned_member(NPI_A)
    LoadedAssessment.objects.create(member=member, kind="HRA", value='{"self_rated_health": "fair", "falls": 2}',
                                    assessed_on=date(2025, 12, 30), source="HRA", row_key="hra-1", row_hash="x")
    LoadedAssessment.objects.create(member=member, kind="HRA", value="Needs help bathing", row_key="hra-2",
                                    assessed_on=date(2025, 6, 1), source="HRA", row_hash="x")
    login(client, writer)
    page = client.get(f"/careplans/member/{member.person_id}/").content.decode()
    assert "Self rated health: fair; Falls: 2" in page and "Needs help bathing" in page
    assert "self_rated_health" not in page
