"""The member page: what it shows, who may open it, Part 2 withholding, audit, and a fixed query count."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from factories import (
    QueryCounter,
    add_history,
    add_program,
    make_member,
    make_org,
    make_provider,
    make_user,
    relate,
    today,
    write_claims,
)

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db
ECM_NPI = "1234567893"
PCP_NPI = "1477548872"


@pytest.fixture
def ana():
    member = make_member(last_name="Garcia", first_name="Ana", person_id="P-ANA", member_id="91111111A",
                         city="Oakland", county="Alameda")
    make_provider(PCP_NPI, kind="PCP", name="Eastbay Family Clinic")
    add_history(member, pcp_npi=PCP_NPI)
    add_program(member, "HHP", source="plan")
    add_program(member, "DMC_ODS", source="county-dmc")
    recent = today() - timedelta(days=20)
    write_claims([
        {"claim_id": "C-FLU", "person_id": "P-ANA", "claim_start_date": recent, "diagnosis_code_1": "J101",
         "hcpcs_code": "99214"},
        {"claim_id": "C-SUD", "person_id": "P-ANA", "claim_start_date": recent, "diagnosis_code_1": "F11.20",
         "hcpcs_code": "H0020"},
        {"claim_id": "C-OLD", "person_id": "P-ANA", "claim_start_date": today() - timedelta(days=800),
         "diagnosis_code_1": "J101"},
        {"claim_id": "C-OTHER", "person_id": "P-OTHER", "claim_start_date": recent, "diagnosis_code_1": "J101"},
    ])
    return member


@pytest.fixture
def ecm_user():
    org = make_org(OrganizationKind.ECM_PROVIDER)
    make_provider(ECM_NPI, organization=org)
    return make_user(Role.ECM_PROVIDER_STAFF, organization=org)


def test_plan_staff_see_every_section(client, ana):
    client.force_login(make_user(Role.PLAN_UTILIZATION_MANAGEMENT))
    response = client.get("/members/P-ANA/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Ana Garcia", "91111111A", "1980-05-17", "Eastbay Family Clinic", "DEMO", "HHP", "UNSHELTERED",
                 "JAIL", "ACES_SCORE", "99214"):
        assert text in html, text
    # plan staff see Part 2 rows; the older claim and other people's claims are not shown.
    assert "DMC_ODS" in html and "F11.20" in html
    assert "Information withheld" not in html
    assert [c["claim_id"] for c in response.context["record"].claims] == ["C-FLU", "C-SUD"]


def test_page_view_is_audited_as_a_read(client, ana):
    user = make_user()
    client.force_login(user)
    client.get("/members/P-ANA/")
    [event] = AuditEvent.objects.filter(action=Action.READ)
    assert (event.actor_id, event.person_id, event.route) == (user.pk, "P-ANA", "/members/P-ANA/")


def test_related_provider_sees_the_member_without_part2_information(client, ana, ecm_user):
    relate(ana, ECM_NPI)
    client.force_login(ecm_user)
    response = client.get("/members/P-ANA/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "HHP" in html and "99214" in html
    assert "DMC_ODS" not in html and "county-dmc" not in html
    # the SUD diagnosis in either spelling (a bare "F11" also turned up inside a random CSRF token once)
    assert "F11.20" not in html and "F1120" not in html and "H0020" not in html
    assert "Information withheld" in html and "42 CFR Part 2" in html


def test_unrelated_member_is_not_found_and_the_denial_is_audited(client, ana, ecm_user):
    relate(ana, "1982736450")  # related to someone else
    client.force_login(ecm_user)
    response = client.get("/members/P-ANA/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Garcia" not in html and "91111111A" not in html and "Traceback" not in html
    [event] = AuditEvent.objects.filter(action=Action.DENIED)
    assert (event.actor_id, event.person_id) == (ecm_user.pk, "P-ANA")
    assert not AuditEvent.objects.filter(action=Action.READ).exists()


def test_a_missing_member_looks_exactly_like_an_unrelated_one(client, ana, ecm_user):
    client.force_login(ecm_user)
    unrelated = client.get("/members/P-ANA/")
    missing = client.get("/members/P-NOBODY/")
    assert unrelated.status_code == missing.status_code == 404

    def without_token(content: bytes) -> str:
        return re.sub(r'("X-CSRFToken": "|value=")[A-Za-z0-9]{32,}', "", content.decode())

    assert without_token(unrelated.content) == without_token(missing.content)


def test_ended_relationship_no_longer_opens_the_page(client, ana, ecm_user):
    relate(ana, ECM_NPI, start=date(2024, 1, 1), end=today() - timedelta(days=1))
    client.force_login(ecm_user)
    assert client.get("/members/P-ANA/").status_code == 404


def test_a_member_sees_their_own_record_and_nobody_elses(client, ana):
    other = make_member(last_name="Nguyen", person_id="P-MAI")
    user = make_user(Role.MEMBER, member=ana)
    client.force_login(user)
    assert client.get("/members/me/")["Location"] == "/members/P-ANA/"
    own = client.get("/members/P-ANA/")
    assert own.status_code == 200 and "DMC_ODS" in own.content.decode()  # their own Part 2 records
    assert client.get(f"/members/{other.person_id}/").status_code == 404
    assert AuditEvent.objects.filter(action=Action.DENIED, person_id="P-MAI", actor=user).exists()


def test_member_page_query_count_is_fixed(client, ana, ecm_user):
    relate(ana, ECM_NPI)
    client.force_login(ecm_user)
    client.get("/members/P-ANA/")
    # session, user, NPIs, member, READ audit (3), Part 2 consent (NPIs, consents), programs, PCP history,
    # provider names, eligibility, housing, incarceration, assessments, latest identification run, notices, header
    # organization, session save.
    with QueryCounter() as counted:
        assert client.get("/members/P-ANA/").status_code == 200
    assert counted.count == 20, counted.statements
    for i in range(5):
        add_program(ana, f"PROG{i}")
        add_history(ana, pcp_npi=PCP_NPI)
    with QueryCounter() as more:
        client.get("/members/P-ANA/")
    assert more.count == counted.count


def test_empty_warehouse_shows_no_claims(client):
    make_member(person_id="P-NEW")
    client.force_login(make_user())
    response = client.get("/members/P-NEW/")
    assert response.status_code == 200 and b"No medical claims in this period" in response.content


def test_a_claim_whose_other_line_or_second_diagnosis_shows_substance_use_is_withheld_whole(client, ecm_user):
    member = make_member(last_name="Lee", first_name="Kim", person_id="P-KIM", member_id="92222222B")
    recent = today() - timedelta(days=10)
    write_claims([
        {"claim_id": "C-MIXED", "claim_line_number": 1, "person_id": "P-KIM", "claim_start_date": recent,
         "diagnosis_code_1": "J101", "hcpcs_code": "99213"},
        {"claim_id": "C-MIXED", "claim_line_number": 2, "person_id": "P-KIM", "claim_start_date": recent,
         "diagnosis_code_1": "J101", "hcpcs_code": "H0020"},  # methadone: a substance use service
        {"claim_id": "C-SECOND", "person_id": "P-KIM", "claim_start_date": recent, "diagnosis_code_1": "J06.9",
         "diagnosis_code_2": "F10.20", "hcpcs_code": "99214"},
        {"claim_id": "C-FLU", "person_id": "P-KIM", "claim_start_date": recent, "diagnosis_code_1": "J101"},
    ])
    relate(member, ECM_NPI)
    client.force_login(ecm_user)
    assert [c["claim_id"] for c in client.get("/members/P-KIM/").context["record"].claims] == ["C-FLU"]
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert {c["claim_id"] for c in client.get("/members/P-KIM/").context["record"].claims} == {
        "C-MIXED", "C-SECOND", "C-FLU"}
