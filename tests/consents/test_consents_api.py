"""/api/consents: the same scoping, permissions, validation and audit as the panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from consents_helpers import NPI_ECM, NPI_OTHER, add_consent, provider_user
from factories import make_member, make_user, relate, today

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.consents.models import Consent
from carehub.apps.members.models import RelationshipKind

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def ana():
    member = make_member(person_id="P-ANA")
    relate(member, NPI_ECM)
    return member


def _body(**extra):
    body = {"kind": "PART2", "signer_name": "Ana Garcia", "signed_on": today().isoformat(),
            "recipient_npis": [NPI_ECM], "purpose": "TPO",
            "expires_on": (today() + timedelta(days=30)).isoformat()}
    body.update(extra)
    return body


def test_record_list_and_revoke_through_the_api(client, ana):
    user = provider_user(NPI_ECM)
    client.force_login(user)
    created = client.post("/api/consents/P-ANA", _body(), content_type="application/json")
    assert created.status_code == 201, created.content
    out = created.json()
    assert out["covers_part2"] and out["in_force"] and out["categories"] == ["PART2_SUD"]
    listed = client.get("/api/consents/P-ANA").json()
    assert [c["id"] for c in listed["consents"]] == [out["id"]]
    oral = client.post(f"/api/consents/P-ANA/{out['id']}/revoke", {"method": "ORAL"},
                       content_type="application/json")
    assert oral.status_code == 400 and "in writing" in oral.json()["detail"]
    revoked = client.post(f"/api/consents/P-ANA/{out['id']}/revoke", {"method": "WRITTEN"},
                          content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["in_force"] is False
    assert revoked.json()["status"].startswith("Revoked")
    assert AuditEvent.objects.filter(actor=user, action=Action.READ, object_type="Consent").exists()


def test_validation_problems_are_listed(client, ana):
    client.force_login(make_user(Role.PLAN_ADMIN))
    response = client.post("/api/consents/P-ANA", _body(recipient_npis=[], expires_on=None, kind="TELEHEALTH"),
                           content_type="application/json")
    assert response.status_code == 400 and "telehealth modes" in response.json()["detail"]
    response = client.post("/api/consents/P-ANA", _body(recipient_npis=[], expires_on=None),
                           content_type="application/json")
    problems = response.json()["problems"]
    assert any("recipient" in p for p in problems) and any("expiration" in p for p in problems)
    long = client.post("/api/consents/P-ANA", _body(signer_name="x" * 201, recipient_npis=[NPI_ECM] * 3),
                       content_type="application/json")
    assert long.status_code == 400 and "signer name is longer than 200" in long.json()["detail"]
    many = client.post("/api/consents/P-ANA", _body(recipient_npis=[f"{i:010d}" for i in range(21)]),
                       content_type="application/json")
    assert many.status_code == 400 and "at most 20" in many.json()["detail"]
    future = client.post("/api/consents/P-ANA", _body(signed_on=(today() + timedelta(days=2)).isoformat()),
                         content_type="application/json")
    assert future.status_code == 400
    assert not Consent.objects.exists()


def test_form_upload_and_download(client, ana):
    consent = add_consent(ana)
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    bad = client.post(f"/api/consents/P-ANA/{consent.pk}/form", {"file": _file(b"<html>", "x.pdf")})
    assert bad.status_code == 400
    ok = client.post(f"/api/consents/P-ANA/{consent.pk}/form", {"file": _file(PDF, "signed.pdf")})
    assert ok.status_code == 200 and ok.json()["has_form"]
    got = client.get(f"/api/consents/P-ANA/{consent.pk}/form")
    assert got.status_code == 200 and got.content == PDF and got["Content-Type"] == "application/pdf"
    assert got["Cache-Control"] == "no-store" and got["X-Content-Type-Options"] == "nosniff"  # as on the page


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_who_may_do_what(client, ana):
    named_elsewhere = add_consent(ana, npis=(NPI_OTHER,))
    cs_user = provider_user(NPI_OTHER, Role.CS_PROVIDER_STAFF)
    relate(ana, NPI_OTHER, kind=RelationshipKind.REFERRED)
    client.force_login(cs_user)  # a CS provider the member was referred to: named, may not record
    assert client.post("/api/consents/P-ANA", _body(), content_type="application/json").status_code == 403
    assert [c["id"] for c in client.get("/api/consents/P-ANA").json()["consents"]] == [named_elsewhere.pk]
    client.force_login(provider_user(NPI_ECM))  # assigned, but the Part 2 consent does not name it
    assert client.get("/api/consents/P-ANA").json()["consents"] == []
    assert client.post(f"/api/consents/P-ANA/{named_elsewhere.pk}/revoke", {"method": "WRITTEN"},
                       content_type="application/json").status_code == 404
    assert client.get(f"/api/consents/P-ANA/{named_elsewhere.pk}/form").status_code == 404
    client.force_login(provider_user("1679576722"))
    assert client.get("/api/consents/P-ANA").status_code == 404
    client.force_login(make_user(Role.MEMBER, member=ana))
    assert client.post("/api/consents/P-ANA", _body(), content_type="application/json").status_code == 403
    assert len(client.get("/api/consents/P-ANA").json()["consents"]) == 1


def test_support_person_through_the_api(client, ana):
    client.force_login(provider_user(NPI_ECM))
    response = client.post("/api/consents/P-ANA/support-persons",
                           {"name": "Rosa", "role": "AUTHORIZED_REP", "receives": ["ALL"], "address": "1 Main"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["receives_notices_in_place_of_member"] is True
    bad = client.post("/api/consents/P-ANA/support-persons", {"name": "", "role": "X", "receives": [],
                                                              "state": "CAL"}, content_type="application/json")
    assert bad.status_code == 400 and len(bad.json()["problems"]) == 4
    assert client.get("/api/consents/P-ANA").json()["support_persons"][0]["name"] == "Rosa"


def test_support_persons_receiving_and_ending_through_the_api(client, ana):
    from carehub.apps.consents.selectors import support_persons_receiving

    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    for name, receives in (("All", ["ALL"]), ("Plan", ["CARE_PLAN"]), ("Reminders", ["REMINDERS"])):
        client.post("/api/consents/P-ANA/support-persons", {"name": name, "role": "FAMILY", "receives": receives},
                    content_type="application/json")
    assert {p.name for p in support_persons_receiving(ana, "CARE_PLAN")} == {"All", "Plan"}
    plan = next(p for p in support_persons_receiving(ana, "CARE_PLAN") if p.name == "Plan")
    ended = client.post(f"/api/consents/P-ANA/support-persons/{plan.pk}/end")
    assert ended.status_code == 200 and ended.json()["end_date"] == today().isoformat()
    assert {p.name for p in support_persons_receiving(ana, "CARE_PLAN", today() + timedelta(days=1))} == {"All"}
