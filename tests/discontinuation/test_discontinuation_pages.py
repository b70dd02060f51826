"""The discontinuation pages: the provider's form (with a file), the plan's queue and review, scoping, and the
member's "My ECM" page with the request to stop ECM."""

from __future__ import annotations

import pytest
from discontinuation_helpers import NPI_B, accepted_case
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import completed_assessment, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.assignments.models import AssignmentStatus
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.discontinuation.models import Discontinuation, Status

pytestmark = pytest.mark.django_db


def test_provider_records_with_a_file_and_plan_confirms_through_the_pages(client):
    case = accepted_case()
    client.force_login(case.lcm)
    page = client.get("/discontinuation/provider/")
    assert page.status_code == 200 and case.member.display_name in page.content.decode()
    upload = SimpleUploadedFile("goals.pdf", b"%PDF-1.4 care plan goals", content_type="application/pdf")
    response = client.post("/discontinuation/new/", {"assignment": case.assignment.pk, "reason": "GRADUATED",
                                                     "evidence": "All goals met.", "evidence_file": upload})
    item = Discontinuation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/discontinuation/{item.pk}/"
    download = client.get(f"/discontinuation/{item.pk}/evidence/")
    assert download.content == b"%PDF-1.4 care plan goals" and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="evidence-{item.pk}.pdf"'
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="DiscontinuationEvidence",
                                     person_id=case.member.person_id).count() == 1
    # Missing evidence: the form says why and nothing more is written.
    client.force_login(case.staff)
    bad = client.post("/discontinuation/new/", {"assignment": case.assignment.pk, "reason": "NOT_ENGAGING"})
    assert bad.status_code == 400 and "describe the evidence" in bad.content.decode()

    client.force_login(case.plan)
    queue = client.get("/discontinuation/")
    assert queue.status_code == 200 and case.member.display_name in queue.content.decode()
    client.post(f"/discontinuation/{item.pk}/confirm/", {"transition_to": "Complex Case Management"})
    item.refresh_from_db()
    assert item.status == Status.CONFIRMED and item.notice is not None
    detail = client.get(f"/discontinuation/{item.pk}/").content.decode()
    assert item.notice.reference in detail and "Complex Case Management" in detail
    assert "Transitions to a lower level of care" in client.get("/discontinuation/").content.decode()
    # The provider sees the transition due on its page and records it done.
    client.force_login(case.lcm)
    assert f"due {item.transition_due_on.isoformat()}" in client.get("/discontinuation/provider/").content.decode()
    client.post(f"/discontinuation/{item.pk}/transition/", {"transition_to": "Complex Case Management"})
    item.refresh_from_db()
    assert item.transition_completed_on is not None


def test_other_provider_and_members_cannot_open_a_request(client):
    case = accepted_case()
    other = accepted_case(npi=NPI_B, plan=case.plan, county="Fresno")
    item = Discontinuation.objects.create(assignment=case.assignment, member=case.member,
                                          provider_npi=case.assignment.provider_npi, reason="MEMBER_WISH",
                                          requested_at=case.assignment.assigned_at)
    client.force_login(other.staff)
    assert client.get(f"/discontinuation/{item.pk}/").status_code == 404
    assert client.post("/discontinuation/new/", {"assignment": case.assignment.pk, "reason": "MEMBER_WISH"}
                       ).status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, object_type="Discontinuation").exists()
    assert client.get("/discontinuation/").status_code == 403
    client.force_login(make_user(Role.MEMBER, member=case.member))
    assert client.get(f"/discontinuation/{item.pk}/").status_code == 403
    assert client.post(f"/discontinuation/{item.pk}/confirm/").status_code == 403


def test_member_sees_their_ecm_in_spanish_and_asks_to_stop(client, django_capture_on_commit_callbacks):
    case = accepted_case(language="Spanish")
    member_user = make_user(Role.MEMBER, member=case.member)
    client.force_login(member_user)
    html = client.get("/discontinuation/my-ecm/").content.decode()
    assert "Mi ECM" in html and "Su proveedor de ECM" in html and f"Provider {case.assignment.provider_npi}" in html
    assert "Aprobado" in html and "Remisión" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/discontinuation/my-ecm/stop/", {"reason": "Ya estoy mejor"}, follow=True)
    assert "Recibimos su solicitud de dejar ECM" in response.content.decode()
    item = Discontinuation.objects.get()
    assert (item.reason, item.origin, item.status) == ("MEMBER_WISH", "MEMBER", Status.REQUESTED)
    # Asking twice files nothing new.
    client.post("/discontinuation/my-ecm/stop/", {"reason": "again"})
    assert Discontinuation.objects.count() == 1
    case.assignment.refresh_from_db()
    assert case.assignment.status == AssignmentStatus.ACCEPTED  # ECM goes on until the plan confirms


def test_member_without_ecm_sees_an_empty_page_and_staff_cannot_open_it(client):
    from factories import make_member

    client.force_login(make_user(Role.MEMBER, member=make_member()))
    response = client.get("/discontinuation/my-ecm/")
    assert response.status_code == 200 and "Nothing yet" in response.content.decode()
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    assert client.get("/discontinuation/my-ecm/").status_code == 403


def test_member_page_shows_the_lead_care_manager_and_after_the_end_the_notice(client):
    from django.utils import timezone

    from carehub.apps.discontinuation import services
    from carehub.apps.engagement import services as engagement
    from carehub.apps.providers.models import CareManager, ProviderOrganization

    case = accepted_case()
    provider = ProviderOrganization.objects.get(npi=case.assignment.provider_npi)
    nurse = CareManager.objects.create(provider=provider, name="Nia Nurse", role="NURSE", phone="510-555-0142",
                                       languages=["en"], populations=["ADULT_HOMELESS"])
    engagement.enroll(case.assignment, actor=case.staff, on=timezone.localdate())
    engagement.assign_lead_care_manager(case.assignment, nurse, actor=case.staff)
    client.force_login(make_user(Role.MEMBER, member=case.member))
    html = client.get("/discontinuation/my-ecm/").content.decode()
    assert "Nia Nurse · 510-555-0142" in html and "Status: Enrolled" in html
    assert "Ask to stop ECM" in html and "Ask for a new provider" in html
    assert 'action="/assignments/changes/mine/"' in html
    assert client.post("/assignments/changes/mine/", {"reason": "Closer to home"}).status_code == 201
    html = client.get("/discontinuation/my-ecm/").content.decode()
    assert "Your request to change provider was received." in html and "Ask for a new provider" not in html

    item = services.request_discontinuation(case.assignment, "GRADUATED", actor=case.lcm, evidence="Goals met.")
    item = services.confirm(item, actor=case.plan)
    ends = item.effective_on
    html = client.get("/discontinuation/my-ecm/").content.decode()
    # During the advance notice the member still has ECM, and reads when it ends and how to keep it.
    assert f"Your ECM ends on {ends.isoformat()}." in html and "Status: Enrolled" in html
    assert "If you ask for an appeal by that date, your ECM goes on" in html
    assert f'href="/notices/{item.notice.pk}.pdf"' in html and "Ask to stop ECM" not in html
    services.end_due(ends)
    html = client.get("/discontinuation/my-ecm/").content.decode()
    assert "You are not receiving ECM now." in html and "Nia Nurse" in html
    assert f'href="/notices/{item.notice.pk}.pdf"' in html and "Ask to stop ECM" not in html
    pdf = client.get(f"/notices/{item.notice.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content == bytes(item.notice.pdf)


def test_plan_records_a_discontinuation_it_learned_of(client, django_capture_on_commit_callbacks):
    from carehub.apps.notifications.models import Notification

    case = accepted_case()
    client.force_login(case.plan)
    unknown = client.post("/discontinuation/plan-new/", {"person_id": "NOPE", "reason": "DECEASED", "evidence": "x"})
    # Refusals come inside the page with a way back (they were bare text: found by a walk-through of the demo).
    html = unknown.content.decode()
    assert unknown.status_code == 400 and "No open ECM assignment for that person id or CIN" in html
    assert 'href="/discontinuation/">Go back and fix it' in html and "<nav" in html
    no_evidence = client.post("/discontinuation/plan-new/", {"person_id": case.member.person_id, "reason": "DECEASED"})
    assert no_evidence.status_code == 400 and "Describe the evidence" in no_evidence.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/discontinuation/plan-new/", {"person_id": case.member.member_id.lower(),  # the CIN
                                                               "reason": "DECEASED",
                                                               "evidence": "Date of death in the 834 file."})
    item = Discontinuation.objects.get()
    assert response.status_code == 302 and (item.origin, item.reason) == ("PLAN", "DECEASED")
    assert Notification.objects.filter(kind="discontinuation-requested",
                                       recipient_org_id=case.staff.organization_id).exists()
    client.force_login(case.staff)
    assert client.post("/discontinuation/plan-new/", {"person_id": case.member.person_id}).status_code == 403


def test_graduation_review_shows_the_care_plan_goals_not_met(client):
    from carehub.apps.careplans import services as careplans
    from carehub.domain import careplan as careplan_policy

    case = accepted_case()
    item = Discontinuation.objects.create(assignment=case.assignment, member=case.member, reason="GRADUATED",
                                          provider_npi=case.assignment.provider_npi, evidence="Goals met.",
                                          requested_at=case.assignment.assigned_at)
    client.force_login(case.plan)
    assert "The member has no finalized care plan." in client.get(f"/discontinuation/{item.pk}/").content.decode()
    content = careplan_policy.empty_content()
    for entry in content["domains"].values():
        entry.update(no_need="No current need")
    first, second = list(content["domains"])[:2]
    content["domains"][first].update(goals="Keep my PCP visits", needs="PCP", strategies="Rides", no_need="",
                                     responsible="Lee", due_date="2027-01-31", status="MET")
    content["domains"][second].update(goals="Sleep better", needs="Counseling", strategies="Referral", no_need="",
                                      responsible="Lee", due_date="2027-01-31", status="IN_PROGRESS")
    completed_assessment(case.member)
    plan = careplans.start_care_plan(case.member, actor=case.staff)
    careplans.save_draft(plan, content, actor=case.staff, ltss_needs=False)
    careplans.finalize(plan, actor=case.staff)
    html = client.get(f"/discontinuation/{item.pk}/").content.decode()
    assert "1 goal not marked met in care plan version 1." in html
    assert "Keep my PCP visits" in html and "Sleep better" in html and "In progress" in html
    client.force_login(case.staff)  # providers do not get this summary (it spans every domain, SUD included)
    assert "Care plan goals" not in client.get(f"/discontinuation/{item.pk}/").content.decode()


def test_the_engagement_pages_link_opens_the_form_for_that_member_and_a_refused_form_keeps_what_was_typed(client):
    """The link once led to the POST-only /discontinuation/new/ (HTTP 405), and a refusal cleared the evidence
    (found by a walk-through of the demo)."""
    import re

    case = accepted_case()
    client.force_login(case.staff)
    engagement = client.get(f"/engagement/{case.assignment.pk}/").content.decode()
    (link,) = re.findall(r'href="([^"]+)">Request discontinuation</a>', engagement)
    form = client.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    assert f'<option value="{case.assignment.pk}" selected>' in form.content.decode()
    refused = client.post("/discontinuation/new/", {"assignment": case.assignment.pk, "reason": "",
                                                     "evidence": "Three calls and a letter since May."})
    html = refused.content.decode()
    assert refused.status_code == 400 and "choose one of the discontinuation reasons" in html
    assert ">Three calls and a letter since May.</textarea>" in html
    assert f'<option value="{case.assignment.pk}" selected>' in html
    refused = client.post("/discontinuation/new/", {"assignment": case.assignment.pk, "reason": "NOT_ENGAGING"})
    assert 'value="NOT_ENGAGING" required checked' in refused.content.decode()
