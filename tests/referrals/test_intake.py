"""Referral intake: validation naming every field, matching, duplicates, screening outcomes, audit."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.referrals.models import Channel, Referral, ReferralStatus
from carehub.apps.referrals.services import confirm_member, offer_other_care, submit_referral

pytestmark = pytest.mark.django_db


def referral_data(**changes):
    data = {"source": "HOSPITAL", "referrer_name": "Dana Reyes", "referrer_organization": "Valley General",
            "referrer_phone": "(510) 555-0100", "cin": "91111111A", "first_name": "Ana", "last_name": "Garcia",
            "birth_date": "1980-05-17", "populations": ["ADULT_HOMELESS"], "facts": "Sleeping in car since March.",
            "urgency": "ROUTINE"}
    data.update(changes)
    return data


@pytest.fixture
def ana():
    return make_member(first_name="Ana", last_name="Garcia", birth_date=date(1980, 5, 17), person_id="P-ANA",
                       member_id="91111111A")


@pytest.fixture
def staff():
    return make_user(Role.PLAN_CARE_COORDINATION)


def test_empty_referral_names_every_missing_field_and_stores_nothing(staff):
    result = submit_referral({}, actor=staff, channel=Channel.WEB)
    assert not result.ok
    assert {(e.field, e.code) for e in result.errors} == {
        ("source", "required"), ("referrer_name", "required"), ("first_name", "required"),
        ("last_name", "required"), ("birth_date", "required")}
    assert Referral.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="Referral").exists()


def test_every_wrong_field_is_named_at_once(staff):
    result = submit_referral(referral_data(source="ALIENS", birth_date="17/05/1980", cin="ABC", urgency="ASAP",
                                           referrer_phone="call me", referrer_email="not-an-email",
                                           populations=["ADULT_HOMELESS", "MARTIANS"]),
                             actor=staff, channel=Channel.API)
    assert {e.field: e.code for e in result.errors} == {
        "source": "invalid_choice", "birth_date": "invalid_date", "cin": "invalid_cin", "urgency": "invalid_choice",
        "referrer_phone": "invalid_phone", "referrer_email": "invalid_email", "populations": "unknown_population"}
    assert Referral.objects.count() == 0


def test_referrer_needs_a_way_to_be_reached(staff):
    result = submit_referral(referral_data(referrer_phone=""), actor=staff, channel=Channel.WEB)
    assert [(e.field, e.code) for e in result.errors] == [("referrer_phone", "no_contact")]


def test_future_birth_date_is_refused(staff):
    result = submit_referral(referral_data(birth_date="2999-01-01"), actor=staff, channel=Channel.WEB)
    assert [(e.field, e.code) for e in result.errors] == [("birth_date", "future_date")]


def test_valid_referral_is_matched_by_cin_acknowledged_and_audited(ana, staff):
    result = submit_referral(referral_data(), actor=staff, channel=Channel.WEB)
    referral = result.referral
    assert referral.member == ana and referral.status == ReferralStatus.OPEN
    assert referral.reference.startswith("ECM-") and len(referral.reference) == 12
    assert result.acknowledgement == f"Referral received. Reference number {referral.reference}."
    event = AuditEvent.objects.get(object_type="Referral", action=Action.CREATE)
    assert (event.object_id, event.person_id, event.actor_id) == (referral.reference, "P-ANA", staff.pk)


def test_matched_by_name_and_birth_date_without_cin(ana, staff):
    referral = submit_referral(referral_data(cin="", first_name="ana", last_name="GARCIA"), actor=staff,
                               channel=Channel.WEB).referral
    assert referral.member == ana and referral.match_note == ""


@pytest.mark.parametrize(("changes", "note"), [
    ({"birth_date": "1980-05-18"}, "CIN found but the date of birth differs"),
    ({"cin": "92222222B"}, ""),  # unknown CIN but name and date of birth match: matched, see below
    ({"cin": "", "first_name": "Anna"}, "no member with this CIN, or this name and date of birth"),
])
def test_unsure_matches_wait_for_review(ana, staff, changes, note):
    referral = submit_referral(referral_data(**changes), actor=staff, channel=Channel.WEB).referral
    if not note:
        assert referral.member == ana
        assert referral.match_note == "matched by name and date of birth; CIN not found"
        return
    assert referral.member is None and referral.status == ReferralStatus.MATCH_REVIEW
    assert referral.match_note == note


def test_cin_with_a_different_birth_date_waits_for_review(ana, staff):
    make_member(first_name="Ana", last_name="Garcia", birth_date=date(1980, 5, 18))  # a namesake
    referral = submit_referral(referral_data(birth_date="1980-05-18"), actor=staff, channel=Channel.WEB).referral
    assert referral.status == ReferralStatus.MATCH_REVIEW
    assert referral.match_note == "CIN found but the date of birth differs"


def test_two_members_with_same_name_and_birth_date_wait_for_review(ana, staff):
    make_member(first_name="Ana", last_name="Garcia", birth_date=date(1980, 5, 17))
    referral = submit_referral(referral_data(cin=""), actor=staff, channel=Channel.WEB).referral
    assert referral.match_note == "more than one member has this name and date of birth"


def test_second_referral_for_a_member_with_an_open_one_is_linked_not_doubled(ana, staff):
    first = submit_referral(referral_data(), actor=staff, channel=Channel.WEB).referral
    second_result = submit_referral(referral_data(source="COUNTY", referrer_name="County BH"), actor=staff,
                                    channel=Channel.API)
    second = second_result.referral
    assert second.status == ReferralStatus.LINKED and second.duplicate_of == first
    assert "already has an open referral" in second_result.acknowledgement
    third = submit_referral(referral_data(source="SCHOOL"), actor=staff, channel=Channel.WEB).referral
    assert third.duplicate_of == first  # always linked to the open one, never to another link
    assert Referral.objects.filter(member=ana, duplicate_of__isnull=True).count() == 1


def test_closed_referral_does_not_absorb_a_new_one(ana, staff):
    first = submit_referral(referral_data(), actor=staff, channel=Channel.WEB).referral
    offer_other_care(first, actor=staff, reason="Does not meet criteria")
    second = submit_referral(referral_data(), actor=staff, channel=Channel.WEB).referral
    assert second.status == ReferralStatus.OPEN and second.duplicate_of is None


def test_review_queue_confirms_the_member_and_links_duplicates(ana, staff):
    open_one = submit_referral(referral_data(), actor=staff, channel=Channel.WEB).referral
    unsure = submit_referral(referral_data(cin="", first_name="Anita"), actor=staff, channel=Channel.WEB).referral
    confirmed = confirm_member(unsure, ana, actor=staff)
    assert confirmed.member == ana and confirmed.status == ReferralStatus.LINKED
    assert confirmed.duplicate_of == open_one
    assert AuditEvent.objects.filter(object_type="Referral", action=Action.UPDATE, person_id="P-ANA").exists()


def test_not_eligible_is_offered_other_care_and_the_referrer_is_told(ana, staff, django_capture_on_commit_callbacks):
    referral = submit_referral(referral_data(), actor=staff, channel=Channel.WEB).referral
    with django_capture_on_commit_callbacks(execute=True):
        offer_other_care(referral, actor=staff, reason="No qualifying population on screening")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.OTHER_CARE_OFFERED
    assert "offering other care management" in referral.referrer_message
    assert "qualifying" not in referral.referrer_message  # the internal reason is not sent to the referrer
    with pytest.raises(ValueError, match="open, matched"):
        offer_other_care(referral, actor=staff, reason="again")
    # A decision not to authorize ECM (seed 001 Q7): a denial with its reason, so the member gets the Notice of
    # Action with appeal rights (the decision notices job) and the equity report counts it.
    from carehub.apps.authorizations.models import AuthorizationRequest
    from carehub.apps.notices.models import Notice, NoticeKind, Recipient

    decision = AuthorizationRequest.objects.get(referral=referral)
    assert decision.decision == "DENIED" and "do not meet the criteria" in decision.reasons
    assert "No qualifying population" not in decision.reasons  # the screener's note stays internal
    assert Notice.objects.filter(authorization=decision, kind=NoticeKind.DENIAL, recipient=Recipient.MEMBER).exists()


def test_same_external_id_twice_changes_nothing(ana, staff):
    first = submit_referral(referral_data(external_id="EHR-1"), actor=staff, channel=Channel.API)
    again = submit_referral(referral_data(external_id="EHR-1"), actor=staff, channel=Channel.API)
    assert again.already_received and again.referral == first.referral
    assert Referral.objects.count() == 1


def test_confirming_a_member_whose_last_name_or_birth_date_differs_needs_an_explicit_check(client, staff):
    # Found by a walk-through of the demo: a referral for José Ñandú, born 1980-02-29, was confirmed as Kevin Reyes
    # (born 1988-01-11) and merged into his open referral without a word.
    kevin = make_member(first_name="Kevin", last_name="Reyes", birth_date=date(1988, 1, 11), person_id="P-KEV")
    kevins = submit_referral(referral_data(cin="", first_name="Kevin", last_name="Reyes", birth_date="1988-01-11"),
                             actor=staff, channel=Channel.WEB).referral
    jose = submit_referral(referral_data(cin="", first_name="José", last_name="Ñandú", birth_date="1980-02-29"),
                           actor=staff, channel=Channel.WEB).referral
    assert jose.status == ReferralStatus.MATCH_REVIEW
    client.force_login(staff)
    url = f"/referrals/{jose.reference}/"

    refused = client.post(url, {"action": "match", "person_id": "P-KEV"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert ("The last name and the date of birth differ: the referral describes José Ñandú, born 1980-02-29; "
            "member P-KEV is Kevin Reyes, born 1988-01-11.") in page
    assert "I checked: same person" in page and 'value="P-KEV"' in page  # the person id typed is kept
    jose.refresh_from_db()
    assert jose.status == ReferralStatus.MATCH_REVIEW and jose.member is None and jose.duplicate_of is None
    shown = AuditEvent.objects.get(action=Action.READ, object_id=jose.reference, person_id="P-KEV")
    assert shown.detail == {"differs": ["last name", "date of birth"]}

    # A box ticked for another member does not count for this one.
    assert client.post(url, {"action": "match", "person_id": "P-KEV", "same_person": "P-OTHER"}).status_code == 400
    assert Referral.objects.get(pk=jose.pk).member is None

    confirmed = client.post(url, {"action": "match", "person_id": "P-KEV", "same_person": "P-KEV"})
    assert confirmed.status_code == 302
    jose.refresh_from_db()
    assert jose.member == kevin and jose.status == ReferralStatus.LINKED and jose.duplicate_of == kevins
    update = AuditEvent.objects.get(action=Action.UPDATE, object_id=jose.reference)
    assert update.person_id == "P-KEV" and update.detail["checked_same_person_despite"] == ["last name",
                                                                                           "date of birth"]


def test_a_member_matching_but_for_accents_and_case_needs_no_check(staff):
    nandu = make_member(first_name="José", last_name="Ñandú", birth_date=date(1980, 2, 29))
    referral = submit_referral(referral_data(cin="", first_name="Jose", last_name="NANDU", birth_date="1980-02-29"),
                               actor=staff, channel=Channel.WEB).referral
    assert confirm_member(referral, nandu, actor=staff).member == nandu


def test_the_member_is_confirmed_by_cin_too_and_an_unknown_one_is_named_with_the_value_kept(client, ana, staff):
    # Found by a walk-through of the demo: the field wanted a person id that no page shows.
    referral = submit_referral(referral_data(cin="", first_name="Anita"), actor=staff, channel=Channel.WEB).referral
    client.force_login(staff)
    url = f"/referrals/{referral.reference}/"
    unknown = client.post(url, {"action": "match", "person_id": "99999999Z"})
    assert unknown.status_code == 400
    page = unknown.content.decode()
    assert "No member has that person id or CIN: copy either from member search." in page
    assert 'value="99999999Z"' in page
    assert client.post(url, {"action": "match", "person_id": "91111111a"}).status_code == 302
    referral.refresh_from_db()
    assert referral.member == ana and referral.status == ReferralStatus.OPEN


def test_a_preferred_provider_must_be_an_ecm_provider_of_the_network(db):
    from factories import make_provider

    from carehub.apps.referrals.services import validate

    base = {"source": "MEMBER", "referrer_name": "Self", "referrer_phone": "510-555-0199", "first_name": "Ana",
            "last_name": "Garcia", "birth_date": "1980-05-17"}
    make_provider("1234567893", kind="ECM")
    make_provider("1245319599", kind="PCP")
    for npi in ("12345", "1245319599", "1234567890"):  # too short; not an ECM provider; fails the check digit
        clean, errors = validate({**base, "preferred_provider_npi": npi})
        assert clean is None and [e.field for e in errors] == ["preferred_provider_npi"]
    clean, errors = validate({**base, "preferred_provider_npi": "1234567893"})
    assert errors == [] and clean.preferred_provider_npi == "1234567893"


def test_the_forms_offer_the_ecm_providers_and_the_referral_shows_the_preference(client, ana, staff):
    from factories import make_provider

    make_provider("1234567893", kind="ECM", name="Bay Street Outreach")
    make_provider("1245319599", kind="PCP", name="Dr. Primary")
    client.force_login(staff)
    form = client.get("/referrals/new/").content.decode()
    assert '<option value="1234567893">Bay Street Outreach</option>' in form and "Dr. Primary" not in form
    referral = submit_referral(referral_data(preferred_provider_npi="1234567893"), actor=staff,
                               channel=Channel.WEB).referral
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Bay Street Outreach (NPI 1234567893)" in page
