"""Reauthorization before the end date with reassessment; presumptive authorization by a designated ECM provider
that the plan confirms or rescinds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from factories import make_member, make_org, make_user

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest, Decision
from carehub.apps.authorizations.renewals import (
    authorize_presumptively,
    confirm_presumptive,
    ending_soon,
    request_reauthorization,
    to_confirm,
)
from carehub.apps.authorizations.services import DecisionError, DecisionInput, decide, open_authorization
from carehub.apps.notices.models import Notice, NoticeKind
from carehub.apps.referrals.models import Channel, ReferralStatus
from carehub.apps.referrals.services import submit_referral

pytestmark = pytest.mark.django_db
DESIGNATED_NPI = "1234567893"


@pytest.fixture
def um():
    return make_user(Role.PLAN_UTILIZATION_MANAGEMENT)


def referral_for(member, actor):
    data = {"source": "ECM_PROVIDER", "referrer_name": "Case Manager", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat()}
    return submit_referral(data, actor=actor, channel=Channel.WEB).referral


def approved(member, um, start: date):
    request = open_authorization(referral_for(member, um), actor=um)
    return decide(request, DecisionInput("APPROVED", start_date=start), actor=um)


def test_worklist_lists_authorizations_ending_within_30_days_soonest_first(um):
    today = timezone.localdate()
    soon = approved(make_member(), um, today - timedelta(days=365 - 10))  # ends in ~10 days
    sooner = approved(make_member(first_name="Bo"), um, today - timedelta(days=365 - 2))
    approved(make_member(first_name="Cy"), um, today - timedelta(days=100))  # ends in ~265 days
    assert [a.pk for a in ending_soon(um)] == [sooner.pk, soon.pk]
    assert ending_soon(make_user(Role.ECM_PROVIDER_STAFF)) == []


def test_reauthorization_carries_the_reassessment_and_continues_the_day_after(um):
    today = timezone.localdate()
    previous = approved(make_member(), um, today - timedelta(days=360))
    with pytest.raises(DecisionError):
        request_reauthorization(previous, actor=um, reassessment="  ")
    renewal = request_reauthorization(previous, actor=um, reassessment="Still unhoused; ED visits down.")
    assert renewal.renewal_of == previous and renewal.decision == Decision.PENDING
    assert renewal.referral.status == ReferralStatus.IN_AUTHORIZATION
    assert ending_soon(um) == []  # worked: off the list
    with pytest.raises(DecisionError):
        request_reauthorization(previous, actor=um, reassessment="again")
    decided = decide(renewal, DecisionInput("APPROVED"), actor=um)
    assert decided.start_date == previous.end_date + timedelta(days=1)


def test_reauthorize_from_the_worklist_page(client, um):
    previous = approved(make_member(), um, timezone.localdate() - timedelta(days=360))
    client.force_login(um)
    assert previous.member.display_name in client.get("/authorizations/reauthorizations/").content.decode()
    response = client.post(f"/authorizations/{previous.pk}/reauthorize", {"reassessment": "Reassessed today."})
    renewal = AuthorizationRequest.objects.get(renewal_of=previous)
    assert response.status_code == 302 and response["Location"] == f"/authorizations/{renewal.pk}/"


@pytest.fixture
def designated(settings):
    settings.CAREHUB_PRESUMPTIVE_NPIS = [DESIGNATED_NPI]
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=DESIGNATED_NPI)
    return make_user(Role.ECM_PROVIDER_STAFF, organization=org)


def test_presumptive_authorization_confirmed_by_the_plan(designated, um, django_capture_on_commit_callbacks):
    referral = referral_for(make_member(), designated)
    request = authorize_presumptively(referral, actor=designated)
    assert (request.kind, request.decision) == (AuthorizationKind.PRESUMPTIVE, Decision.APPROVED)
    assert to_confirm(um) == [request]
    with django_capture_on_commit_callbacks(execute=True):
        confirm_presumptive(request, actor=um, confirm=True)
    request.refresh_from_db()
    assert request.confirmed_by == um and to_confirm(um) == []
    assert Notice.objects.filter(authorization=request, kind=NoticeKind.APPROVAL).exists()


def test_rescinded_presumptive_authorization_sends_a_notice_of_action(designated, um,
                                                                      django_capture_on_commit_callbacks):
    request = authorize_presumptively(referral_for(make_member(), designated), actor=designated)
    with pytest.raises(DecisionError):
        confirm_presumptive(request, actor=um, confirm=False)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_presumptive(request, actor=um, confirm=False, reasons="Not in a Population of Focus.")
    request.refresh_from_db()
    assert request.decision == Decision.DENIED
    assert Notice.objects.filter(authorization=request, kind=NoticeKind.DENIAL).count() == 2  # member + referrer


def test_only_designated_providers_and_only_for_their_referrals(designated, um, settings):
    other = make_user(Role.ECM_PROVIDER_STAFF)
    with pytest.raises(DecisionError):
        authorize_presumptively(referral_for(make_member(), other), actor=other)
    with pytest.raises(DecisionError):
        authorize_presumptively(referral_for(make_member(first_name="Bo"), um), actor=designated)
    assert AuthorizationRequest.objects.count() == 0


def test_presumptive_api(client, designated):
    referral = referral_for(make_member(), designated)
    client.force_login(designated)
    response = client.post("/api/authorizations/presumptive", {"referral": referral.reference},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    assert client.post("/api/authorizations/presumptive", {"referral": "ECM-NOPE"},
                       content_type="application/json").status_code == 404
