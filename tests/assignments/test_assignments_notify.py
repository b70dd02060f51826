"""Who hears of an assignment: the ECM provider (in the app) and the member's current PCP (outbox when the PCP does
not sign in to CareHub) after each assignment commits, once; the plan's care coordination when a provider returns
a member. Query counts of the queue and the provider's list at 50+ rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from assign_helpers import LA, NPI_A, NPI_B, NPI_C, approved, ecm_provider
from django.utils import timezone
from factories import make_member, make_org, make_user

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.assignments import services
from carehub.apps.members.models import PcpAssignment
from carehub.apps.notifications.models import Channel, Notification

pytestmark = pytest.mark.django_db
SOON = datetime(2025, 6, 4, 9, 0, tzinfo=LA)


@pytest.fixture
def plan():
    make_org(OrganizationKind.PLAN, name="Demo Health Plan")
    return make_user(Role.PLAN_CARE_COORDINATION)


def pcp(member, npi, *, start=date(2024, 1, 1), end=None):
    return PcpAssignment.objects.create(member=member, pcp_npi=npi, start_date=start, end_date=end,
                                        row_key=f"pcp-{member.person_id}-{npi}-{start}", row_hash="x")


def test_provider_and_current_pcp_are_told_once_after_commit(plan, django_capture_on_commit_callbacks):
    ecm_provider(NPI_A)
    member = make_member(county="Alameda", preferred_language="English", pcp_npi=NPI_C)
    pcp(member, "1588667638", start=date(2020, 1, 1), end=date(2023, 12, 31))  # a former PCP
    pcp(member, NPI_B)
    approved(member, actor=plan)
    with django_capture_on_commit_callbacks(execute=True):
        (assignment,) = services.assign_authorized(actor=plan, now=SOON).assigned
    to_provider = Notification.objects.get(kind="assignment")
    assert (to_provider.channel, to_provider.recipient_org.npi, to_provider.person_id, to_provider.link) == (
        Channel.IN_APP, NPI_A, member.person_id, "/assignments/mine/")
    to_pcp = Notification.objects.get(kind="assignment-pcp")
    # The current PCP assignment wins over the member row's pcp_npi; a PCP outside CareHub goes to the outbox.
    assert (to_pcp.channel, to_pcp.recipient_npi) == (Channel.OUTBOX, NPI_B)
    assert member.member_id in to_pcp.body and f"Provider {NPI_A}" in to_pcp.body
    assert to_pcp.dedupe_key == f"assignment-{assignment.pk}-pcp"
    # Sending again (a re-run) sends nothing new.
    from carehub.apps.assignments import notify

    # Closed-Loop Referral (DHCS, 2025-07-01): the member hears who their provider is and how to reach them.
    to_member = Notification.objects.get(kind="assignment-member")
    assert to_member.recipient_member == member and f"Provider {NPI_A} is your ECM provider" in to_member.body
    with django_capture_on_commit_callbacks(execute=True):
        notify.assignments_made([assignment], actor=plan)
    assert Notification.objects.count() == 3


def test_nothing_is_sent_when_the_batch_rolls_back(plan, django_capture_on_commit_callbacks):
    ecm_provider(NPI_A)
    approved(make_member(county="Alameda", pcp_npi=NPI_B), actor=plan)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assign_authorized(actor=plan, now=SOON)
    assert len(callbacks) == 3 and not Notification.objects.exists()


def test_member_row_pcp_is_used_when_no_pcp_assignment_is_in_force(plan, django_capture_on_commit_callbacks):
    ecm_provider(NPI_A)
    approved(make_member(county="Alameda", pcp_npi=NPI_C), actor=plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_authorized(actor=plan, now=SOON)
    assert Notification.objects.get(kind="assignment-pcp").recipient_npi == NPI_C


def test_pcp_that_is_the_ecm_provider_is_told_once(plan, django_capture_on_commit_callbacks):
    ecm_provider(NPI_A)
    approved(make_member(county="Alameda", pcp_npi=NPI_A), actor=plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_authorized(actor=plan, now=SOON)
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["assignment", "assignment-member"]


def test_a_return_tells_the_plan_with_the_reason(plan, django_capture_on_commit_callbacks):
    provider = ecm_provider(NPI_A)
    approved(make_member(county="Alameda"), actor=plan)
    (assignment,) = services.assign_authorized(actor=plan, now=SOON).assigned
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=provider.organization)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_assignment(assignment, "Member lives outside our service area.", actor=staff)
    note = Notification.objects.get(kind="assignment-returned")
    assert note.recipient_org.kind == OrganizationKind.PLAN and note.link == "/assignments/"
    assert "outside our service area" in note.body and note.person_id == assignment.member_id


def test_change_of_provider_tells_the_new_provider(plan, django_capture_on_commit_callbacks):
    ecm_provider(NPI_A)
    ecm_provider(NPI_B)
    member = make_member(county="Alameda")
    approved(member, actor=plan)
    services.assign_authorized(actor=plan, now=SOON)
    current = member.ecm_assignments.get()
    other = NPI_B if current.provider_npi == NPI_A else NPI_A
    request = services.request_provider_change(member, actor=plan, channel="PHONE", requested_npi=other)
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_provider_change(request, other, actor=plan)
    assert Notification.objects.get(kind="assignment").recipient_org.npi == other
    moved = Notification.objects.get(kind="assignment-ended")
    assert moved.recipient_org.npi == current.provider_npi and moved.person_id == member.person_id


# ---- query counts at 50+ rows --------------------------------------------------------------------------------

def test_queue_and_provider_list_at_50_rows_have_a_fixed_number_of_queries(client, plan,
                                                                           django_assert_max_num_queries):
    provider = ecm_provider(NPI_A, capacity=200)
    decided = timezone.now().astimezone(LA) - timedelta(days=1)  # in force today, when the page looks
    for _ in range(55):
        approved(make_member(county="Alameda"), actor=plan, decided_at=decided)
    client.force_login(plan)
    # Session, user, the queue, the change requests, two audit records (with their savepoints), the plan org.
    with django_assert_max_num_queries(20):
        response = client.get("/assignments/")
    assert response.status_code == 200 and len(response.context["lines"]) == 55
    assert len(services.assign_authorized(actor=plan).assigned) == 55
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF, organization=provider.organization))
    # Session, user, the organization's NPIs, the assignments with their members, one audit record.
    with django_assert_max_num_queries(15):
        response = client.get("/assignments/mine/")
    assert response.status_code == 200 and len(response.context["rows"]) == 55


def test_a_referring_organization_hears_the_assignment_not_the_plan(plan, django_capture_on_commit_callbacks):
    """DHCS Closed-Loop Referral guidance: the referring entity is told when the member is assigned."""
    from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
    from carehub.apps.referrals.models import Channel as ReferralChannel
    from carehub.apps.referrals.services import submit_referral

    ecm_provider(NPI_A)
    clinic = make_org(OrganizationKind.ECM_PROVIDER, name="Eastside Clinic")
    referrer = make_user(Role.ECM_PROVIDER_STAFF, organization=clinic)
    member = make_member(county="Alameda", preferred_language="English")
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(), "populations": ["ADULT_HOMELESS"], "facts": "Unsheltered."}
    referral = submit_referral(data, actor=referrer, channel=ReferralChannel.WEB, received_at=SOON - timedelta(days=2)
                               ).referral
    decide(open_authorization(referral, actor=plan), DecisionInput("APPROVED", start_date=SOON.date()), actor=plan,
           now=SOON - timedelta(days=1))
    approved(make_member(county="Alameda", first_name="Bo"), actor=plan)  # filed by the plan: no "referrer" note
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_authorized(actor=plan, now=SOON)
    (note,) = Notification.objects.filter(kind="assignment-referrer")
    assert note.recipient_org == clinic and referral.reference in note.body and note.person_id == member.person_id
