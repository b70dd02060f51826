"""/api/engagement (scoped, audited, refusals as 400 with nothing changed) and the Outreach Tracker File both
ways: OTF rows imported by the assignments app become outreach attempts idempotently; the provider's OTF is
built from the attempts recorded in CareHub and re-importing it counts nothing twice."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from engagement_helpers import NPI_A, NPI_B, assign, days_ago, ecm_shop
from factories import make_user
from openpyxl import load_workbook

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import exchange
from carehub.apps.audit.models import AuditEvent
from carehub.apps.audit.services import JobActor
from carehub.apps.engagement import services
from carehub.apps.engagement.models import OutreachAttempt
from carehub.apps.engagement.otf import sync_otf_reports
from carehub.domain.dhcsfiles import layout, write_workbook

pytestmark = pytest.mark.django_db
JOB = JobActor("test")


@pytest.fixture
def shop():
    return ecm_shop()


def _old_assignment(**kwargs):
    return assign(assigned_at=timezone.now() - timedelta(days=20), **kwargs)


def test_api_worklist_and_writes(client, shop):
    a = _old_assignment()
    other = assign(NPI_B)
    client.force_login(shop.staff)
    body = client.get("/api/engagement/worklist").json()
    assert body["total"] == 1 and body["rows"][0]["assignment"] == a.pk
    assert body["rows"][0]["attempts_required"] == 3 and body["rows"][0]["status"] == "OUTREACH"
    response = client.post(f"/api/engagement/assignments/{a.pk}/outreach", {
        "attempted_on": days_ago(1).isoformat(), "method": "IN_PERSON", "outcome": "REACHED_ENGAGED",
        "location": "Clinic", "minutes": 20}, content_type="application/json")
    assert response.status_code == 201 and response.json()["warning"] == ""
    bad = client.post(f"/api/engagement/assignments/{a.pk}/activities", {
        "occurred_on": days_ago(0).isoformat(), "component": "HEALTH_PROMOTION", "mode": "IN_PERSON",
        "minutes": 30}, content_type="application/json")
    assert bad.status_code == 400 and "enrolled" in bad.json()["detail"]
    assert client.post(f"/api/engagement/assignments/{a.pk}/status", {"action": "enroll"},
                       content_type="application/json").json() == {"status": "ENROLLED"}
    assert client.post(f"/api/engagement/assignments/{a.pk}/lead-care-manager", {"care_manager": shop.lcm.pk},
                       content_type="application/json").status_code == 201
    assert client.post(f"/api/engagement/assignments/{a.pk}/activities", {
        "occurred_on": days_ago(0).isoformat(), "component": "HEALTH_PROMOTION", "mode": "IN_PERSON",
        "minutes": 30}, content_type="application/json").status_code == 201
    assert client.post(f"/api/engagement/assignments/{a.pk}/care-team", {
        "role": "BEHAVIORAL", "name": "Dr. Ruiz", "organization": "County BH"},
        content_type="application/json").status_code == 201
    detail = client.get(f"/api/engagement/assignments/{a.pk}").json()
    assert (detail["status"], detail["lead_care_manager"], detail["last_contact"]) == (
        "ENROLLED", "Lee Nurse", days_ago(0).isoformat())
    # another provider's member: not found, nothing written
    assert client.get(f"/api/engagement/assignments/{other.pk}").status_code == 404
    assert client.post(f"/api/engagement/assignments/{other.pk}/outreach", {
        "attempted_on": days_ago(0).isoformat(), "method": "PHONE", "outcome": "NO_ANSWER"},
        content_type="application/json").status_code == 404
    assert not OutreachAttempt.objects.filter(assignment=other).exists()
    assert client.get("/api/engagement/not-engaged").status_code == 404


def test_api_plan_not_engaged_and_route(client, shop):
    a = _old_assignment()
    services.decline(a, actor=shop.staff, on=days_ago(0))
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    rows = client.get("/api/engagement/not-engaged").json()
    assert [r["assignment"] for r in rows] == [a.pk]
    assert client.post(f"/api/engagement/assignments/{a.pk}/route", {"routed_to": ""},
                       content_type="application/json").status_code == 400
    ok = client.post(f"/api/engagement/assignments/{a.pk}/route", {"routed_to": "Complex Case Management"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["routed_to"] == "Complex Case Management"
    assert client.get("/api/engagement/not-engaged").json() == []
    assert client.get("/api/engagement/worklist").status_code == 404
    assert client.get("/api/engagement/monthly-gaps?first_month=2025-01-01&last_month=2025-03-01").json() == []
    for first, last in (("2025-03-01", "2025-01-01"), ("9999-12-01", "9999-12-31"), ("2020-01-01", "2025-01-01")):
        response = client.get(f"/api/engagement/monthly-gaps?first_month={first}&last_month={last}")
        assert response.status_code == 400, (first, last)


def _otf(cin: str, **changes) -> bytes:
    row = {"ECM Provider NPI": NPI_A, "Member Client Index Number": cin, "Date of Outreach Attempt": days_ago(2),
           "Outreach Attempt Method": "Phone", "Outreach Attempt Successful": "N",
           "Time Spent Performing Outreach": 15}
    row.update(changes)
    buffer = io.BytesIO()
    write_workbook(buffer, layout("OTF"), [row])
    return buffer.getvalue()


def test_otf_import_becomes_outreach_attempts_idempotently(shop):
    a = _old_assignment()
    data = _otf(a.member.member_id)
    assert exchange.import_file("OTF", data, name="otf.xlsx", actor=JOB).accepted
    attempt = OutreachAttempt.objects.get(assignment=a)  # the import itself wrote the attempt
    assert (attempt.source, attempt.method, attempt.outcome, attempt.minutes, attempt.attempted_on) == (
        "OTF", "PHONE", "OTHER", 15, days_ago(2))
    exchange.import_file("OTF", data, name="otf.xlsx", actor=JOB)
    again = sync_otf_reports(actor=JOB, provider_npi=NPI_A)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert OutreachAttempt.objects.filter(assignment=a).count() == 1
    # a corrected row (same natural key, now successful) updates the attempt on import
    exchange.import_file("OTF", _otf(a.member.member_id, **{"Outreach Attempt Successful": "Y"}), name="otf2.xlsx",
                         actor=JOB)
    assert OutreachAttempt.objects.get(assignment=a).outcome == "REACHED_ENGAGED"
    assert AuditEvent.objects.filter(object_type="OutreachAttempt", person_id=a.member_id).count() == 2


def test_otf_download_from_carehub_and_reimport_counts_nothing_twice(client, shop):
    a = _old_assignment()
    services.record_outreach(a, actor=shop.staff, attempted_on=days_ago(3), method="IN_PERSON",
                             outcome="NO_ANSWER", minutes=25)
    client.force_login(shop.staff)
    period = days_ago(3).strftime("%Y-%m")
    response = client.get(f"/engagement/otf/?npi={NPI_A}&period={period}")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["Member Client Index Number"], row["Outreach Attempt Method"], row["Outreach Attempt Successful"],
            row["Time Spent Performing Outreach"]) == (a.member.member_id, "In Person", "N", 25)
    assert exchange.import_file("OTF", data, name="otf.xlsx", actor=JOB).accepted
    result = sync_otf_reports(actor=JOB)
    assert (result.created, result.unchanged) == (0, 1)
    assert OutreachAttempt.objects.filter(assignment=a).count() == 1
    assert client.get(f"/engagement/otf/?npi={NPI_B}&period={period}").status_code == 404
    assert client.get(f"/api/engagement/otf?npi={NPI_A}&period={period}").status_code == 200


def test_two_attempts_on_one_day_by_one_method_are_two_attempts(shop):
    """The OTF lists each outreach attempt (spec dhcs-interchange "OTF"): a second call the same day is not a
    repeated row, and importing the file again still counts two."""
    a = _old_assignment()
    book = load_workbook(io.BytesIO(_otf(a.member.member_id)))
    second = _otf(a.member.member_id, **{"Outreach Attempt Successful": "Y", "Time Spent Performing Outreach": 20})
    book.worksheets[0].append([c.value for c in load_workbook(io.BytesIO(second)).worksheets[0][2]])
    buffer = io.BytesIO()
    book.save(buffer)
    assert exchange.import_file("OTF", buffer.getvalue(), name="otf.xlsx", actor=JOB).accepted
    exchange.import_file("OTF", buffer.getvalue(), name="otf.xlsx", actor=JOB)
    sync_otf_reports(actor=JOB, provider_npi=NPI_A)
    attempts = OutreachAttempt.objects.filter(assignment=a).order_by("minutes")
    assert [(x.minutes, x.outcome) for x in attempts] == [(15, "OTHER"), (20, "REACHED_ENGAGED")]


def test_a_provider_loses_the_member_as_soon_as_it_returns_or_the_assignment_ends(client):
    """DESIGN "Access and audit": provider staff see only members currently assigned. A return left the record
    readable until midnight (the relationship ended "on" today counted as current), and an ended assignment kept
    serving the former provider the member's contact details (found by an audit of the API)."""
    from factories import add_history, today

    from carehub.apps.assignments.models import AssignmentStatus
    from carehub.apps.assignments.services import end_assignment
    from carehub.apps.audit.services import JobActor

    shop, other = ecm_shop(), ecm_shop(NPI_B)
    returned = assign(status=AssignmentStatus.ASSIGNED, phone="510-555-0199", email="ana@example.org")
    add_history(returned.member)
    client.force_login(shop.staff)
    assert client.get(f"/api/members/{returned.member_id}").status_code == 200
    assert client.post(f"/api/assignments/{returned.pk}/return", {"reason": "Not our county"},
                       content_type="application/json").status_code == 200
    assert client.get(f"/api/members/{returned.member_id}").status_code == 404
    assert client.get(f"/api/engagement/assignments/{returned.pk}").status_code == 404
    moved = assign(phone="510-555-0142", email="bo@example.org", first_name="Bo")
    end_assignment(moved, "provider change", actor=JobActor("test"), on=today() - timedelta(days=10))
    assign(NPI_B, member=moved.member)
    assert client.get(f"/api/engagement/assignments/{moved.pk}").status_code == 404
    assert "510-555-0142" not in client.get(f"/engagement/{moved.pk}/").content.decode()
    client.force_login(other.staff)
    assert client.get(f"/api/members/{moved.member_id}").status_code == 200  # the new provider does
