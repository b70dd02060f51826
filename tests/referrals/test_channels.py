"""Every referral channel: staff/partner web form, public member request page, REST API, CSV batch file; plus
scoping and audit of referral reads."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from factories import make_member, make_org, make_user
from typer.testing import CliRunner

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.referrals.batch import import_referrals
from carehub.apps.referrals.models import Channel, Referral, ReferralStatus
from carehub.cli import app

pytestmark = pytest.mark.django_db
FORM = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101", "cin": "91111111A",
        "first_name": "Ana", "last_name": "Garcia", "birth_date": "1980-05-17", "populations": ["ADULT_HOMELESS"],
        "facts": "Unsheltered.", "urgency": "EXPEDITED"}


@pytest.fixture(autouse=True)
def ana():
    cache.clear()
    return make_member(first_name="Ana", last_name="Garcia", birth_date=date(1980, 5, 17), person_id="P-ANA",
                       member_id="91111111A")


def test_partner_web_form_with_attachment(client, settings):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF, organization=org))
    upload = SimpleUploadedFile("ana garcia notes.pdf", b"%PDF-1.4 synthetic", content_type="application/pdf")
    response = client.post("/referrals/new/", {**FORM, "attachments": [upload]})
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.reference.encode() in response.content
    assert (referral.channel, referral.urgency, referral.submitted_by_org) == (Channel.WEB, "EXPEDITED", org)
    attachment = referral.attachments.get()
    assert attachment.original_name == "ana garcia notes.pdf" and attachment.size == 18
    assert "garcia" not in attachment.file.name and attachment.file.read() == b"%PDF-1.4 synthetic"


def test_web_form_shows_every_error_and_keeps_the_input(client):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    response = client.post("/referrals/new/", {**FORM, "birth_date": "", "cin": "12", "source": ""})
    assert response.status_code == 400
    text = response.content.decode()
    assert "correct 3 problems" in text
    assert "The member&#x27;s date of birth is required." in text and "CIN must be 8 digits" in text
    assert 'value="Garcia"' in text
    assert Referral.objects.count() == 0


def test_bad_attachment_type_is_refused(client):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post("/referrals/new/", {**FORM, "attachments": [upload]})
    assert response.status_code == 400 and Referral.objects.count() == 0


def test_member_request_page_needs_no_sign_in_and_acknowledges():
    client = Client()
    assert client.get("/referrals/request/").status_code == 200
    response = client.post("/referrals/request/", {**FORM, "source": "FAMILY", "referrer_name": "Luis Garcia"})
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert (referral.channel, referral.source, referral.urgency) == (Channel.MEMBER, "FAMILY", "ROUTINE")
    assert referral.reference in response.content.decode()
    event = AuditEvent.objects.get(object_type="Referral")
    assert event.actor_label == "anonymous"


def test_member_request_page_accepts_only_member_or_family_sources():
    response = Client().post("/referrals/request/", {**FORM, "source": "HOSPITAL"})
    assert response.status_code == 400 and Referral.objects.count() == 0


def test_member_request_page_requires_csrf():
    response = Client(enforce_csrf_checks=True).post("/referrals/request/", {**FORM, "source": "MEMBER"})
    assert response.status_code == 403 and Referral.objects.count() == 0


def test_member_request_page_is_rate_limited():
    client = Client()
    statuses = [client.post("/referrals/request/", {**FORM, "source": "MEMBER"}).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 429]


def test_other_pages_still_need_sign_in():
    assert Client().get("/referrals/").status_code == 302


# ---- REST API ---------------------------------------------------------------------------------------------------

def test_api_creates_validates_and_is_idempotent(client):
    client.force_login(make_user(Role.CS_PROVIDER_STAFF))
    payload = {**FORM, "external_id": "CS-77"}
    first = client.post("/api/referrals", payload, content_type="application/json")
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "OPEN" and body["already_received"] is False
    again = client.post("/api/referrals", payload, content_type="application/json")
    assert again.status_code == 200 and again.json()["reference"] == body["reference"]
    bad = client.post("/api/referrals", {"first_name": "Ana", "birth_date": "soon"}, content_type="application/json")
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"source", "referrer_name", "last_name", "birth_date"}
    assert Referral.objects.count() == 1


def test_api_read_is_scoped_and_audited(client):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF, organization=org))
    reference = client.post("/api/referrals", FORM, content_type="application/json").json()["reference"]
    assert client.get(f"/api/referrals/{reference}").json()["member_person_id"] == "P-ANA"
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))  # another organization
    assert client.get(f"/api/referrals/{reference}").status_code == 404
    assert AuditEvent.objects.filter(object_type="Referral", action=Action.DENIED, object_id=reference).exists()
    client.force_login(make_user(Role.PLAN_UTILIZATION_MANAGEMENT))
    assert client.get(f"/api/referrals/{reference}").status_code == 200
    assert AuditEvent.objects.filter(object_type="Referral", action=Action.READ, person_id="P-ANA").count() == 2


def test_members_cannot_post_to_the_api(client):
    client.force_login(make_user(Role.MEMBER, member=make_member()))
    assert client.post("/api/referrals", FORM, content_type="application/json").status_code == 403


# ---- pages: queue and screening -----------------------------------------------------------------------------------

def test_queue_and_screening_to_authorization(client):
    staff = make_user(Role.PLAN_CARE_COORDINATION)
    client.force_login(staff)
    client.post("/referrals/new/", FORM)
    referral = Referral.objects.get()
    assert referral.reference in client.get("/referrals/").content.decode()
    response = client.post(f"/referrals/{referral.reference}/", {"action": "authorize"}, follow=True)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.IN_AUTHORIZATION
    # Care coordination may not open the authorization review (utilization management decides): it lands back on
    # the referral with a message, not on a 403 page (found by a walk-through of the demo).
    assert response.redirect_chain == [(f"/referrals/{referral.reference}/", 302)]
    page = response.content.decode()
    assert response.status_code == 200 and "Sent for authorization: utilization management will decide." in page
    assert f"/authorizations/{referral.authorization.pk}/" not in page


def test_screening_by_a_role_that_decides_opens_the_authorization(client):
    client.force_login(make_user(Role.PLAN_ADMIN))
    client.post("/referrals/new/", FORM)
    referral = Referral.objects.get()
    response = client.post(f"/referrals/{referral.reference}/", {"action": "authorize"})
    referral.refresh_from_db()
    assert response.status_code == 302 and response.url == f"/authorizations/{referral.authorization.pk}/"
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert f'href="/authorizations/{referral.authorization.pk}/"' in page


def test_queue_offers_a_new_referral_only_to_those_who_may_refer(client):
    # Utilization management screens referrals but does not make them (web/navigation.py): no link to a 403 page.
    for role, offered in ((Role.PLAN_CARE_COORDINATION, True), (Role.PLAN_UTILIZATION_MANAGEMENT, False)):
        client.force_login(make_user(role))
        page = client.get("/referrals/").content.decode()
        assert ('href="/referrals/new/"' in page) is offered
        assert client.get("/referrals/new/").status_code == (200 if offered else 403)


def test_provider_staff_cannot_screen(client):
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    client.post("/referrals/new/", FORM)
    referral = Referral.objects.get()
    assert client.get("/referrals/").status_code == 403
    assert client.post(f"/referrals/{referral.reference}/", {"action": "authorize"}).status_code == 403
    assert Referral.objects.get().status == ReferralStatus.OPEN


# ---- CSV batch -----------------------------------------------------------------------------------------------------

HEADER = "external_id,source,referrer_name,referrer_organization,referrer_phone,cin,first_name,last_name,birth_date," \
         "populations,facts,urgency\n"


def test_batch_file_imports_all_and_reimport_changes_nothing(tmp_path):
    make_member(first_name="Bo", last_name="Chen", birth_date=date(1990, 1, 2), member_id="93333333C")
    path = tmp_path / "county-2025-06.csv"
    path.write_text(HEADER + "C-1,COUNTY,County BH,Alameda BH,510-555-0199,91111111A,Ana,Garcia,1980-05-17,"
                    "ADULT_HOMELESS;ADULT_SMH_SUD,Unsheltered,ROUTINE\n"
                    "C-2,COUNTY,County BH,Alameda BH,510-555-0199,93333333C,Bo,Chen,1990-01-02,,,\n"
                    "C-3,COUNTY,County BH,Alameda BH,510-555-0199,,Cy,Nobody,1970-01-01,,,EXPEDITED\n",
                    encoding="utf-8")
    result = import_referrals(path)
    assert (result.created, result.review, result.already_received) == (3, 1, 0)
    assert Referral.objects.get(external_key__endswith="C-1").populations == ["ADULT_HOMELESS", "ADULT_SMH_SUD"]
    again = import_referrals(path)
    assert (again.created, again.already_received) == (0, 3) and Referral.objects.count() == 3


def test_bad_batch_file_names_file_line_and_field_and_imports_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "C-1,COUNTY,County BH,,510-555-0199,91111111A,Ana,Garcia,1980-05-17,,,\n"
                    "C-2,COUNTY,,,510-555-0199,,Bo,Chen,02/01/1990,,,\n"
                    "C-1,SPACE,County BH,,510-555-0199,,Cy,Dee,1970-01-01,,,\n", encoding="utf-8")
    result = import_referrals(path)
    assert result.errors == [
        "bad.csv:3: referrer_name: The referrer's name is required.",
        "bad.csv:3: birth_date: Date of birth must be YYYY-MM-DD.",
        "bad.csv:4: source: Source must be one of: " + ", ".join(
            ["PROVIDER", "ECM_PROVIDER", "MEMBER", "FAMILY", "PLAN_CARE_COORDINATION", "PLAN_DEPARTMENT", "COUNTY",
             "HOSPITAL", "PROBATION", "NURSING_FACILITY", "HOME_HEALTH", "CBAS", "HCBS_WAIVER",
             "AREA_AGENCY_ON_AGING", "INDEPENDENT_LIVING", "REGIONAL_CENTER", "SCHOOL", "FOSTER_CARE", "FIRST_5",
             "COMMUNITY_ORGANIZATION", "PERINATAL", "CS_PROVIDER", "CORRECTIONAL", "IDENTIFIED"]) + ".",
        "bad.csv:4: external_id: repeats line 2."]
    assert Referral.objects.count() == 0


def test_cli_import_exit_codes(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "C-1,COUNTY,County BH,,510-555-0199,91111111A,Ana,Garcia,1980-05-17,,,\n",
                    encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("who,what\n1,2\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(app, ["import", "referrals", str(good)])
    assert ok.exit_code == 0 and "1 referrals created" in ok.output
    refused = runner.invoke(app, ["import", "referrals", str(bad)])
    assert refused.exit_code == 1 and "bad.csv:1: missing column(s)" in refused.output
