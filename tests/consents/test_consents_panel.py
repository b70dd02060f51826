"""The consents panel /consents/<person_id>/: who sees it, recording (with the signed form), revoking, the audited
form download, and support persons."""

from __future__ import annotations

from datetime import timedelta

import pytest
from consents_helpers import NPI_ECM, NPI_OTHER, add_consent, provider_user
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from factories import make_member, make_user, relate, today

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.consents.models import Consent, ConsentKind, SupportPerson
from carehub.apps.members.models import RelationshipKind
from carehub.apps.notices.models import Representative
from carehub.paths import data_dir

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ana():
    member = make_member(person_id="P-ANA", last_name="Garcia", first_name="Ana")
    relate(member, NPI_ECM)  # ASSIGNED
    return member


def _part2_post(**extra):
    data = {"kind": "PART2", "categories": ["PART2_SUD"], "recipient_npis": NPI_ECM, "purpose": "TPO",
            "signer_type": "MEMBER", "signer_name": "Ana Garcia", "signed_on": today().isoformat(),
            "expires_on": (today() + timedelta(days=365)).isoformat()}
    data.update(extra)
    return data


def test_member_page_links_to_the_panel(client, ana):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert 'href="/consents/P-ANA/"' in client.get("/members/P-ANA/").content.decode()


def test_assigned_provider_records_a_part2_consent_with_the_signed_form(client, ana):
    user = provider_user(NPI_ECM)
    client.force_login(user)
    form_page = client.get("/consents/P-ANA/add/").content.decode()
    assert f'value="{NPI_ECM}"' in form_page  # the provider's own NPI is offered as recipient
    assert f"ECM provider: Provider {NPI_ECM} ({NPI_ECM})" in form_page
    response = client.post("/consents/P-ANA/add/", {
        **_part2_post(), "form_file": SimpleUploadedFile("signed.pdf", PDF, "application/pdf")})
    assert response.status_code == 302 and response["Location"] == "/consents/P-ANA/"
    consent = Consent.objects.get()
    assert consent.kind == ConsentKind.PART2 and consent.recipient_npis == [NPI_ECM] and consent.covers_part2
    assert consent.form_type == "application/pdf" and consent.form_size == len(PDF)
    assert (data_dir() / consent.form_path).read_bytes() == PDF
    assert consent.recorded_by == user and consent.recorded_by_organization == user.organization
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="Consent", person_id="P-ANA").exists()
    html = client.get("/consents/P-ANA/").content.decode()
    assert "42 CFR Part 2 consent" in html and "In force" in html and "signed.pdf" in html
    # Download: the same bytes, as an attachment, audited.
    download = client.get(f"/consents/P-ANA/{consent.pk}/form/")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download["Content-Disposition"] and download["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(actor=user, action=Action.READ, object_type="ConsentForm",
                                     object_id=str(consent.pk)).exists()


def test_part2_consent_needs_its_elements(client, ana):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    response = client.post("/consents/P-ANA/add/", _part2_post(expires_on="", recipient_npis="",
                                                               signer_type="AUTHORIZED_REP"))
    html = response.content.decode()
    assert response.status_code == 200 and not Consent.objects.exists()
    assert "name at least one recipient" in html
    assert "expiration date, event or condition" in html
    assert "relation of a parent, guardian or representative" in html
    # An expiration event does instead of a date; a bad NPI is refused.
    bad = client.post("/consents/P-ANA/add/", _part2_post(expires_on="", expiration_event="End of ECM",
                                                          recipient_npis="1234567890"))
    assert "1234567890 is not a valid NPI" in bad.content.decode() and not Consent.objects.exists()
    client.post("/consents/P-ANA/add/", _part2_post(expires_on="", expiration_event="End of ECM"))
    assert Consent.objects.get().expiration_event == "End of ECM"


def test_uploads_are_checked_by_content_and_size(client, ana):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    fake = SimpleUploadedFile("signed.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    html = client.post("/consents/P-ANA/add/", {**_part2_post(), "form_file": fake}).content.decode()
    assert "must be a PDF, PNG or JPEG" in html and not Consent.objects.exists()
    with override_settings(CAREHUB_CONSENTS={"FORM_MAX_BYTES": 10}):
        client.post("/consents/P-ANA/add/", {**_part2_post(), "form_file": SimpleUploadedFile("a.pdf", PDF)})
    assert not Consent.objects.exists()
    assert not list((data_dir() / "consent-forms").rglob("*.*")) if (data_dir() / "consent-forms").exists() else True
    consent = add_consent(ana)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    client.post(f"/consents/P-ANA/{consent.pk}/upload/", {"form_file": SimpleUploadedFile("scan.png", png)})
    consent.refresh_from_db()
    assert consent.form_type == "image/png" and consent.form_name == "scan.png"


def test_revocation_of_a_part2_consent_must_be_written(client, ana):
    consent = add_consent(ana)
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    client.post(f"/consents/P-ANA/{consent.pk}/revoke/", {"method": "ORAL"})
    consent.refresh_from_db()
    assert consent.revoked_on is None
    client.post(f"/consents/P-ANA/{consent.pk}/revoke/", {"method": "WRITTEN", "note": "letter received"})
    consent.refresh_from_db()
    assert consent.revoked_on == today() and consent.revocation_method == "WRITTEN"
    assert "Revoked" in client.get("/consents/P-ANA/").content.decode()
    # Telehealth consent may be withdrawn orally.
    tele = add_consent(ana, ConsentKind.TELEHEALTH, npis=(), categories=[], channels=["VIDEO"])
    client.post(f"/consents/P-ANA/{tele.pk}/revoke/", {"method": "ORAL"})
    tele.refresh_from_db()
    assert tele.revoked_on == today()


def test_the_member_sees_their_own_and_revokes_in_writing_through_the_portal(client, ana):
    consent = add_consent(ana)
    user = make_user(Role.MEMBER, member=ana)
    client.force_login(user)
    html = client.get("/consents/P-ANA/").content.decode()
    assert "42 CFR Part 2 consent" in html and "Record a consent" not in html
    assert client.get("/consents/P-ANA/add/").status_code == 404
    client.post(f"/consents/P-ANA/{consent.pk}/revoke/", {"method": "ORAL"})  # the portal is written
    consent.refresh_from_db()
    assert consent.revoked_on == today() and consent.revocation_method == "ELECTRONIC"
    other = make_member(person_id="P-OTHER")
    assert client.get("/consents/P-OTHER/").status_code == 404
    assert other.consents.count() == 0


def test_providers_only_see_part2_consents_that_name_them_and_record_only_when_assigned(client, ana):
    add_consent(ana, npis=(NPI_OTHER,), signer_name="Signer For Other")
    add_consent(ana, ConsentKind.ELECTRONIC_COMMUNICATION, npis=(), categories=[], channels=["TEXT"])
    cs_user = provider_user(NPI_OTHER, Role.CS_PROVIDER_STAFF)
    relate(ana, NPI_OTHER, kind=RelationshipKind.REFERRED)
    client.force_login(provider_user(NPI_ECM))
    html = client.get("/consents/P-ANA/").content.decode()
    assert "Signer For Other" not in html and "Consent to communicate electronically" in html
    client.force_login(cs_user)
    html = client.get("/consents/P-ANA/").content.decode()
    assert "Signer For Other" in html and "Record a consent" not in html  # referred CS provider: may not record
    assert client.post("/consents/P-ANA/add/", _part2_post()).status_code == 404
    client.force_login(provider_user("1679576722"))
    assert client.get("/consents/P-ANA/").status_code == 404  # not related at all
    assert AuditEvent.objects.filter(action=Action.DENIED, person_id="P-ANA").exists()


def test_panel_reads_are_audited_with_the_rows_shown(client, ana):
    consent = add_consent(ana)
    user = make_user(Role.PLAN_COMPLIANCE_FINANCE)
    client.force_login(user)
    client.get("/consents/P-ANA/")
    event = AuditEvent.objects.get(actor=user, action=Action.READ, object_type="Consent")
    assert event.person_id == "P-ANA" and event.detail["consents"] == [consent.pk]


def test_support_persons_link_the_notices_representative_for_a_guardian(client, ana):
    roi = add_consent(ana, ConsentKind.DATA_SHARING, categories=["GENERAL"])
    client.force_login(provider_user(NPI_ECM))
    response = client.post("/consents/P-ANA/support/add/", {
        "name": "Rosa Garcia", "role": "GUARDIAN", "relationship": "mother", "receives": ["NOTICES", "CARE_PLAN"],
        "phone": "510-555-0110", "address": "1 Main St", "city": "Oakland", "state": "ca", "zip_code": "94601",
        "authorization": str(roi.pk)})
    assert response.status_code == 302
    guardian = SupportPerson.objects.get()
    assert guardian.representative is not None and guardian.authorization == roi
    rep = Representative.objects.get()
    assert rep.name == "Rosa Garcia" and rep.state == "CA" and rep.end_date is None
    client.post("/consents/P-ANA/support/add/", {"name": "Tom", "role": "CAREGIVER",
                                                 "receives": ["REMINDERS"]})
    caregiver = SupportPerson.objects.get(name="Tom")
    assert caregiver.representative is None and Representative.objects.count() == 1
    html = client.get("/consents/P-ANA/").content.decode()
    assert "Rosa Garcia" in html and "Receives notices in the member's place" in html and "Tom" in html
    client.post(f"/consents/P-ANA/support/{guardian.pk}/end/")
    guardian.refresh_from_db()
    rep.refresh_from_db()
    assert guardian.end_date == today() and rep.end_date == today()
    # A second guardian record of the same person reuses the representative.
    client.post("/consents/P-ANA/support/add/", {"name": "rosa garcia", "role": "GUARDIAN", "receives": ["ALL"],
                                                 "start_date": (today() + timedelta(days=1)).isoformat()})
    assert Representative.objects.count() == 2  # the first ended today, so a new one from tomorrow


def test_named_providers_are_told_when_a_part2_consent_is_recorded_and_revoked(client, ana,
                                                                              django_capture_on_commit_callbacks):
    from carehub.apps.consents.services import ConsentInput, record_consent, revoke_consent
    from carehub.apps.notifications.models import Channel, Notification

    ecm = provider_user(NPI_ECM)
    coordinator = make_user(Role.PLAN_CARE_COORDINATION)
    data = ConsentInput(kind="PART2", signer_name="Ana Garcia", signed_on=today(), purpose="TPO",
                        recipient_npis=[NPI_ECM, NPI_OTHER], expires_on=today() + timedelta(days=90))
    with django_capture_on_commit_callbacks(execute=True):
        consent = record_consent(ana, data, actor=coordinator)
    recorded = Notification.objects.get(kind="CONSENT_RECORDED")  # NPI_OTHER does not sign in: not told
    assert recorded.recipient_org == ecm.organization and recorded.channel == Channel.IN_APP
    with django_capture_on_commit_callbacks(execute=True):
        revoke_consent(consent, actor=coordinator, method="WRITTEN")
    revoked = Notification.objects.filter(kind="CONSENT_REVOKED")
    assert {n.channel for n in revoked} == {Channel.IN_APP, Channel.OUTBOX}
    assert all("F1" not in n.body and "DMC" not in n.body for n in Notification.objects.all())


def test_a_pcp_relationship_alone_opens_neither_the_record_nor_the_consents(client, ana):
    """DESIGN "Access and audit": provider staff see members currently assigned or referred; a PCP relationship
    from the plan's load opened the whole record (found by an audit of the API)."""
    add_consent(ana, npis=(NPI_OTHER,))
    relate(ana, NPI_OTHER, kind=RelationshipKind.PCP)
    client.force_login(provider_user(NPI_OTHER))
    assert client.get("/members/P-ANA/").status_code == 404
    assert client.get("/api/members/P-ANA").status_code == 404
    assert client.get("/consents/P-ANA/").status_code == 404
    assert client.get("/api/consents/P-ANA").status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, object_type="Member", person_id="P-ANA").count() == 4
