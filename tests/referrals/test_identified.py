"""The identification run refers newly identified members (IDENTIFIED source) through intake, authorizes
continuity members automatically, skips excluded members, and does nothing twice for the same run."""

from __future__ import annotations

from datetime import date

import pytest
from factories import add_program, make_member

from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest
from carehub.apps.identification.services import store_run
from carehub.apps.referrals.identified import refer_identified
from carehub.apps.referrals.models import Channel, Referral, ReferralSource, ReferralStatus

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 6, 1)


def row(member, population, *, excluded=False, continuity=False, priority=3):
    return (member.person_id, member.member_id, population, "ED_VISITS_5", "claim:C1", excluded,
            "HOSPICE" if excluded else "", continuity, priority, "Alameda", None, "",
            "program:HOSPICE:2025-05-01" if excluded else "")


def test_new_members_referred_once_continuity_authorized_excluded_skipped():
    new = make_member(first_name="Nia", last_name="Ortiz")
    wpc = make_member(first_name="Wes", last_name="Park")
    add_program(wpc, "WPC", start=date(2024, 1, 1))
    excluded = make_member(first_name="Eve", last_name="Xu")
    run = store_run([row(new, "ADULT_AVOIDABLE_UTILIZATION"), row(new, "ADULT_HOMELESS"),
                     row(wpc, "ADULT_HOMELESS", continuity=True), row(excluded, "ADULT_HOMELESS", excluded=True)],
                    as_of=AS_OF)
    result = refer_identified(run)
    assert (result.created, result.continuity, result.skipped) == (1, 1, 1)

    referral = Referral.objects.get(member=new)
    assert (referral.source, referral.channel, referral.status) == (ReferralSource.IDENTIFIED, Channel.IDENTIFIED,
                                                                     ReferralStatus.OPEN)
    assert sorted(referral.populations) == ["ADULT_AVOIDABLE_UTILIZATION", "ADULT_HOMELESS"]
    continuity = AuthorizationRequest.objects.get(member=wpc)
    assert continuity.kind == AuthorizationKind.CONTINUITY and continuity.reasons.endswith("enrolled in WPC.")
    assert not Referral.objects.filter(member=excluded).exists()

    again = refer_identified(run)
    assert (again.created, again.continuity, again.already) == (0, 0, 2)
    assert Referral.objects.count() == 2 and AuthorizationRequest.objects.count() == 1


def test_member_with_an_open_referral_is_linked_not_doubled():
    member = make_member(first_name="Lia", last_name="Chen")
    run = store_run([row(member, "ADULT_HOMELESS")], as_of=AS_OF)
    first = refer_identified(run)
    later = store_run([row(member, "ADULT_HOMELESS")], as_of=date(2025, 7, 1))
    assert refer_identified(later).created == 0  # STILL, not NEW: nothing new to refer
    assert first.created == 1 and Referral.objects.filter(member=member).count() == 1
