"""42 CFR Part 2 enforcement (issue 6 test "consent enforcement"): a provider without a Part 2 consent naming their
organization does not see SUD data on the member page, in the identification evidence, or through the members and
identification APIs; with a consent they do, with the redisclosure notice; expiry, revocation and a consent naming
another provider hide it again. Plan staff and the member always see it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from consents_helpers import NPI_ECM, NPI_OTHER, add_consent, provider_user
from django.utils import timezone
from factories import add_history, add_program, make_member, make_user, relate, today, write_claims

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.consents.models import ConsentKind, RecipientClass
from carehub.apps.consents.services import revoke_consent
from carehub.apps.identification.models import IdentificationRun, IdentifiedPopulation
from carehub.domain.part2 import WITHHELD_PLACEHOLDER

pytestmark = pytest.mark.django_db
DMC_NPI = "1477548872"  # the member's Drug Medi-Cal provider
NOTICE_START = "This record which has been disclosed to you is protected by Federal confidentiality rules"
# Everything that would reveal Part 2 data for the member below.
SECRETS = ("DMC_ODS", "county-dmc", "F11.20", "H0020", "C-SUD", "C-SVC", "C-BILLED", "99404", DMC_NPI,
           "Substance use disorder diagnosis")


@pytest.fixture
def sud():
    """A member with Part 2 data everywhere: a DMC-ODS program, a SUD claim, a SUD service claim, and an
    identification row citing them, plus ordinary data that every related user sees."""
    member = make_member(last_name="Reyes", first_name="Luis", person_id="P-SUD", member_id="92222222A")
    add_history(member)
    add_program(member, "HHP", source="plan")
    program = add_program(member, "DMC_ODS", source="county-dmc")
    program.detail = DMC_NPI
    program.save()
    recent = today() - timedelta(days=20)
    write_claims([
        {"claim_id": "C-FLU", "person_id": "P-SUD", "claim_start_date": recent, "diagnosis_code_1": "J101",
         "hcpcs_code": "99214"},
        {"claim_id": "C-SUD", "person_id": "P-SUD", "claim_start_date": recent, "diagnosis_code_1": "F11.20",
         "hcpcs_code": "99213"},
        {"claim_id": "C-SVC", "person_id": "P-SUD", "claim_start_date": recent, "diagnosis_code_1": "Z00.00",
         "hcpcs_code": "H0020"},
        {"claim_id": "C-BILLED", "person_id": "P-SUD", "claim_start_date": recent, "diagnosis_code_1": "Z00.00",
         "hcpcs_code": "99404", "billing_npi": DMC_NPI},
        {"claim_id": "C-CLEAN", "person_id": "P-CLEAN", "claim_start_date": recent, "diagnosis_code_1": "I10",
         "hcpcs_code": "99213"},
    ])
    now = timezone.now()
    run = IdentificationRun.objects.create(as_of=today(), started_at=now, finished_at=now, rule_version="t",
                                           value_set_version="t", source="CSV")
    IdentifiedPopulation.objects.create(
        run=run, member=member, cin=member.member_id, population="ADULT_SMH_SUD", criteria="SUD;MENTAL_ILLNESS",
        evidence=f"claim:C-SUD;program:DMC_ODS:{date(2025, 1, 1)};claim:C-FLU", priority=1)
    IdentifiedPopulation.objects.create(
        run=run, member=member, cin=member.member_id, population="ADULT_HOMELESS",
        criteria="HOMELESS_HOUSING_STATUS", evidence="housing:UNSHELTERED:2025-03-01", priority=1)
    relate(member, NPI_ECM)
    return member


@pytest.fixture
def ecm():
    return provider_user(NPI_ECM)


def _page(client, user, person_id="P-SUD") -> str:
    client.force_login(user)
    response = client.get(f"/members/{person_id}/")
    assert response.status_code == 200
    return response.content.decode()


def _api(client, user, person_id="P-SUD") -> tuple[dict, dict]:
    client.force_login(user)
    record, pof = client.get(f"/api/members/{person_id}"), client.get(f"/api/identification/members/{person_id}")
    assert record.status_code == 200 and pof.status_code == 200
    return record.json(), pof.json()


def assert_withheld(client, user) -> None:
    html = _page(client, user)
    for secret in SECRETS:
        assert secret not in html, secret
    assert "HHP" in html and "99214" in html and "UNSHELTERED" in html  # the rest of the record is there
    assert WITHHELD_PLACEHOLDER in html and "Information withheld" in html
    assert NOTICE_START not in html
    record, pof = _api(client, user)
    assert {p["program"] for p in record["programs"]} == {"HHP"}
    assert {c["claim_id"] for c in record["recent_claims"]} == {"C-FLU"}
    assert record["part2_withheld"] is True and record["part2_notice"] == WITHHELD_PLACEHOLDER
    assert "42 CFR Part 2" in record["withheld_note"]
    smh = next(p for p in pof["populations"] if p["population"] == "ADULT_SMH_SUD")
    # Nothing of a population that may rest on substance use: what remained would tell whether it did.
    assert smh["criteria"] == [] and smh["evidence"] == []
    homeless = next(p for p in pof["populations"] if p["population"] == "ADULT_HOMELESS")
    assert homeless["criteria"] == ["HOMELESS_HOUSING_STATUS"] and len(homeless["evidence"]) == 1
    assert smh["part2_placeholder"] == WITHHELD_PLACEHOLDER and pof["part2_withheld"] is True
    body = str(record) + str(pof)
    for secret in SECRETS:
        assert secret not in body, secret


def assert_shown(client, user, *, notice: bool) -> None:
    html = _page(client, user)
    for secret in ("DMC_ODS", "F11.20", "H0020", "C-SUD", "Substance use disorder diagnosis"):
        assert secret in html, secret
    assert WITHHELD_PLACEHOLDER not in html and "Information withheld" not in html
    assert (NOTICE_START in html) is notice
    record, pof = _api(client, user)
    assert {p["program"] for p in record["programs"]} == {"HHP", "DMC_ODS"}
    assert {c["claim_id"] for c in record["recent_claims"]} == {"C-FLU", "C-SUD", "C-SVC", "C-BILLED"}
    assert record["part2_withheld"] is False and record["withheld_note"] == ""
    assert record["part2_notice"].startswith(NOTICE_START) is notice
    smh = next(p for p in pof["populations"] if p["population"] == "ADULT_SMH_SUD")
    assert set(smh["criteria"]) == {"SUD", "MENTAL_ILLNESS"} and len(smh["evidence"]) == 3
    assert pof["part2_withheld"] is False and pof["part2_notice"].startswith(NOTICE_START) is notice


def test_provider_without_consent_sees_no_part2_data_on_pages_or_api(client, sud, ecm):
    assert_withheld(client, ecm)


def test_provider_with_a_consent_naming_their_organization_sees_it_with_the_redisclosure_notice(client, sud, ecm):
    add_consent(sud, npis=(NPI_ECM,), expires=today() + timedelta(days=365))
    assert_shown(client, ecm, notice=True)


def test_a_release_of_information_covering_part2_for_the_care_team_counts(client, sud, ecm):
    add_consent(sud, ConsentKind.DATA_SHARING, npis=(), categories=["GENERAL", "PART2_SUD"],
                recipient_class=RecipientClass.CARE_TEAM)
    assert_shown(client, ecm, notice=True)


@pytest.mark.parametrize("case", ["expired", "revoked", "other provider", "not yet effective", "general ROI only"])
def test_consents_that_do_not_apply_leave_it_withheld(client, sud, ecm, case):
    day = today()
    {"expired": lambda: add_consent(sud, expires=day - timedelta(days=1)),
     "revoked": lambda: add_consent(sud, revoked=day - timedelta(days=2)),
     "other provider": lambda: add_consent(sud, npis=(NPI_OTHER,)),
     "not yet effective": lambda: add_consent(sud, effective=day + timedelta(days=3)),
     "general ROI only": lambda: add_consent(sud, ConsentKind.DATA_SHARING, categories=["GENERAL", "HIV"]),
     }[case]()
    assert_withheld(client, ecm)


def test_revocation_hides_it_again(client, sud, ecm):
    consent = add_consent(sud)
    assert_shown(client, ecm, notice=True)
    revoke_consent(consent, actor=make_user(Role.PLAN_CARE_COORDINATION), method="WRITTEN")
    assert_withheld(client, ecm)


def test_the_other_provider_named_sees_it_while_the_first_does_not(client, sud, ecm):
    relate(sud, NPI_OTHER)
    add_consent(sud, npis=(NPI_OTHER,))
    assert_shown(client, provider_user(NPI_OTHER), notice=True)
    assert_withheld(client, ecm)


def test_plan_staff_and_the_member_always_see_it_without_placeholder(client, sud):
    assert_shown(client, make_user(Role.PLAN_CARE_COORDINATION), notice=False)
    assert_shown(client, make_user(Role.MEMBER, member=sud), notice=False)


def test_the_placeholder_does_not_reveal_whether_there_is_part2_data(client, sud, ecm):
    """A member with no Part 2 data at all looks the same to a provider without consent."""
    clean = make_member(last_name="Reyes", first_name="Eva", person_id="P-CLEAN", member_id="93333333A")
    relate(clean, NPI_ECM)
    IdentifiedPopulation.objects.filter(member=sud).delete()  # compare the member record sections alone
    with_data, without = _page(client, ecm, "P-SUD"), _page(client, ecm, "P-CLEAN")
    for html in (with_data, without):
        assert html.count(WITHHELD_PLACEHOLDER) == 3  # notice, programs, claims: whatever the data
        assert "Information withheld" in html
        assert "shown." not in html and "withheld (" not in html
    record_with, _ = _api(client, ecm, "P-SUD")
    record_without = client.get("/api/members/P-CLEAN").json()
    for key in ("part2_withheld", "part2_notice", "withheld_note"):
        assert record_with[key] == record_without[key]


def test_unrelated_provider_with_a_consent_still_cannot_open_the_member(client, sud):
    other = provider_user(NPI_OTHER)
    add_consent(sud, npis=(NPI_OTHER,))
    client.force_login(other)
    assert client.get("/members/P-SUD/").status_code == 404
    assert client.get("/api/members/P-SUD").status_code == 404
    assert client.get("/api/identification/members/P-SUD").status_code == 404


def test_reads_are_audited(client, sud, ecm):
    since = datetime.now(tz=timezone.get_current_timezone())
    _page(client, ecm)
    _api(client, ecm)
    reads = AuditEvent.objects.filter(actor=ecm, action=Action.READ, person_id="P-SUD", at__gte=since)
    assert reads.filter(object_type="Member").count() == 3
    assert reads.filter(object_type="IdentifiedPopulation").count() == 2


def test_disclosures_under_consent_are_listed_for_the_member_and_plan_staff(client, sud, ecm):
    consent = add_consent(sud)
    _page(client, ecm)
    _api(client, ecm)
    from carehub.apps.consents.selectors import part2_disclosures

    shown = part2_disclosures(sud)
    assert len(shown) == 4 and {d.consent_id for d in shown} == {str(consent.pk)}
    assert {d.what for d in shown} == {"member record: programs and claims", "identification criteria and evidence"}
    assert all(d.organization == ecm.organization.name for d in shown)
    panel = _page_of(client, make_user(Role.MEMBER, member=sud), "/consents/P-SUD/")
    assert "shown to providers under consent" in panel and ecm.username in panel
    client.force_login(ecm)
    assert "shown to providers under consent" not in client.get("/consents/P-SUD/").content.decode()


def test_no_disclosure_is_recorded_without_consent_or_without_part2_data(client, sud, ecm):
    from carehub.apps.consents.selectors import part2_disclosures

    _page(client, ecm)
    clean = make_member(person_id="P-CLEAN", member_id="93333333A")
    relate(clean, NPI_ECM)
    add_consent(clean)
    _page(client, ecm, "P-CLEAN")
    assert part2_disclosures(sud) == [] and part2_disclosures(clean) == []


def _page_of(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_part2_exclusion_proof_shown_under_consent_is_recorded_as_a_disclosure(client, ecm):
    """A member whose only Part 2 information is the proof of their exclusion (a Drug Medi-Cal span, where a plan
    lists DMC as duplicative): a consented provider sees the proof, and that showing is recorded like any other."""
    from carehub.apps.consents.selectors import part2_disclosures

    member = make_member(person_id="P-DUP", member_id="94444444A")
    relate(member, NPI_ECM)
    now = timezone.now()
    run = IdentificationRun.objects.create(as_of=today(), started_at=now, finished_at=now, rule_version="t",
                                           value_set_version="t", source="CSV")
    row = IdentifiedPopulation.objects.create(
        run=run, member=member, cin=member.member_id, population="ADULT_HOMELESS",
        criteria="HOMELESS_HOUSING_STATUS", evidence="housing:UNSHELTERED:2025-03-01", priority=1)
    add_consent(member)
    assert "UNSHELTERED" in _page(client, ecm, "P-DUP")
    assert part2_disclosures(member) == []  # nothing of Part 2 shown yet
    IdentifiedPopulation.objects.filter(pk=row.pk).update(
        excluded=True, exclusion_reason="DUPLICATIVE_PROGRAM", exclusion_evidence="program:DMC:2024-03-01")
    html = _page(client, ecm, "P-DUP")
    assert "Program enrollment DMC, 2024-03-01" in html and NOTICE_START in html
    shown = part2_disclosures(member)
    assert [d.what for d in shown] == ["identification criteria and evidence"]
    assert shown[0].organization == ecm.organization.name
