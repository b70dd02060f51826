"""has_consent and sees_part2: the interface other apps call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from consents_helpers import NPI_ECM, NPI_OTHER, add_consent, provider_user, related_member
from factories import make_user, relate, today

from carehub.apps.accounts.models import Role
from carehub.apps.consents.models import ConsentKind, RecipientClass
from carehub.apps.consents.selectors import has_consent
from carehub.apps.members.selectors import sees_part2

pytestmark = pytest.mark.django_db


def test_no_consent_means_no():
    member = related_member()
    assert not has_consent(member, ConsentKind.PART2)
    assert not has_consent(member, ConsentKind.PART2, provider_npi=NPI_ECM)
    assert not sees_part2(provider_user(), member)


def test_part2_consent_naming_the_provider():
    member = related_member()
    add_consent(member, npis=(NPI_ECM,))
    assert has_consent(member, ConsentKind.PART2)
    assert has_consent(member, ConsentKind.PART2, provider_npi=NPI_ECM)
    assert not has_consent(member, ConsentKind.PART2, provider_npi=NPI_OTHER)
    assert has_consent(member, ConsentKind.DATA_SHARING, provider_npi=NPI_ECM)
    assert not has_consent(member, ConsentKind.TELEHEALTH)
    assert sees_part2(provider_user(), member)


def test_expired_revoked_future_and_other_provider():
    day = today()
    expired, revoked, future, other = (related_member() for _ in range(4))
    add_consent(expired, expires=day - timedelta(days=1))
    add_consent(revoked, revoked=day)
    add_consent(future, effective=day + timedelta(days=1))
    add_consent(other, npis=(NPI_OTHER,))
    user = provider_user()
    for member in (expired, revoked, future, other):
        assert not has_consent(member, ConsentKind.PART2, provider_npi=NPI_ECM)
        assert not sees_part2(user, member)
    assert has_consent(expired, ConsentKind.PART2, on=day - timedelta(days=1))
    assert has_consent(revoked, ConsentKind.PART2, on=day - timedelta(days=1))


def test_roi_covering_part2_and_care_team_class():
    member = related_member()
    add_consent(member, ConsentKind.DATA_SHARING, npis=(), categories=["GENERAL", "PART2_SUD"],
                recipient_class=RecipientClass.CARE_TEAM)
    assert has_consent(member, ConsentKind.PART2, provider_npi=NPI_ECM)
    # A provider without a treating relationship is not in the care team.
    assert not has_consent(member, ConsentKind.PART2, provider_npi=NPI_OTHER)
    relate(member, NPI_OTHER)
    assert has_consent(member, ConsentKind.PART2, provider_npi=NPI_OTHER)


def test_roi_without_part2_category_does_not_cover_part2():
    member = related_member()
    add_consent(member, ConsentKind.DATA_SHARING, categories=["GENERAL", "MENTAL_HEALTH"])
    assert has_consent(member, ConsentKind.DATA_SHARING, provider_npi=NPI_ECM)
    assert not has_consent(member, ConsentKind.PART2, provider_npi=NPI_ECM)


def test_plan_staff_and_member_always_see_part2():
    member = related_member()
    assert sees_part2(make_user(Role.PLAN_CARE_COORDINATION), member)
    assert sees_part2(make_user(Role.MEMBER, member=member), member)
    assert not sees_part2(provider_user(NPI_OTHER))


def test_part2_person_ids_for_a_worklist_page():
    from carehub.apps.consents.selectors import part2_person_ids

    named, team, none, other = (related_member() for _ in range(4))
    add_consent(named)
    add_consent(team, npis=(), recipient_class=RecipientClass.CARE_TEAM)
    add_consent(other, npis=(NPI_OTHER,))
    ids = [m.person_id for m in (named, team, none, other)]
    assert part2_person_ids(provider_user(), ids) == {named.person_id, team.person_id}
    assert part2_person_ids(make_user(Role.PLAN_ADMIN), ids) == set(ids)
    assert part2_person_ids(make_user(Role.MEMBER, member=none), ids) == {none.person_id}
    # Named by NPI (whether it may open the member at all is visible_members' business); the care-team class
    # needs a treating relationship.
    assert part2_person_ids(provider_user(NPI_OTHER), ids) == {other.person_id}


def test_demo_seed_is_idempotent():
    from factories import add_program

    from carehub.apps.consents.demo import seed_consents_demo
    from carehub.apps.consents.models import Consent

    members = [related_member() for _ in range(4)]
    for m in members:
        add_program(m, "DMC_ODS")
    summary = seed_consents_demo(ecm_npi=NPI_ECM, member=members[0])
    assert "2 of 4" in summary
    count = Consent.objects.count()
    assert count == 4 and seed_consents_demo(ecm_npi=NPI_ECM, member=members[0]).endswith("already present")
    assert Consent.objects.count() == count
    assert has_consent(members[0], ConsentKind.PART2, provider_npi=NPI_ECM)
    assert not has_consent(members[1], ConsentKind.PART2, provider_npi=NPI_ECM)


def test_telehealth_and_electronic_consents_apply_to_every_provider_unless_they_name_some():
    member = related_member()
    add_consent(member, ConsentKind.TELEHEALTH, npis=(), categories=[], channels=["VIDEO"])
    assert has_consent(member, ConsentKind.TELEHEALTH, provider_npi=NPI_ECM)
    assert has_consent(member.person_id, "TELEHEALTH", provider_npi=NPI_OTHER)
    assert not has_consent(member, ConsentKind.PART2, provider_npi=NPI_ECM)
    named = related_member()
    add_consent(named, ConsentKind.ELECTRONIC_COMMUNICATION, npis=(NPI_OTHER,), categories=[], channels=["TEXT"])
    assert has_consent(named, ConsentKind.ELECTRONIC_COMMUNICATION, provider_npi=NPI_OTHER)
    assert not has_consent(named, ConsentKind.ELECTRONIC_COMMUNICATION, provider_npi=NPI_ECM)


def test_status_says_when_a_consent_is_about_to_expire():
    from carehub.apps.consents.selectors import status

    member = related_member()
    day = today()
    assert status(add_consent(member, expires=day + timedelta(days=12)), day) == "In force, expires in 12 days"
    assert status(add_consent(member, expires=day), day) == "In force, expires today"
    assert status(add_consent(member, expires=day + timedelta(days=90)), day) == "In force"
    assert status(add_consent(member, revoked=day), day).startswith("Revoked")
