"""/api/careplans (scoped and audited like the pages) and the carry-over of a plan to a new provider (the
substance use domain only under a Part 2 consent naming the new provider)."""

from __future__ import annotations

from datetime import date

import pytest
from careplans_helpers import NPI_A, NPI_B, assign, assigned_member, authorize, complete_content, ecm_org, lcm
from django.utils import timezone
from factories import PASSWORD, completed_assessment, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.careplans import services
from carehub.apps.consents.models import Consent, ConsentKind

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def finalized(member, writer, assessed_on=None):
    completed_assessment(member, on=assessed_on)
    plan = services.start_care_plan(member, actor=writer)
    services.save_draft(plan, complete_content(), actor=writer)
    return plan, services.finalize(plan, actor=writer)


def test_member_plan_and_version_are_scoped_and_audited(client):
    writer = lcm(ecm_org(NPI_A))
    member = assigned_member(NPI_A)
    authorize(member, date(2026, 1, 15))
    plan, _ = finalized(member, writer, assessed_on=date(2026, 1, 15))
    login(client, writer)
    body = client.get(f"/api/careplans/members/{member.person_id}").json()
    assert (body["id"], body["reassessment_due"], [v["number"] for v in body["versions"]]) == (
        plan.pk, "2027-01-15", [1])
    version = client.get(f"/api/careplans/plans/{plan.pk}/versions/1").json()
    assert version["content"]["domains"]["ORAL"]["goals"] == "I want help with oral"
    pdf = client.get(f"/api/careplans/plans/{plan.pk}/versions/1/pdf?lang=es")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    login(client, lcm(ecm_org(NPI_B)))
    assert client.get(f"/api/careplans/members/{member.person_id}").status_code == 404
    assert client.get(f"/api/careplans/plans/{plan.pk}/versions/1").status_code == 404
    assert AuditEvent.objects.filter(action="DENIED", object_type="CarePlanVersion").exists()
    assert client.get("/api/careplans/reassessments").json() == []


def test_reassessments_api_lists_overdue(client):
    writer = lcm(ecm_org(NPI_A))
    member = assigned_member(NPI_A)
    authorize(member, date(2020, 1, 1))
    login(client, writer)
    assert client.get("/api/careplans/reassessments").json() == [
        {"person_id": member.person_id, "cin": member.member_id, "due": "2021-01-01", "state": "OVERDUE"}]


def _switch_provider(member):
    member.ecm_assignments.update(status="ENDED")
    assign(member, NPI_B)
    return lcm(ecm_org(NPI_B))


def test_a_new_provider_starts_from_the_last_version_without_sud_unless_part2_consent():
    member = assigned_member(NPI_A)
    old_plan, _ = finalized(member, lcm(ecm_org(NPI_A)))
    new_writer = _switch_provider(member)
    new_plan = services.start_care_plan(member, actor=new_writer)
    old_plan.refresh_from_db()
    assert old_plan.closed_at is not None and new_plan.provider_npi == NPI_B
    assert new_plan.draft["domains"]["ORAL"]["goals"] == "I want help with oral"
    assert new_plan.draft["domains"]["SUD"]["goals"] == ""


def test_part2_consent_naming_the_new_provider_carries_the_sud_domain():
    member = assigned_member(NPI_A)
    finalized(member, lcm(ecm_org(NPI_A)))
    new_writer = _switch_provider(member)
    Consent.objects.create(member=member, kind=ConsentKind.PART2, recipient_npis=[NPI_B], signer_name="Ana",
                           signed_on=date(2026, 1, 1), effective_on=date(2026, 1, 1), purpose="TREATMENT",
                           recorded_at=timezone.now(), recorded_by=make_user(Role.PLAN_ADMIN))
    plan = services.start_care_plan(member, actor=new_writer)
    assert plan.draft["domains"]["SUD"]["goals"] == "I want help with sud"


def test_a_new_provider_does_not_open_the_previous_providers_records(client):
    member = assigned_member(NPI_A)
    old_writer = lcm(ecm_org(NPI_A))
    old_assessment = services.start_assessment(member, actor=old_writer)
    old_plan, _ = finalized(member, old_writer)
    new_writer = _switch_provider(member)
    login(client, new_writer)
    assert client.get(f"/careplans/plans/{old_plan.pk}/").status_code == 404
    assert client.get(f"/careplans/plans/{old_plan.pk}/v/1/").status_code == 404
    assert client.get(f"/careplans/assessments/{old_assessment.pk}/").status_code == 404
    assert client.get(f"/api/careplans/members/{member.person_id}").status_code == 404
    page = client.get(f"/careplans/member/{member.person_id}/").content.decode()
    assert "No care plan yet" in page and "No assessment yet" in page
    login(client, make_user(Role.PLAN_CARE_COORDINATION))
    assert client.get(f"/careplans/plans/{old_plan.pk}/v/1/").status_code == 200
