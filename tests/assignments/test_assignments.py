"""Assigning approved authorizations in the app: the batch, capacity from open assignments, care relationships,
accept/return, the queue on the 10-working-day clock, changes of provider on the 30-day clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from assign_helpers import LA, NPI_A, NPI_B, approved, ecm_provider
from django.utils import timezone
from factories import add_program, make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import selectors, services
from carehub.apps.assignments.models import Assignment, AssignmentStatus, ChangeStatus
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.members.models import CareRelationship, ProgramEnrollment
from carehub.apps.members.selectors import visible_members
from carehub.domain.deadlines import ClockState

pytestmark = pytest.mark.django_db
DECIDED = datetime(2025, 6, 2, 10, 0, tzinfo=LA)
SOON = datetime(2025, 6, 4, 9, 0, tzinfo=LA)


@pytest.fixture
def plan():
    return make_user(Role.PLAN_CARE_COORDINATION)


def staff_of(provider):
    return make_user(Role.ECM_PROVIDER_STAFF, organization=provider.organization)


def test_batch_assigns_by_rule_writes_relationship_and_provider_staff_see_the_member(plan):
    provider = ecm_provider(NPI_A)
    member = make_member(county="Alameda", preferred_language="Spanish")
    ProgramEnrollment.objects.filter(pk=add_program(member, "WPC", start=date(2024, 1, 1)).pk).update(detail=NPI_A)
    approved(member, actor=plan)
    outcome = services.assign_authorized(actor=plan, now=SOON)
    (assignment,) = outcome.assigned
    assert (assignment.provider_npi, assignment.rule, assignment.status) == (NPI_A, "EXISTING_RELATIONSHIP",
                                                                              "ASSIGNED")
    # 10 working days from Monday 2025-06-02: Monday 2025-06-16, end of day.
    assert assignment.due_by == datetime(2025, 6, 16, 23, 59, 59, 999999, tzinfo=LA)
    assert assignment.on_time is True
    rel = CareRelationship.objects.get(pk=assignment.relationship_id)
    assert (rel.kind, rel.provider_npi, rel.end_date) == ("ASSIGNED", NPI_A, None)
    staff = staff_of(provider)
    assert list(visible_members(staff, on=date(2025, 6, 10))) == [member]
    assert AuditEvent.objects.filter(object_type="Assignment", action=Action.CREATE,
                                     person_id=member.person_id).exists()
    # Assigned members leave the queue; running again changes nothing.
    assert services.assign_authorized(actor=plan, now=SOON).assigned == []
    assert Assignment.objects.count() == 1


def test_capacity_left_counts_open_assignments(plan):
    ecm_provider(NPI_A, capacity=1)
    first, second = approved(actor=plan), approved(actor=plan)
    outcome = services.assign_authorized(actor=plan, now=SOON)
    assert [a.member_id for a in outcome.assigned] == [first.member_id]
    assert outcome.unassigned == [second.member_id]
    assert services.network()[NPI_A].capacity == 0
    lines = selectors.assignment_queue(plan, now=SOON)
    assert [line.authorization.member_id for line in lines] == [second.member_id]


def test_county_or_population_mismatch_stays_unassigned(plan):
    ecm_provider(NPI_A, counties=("Fresno",))
    ecm_provider(NPI_B, populations=("ADULT_REENTRY",))
    auth = approved(actor=plan)
    outcome = services.assign_authorized(actor=plan, now=SOON)
    assert outcome.assigned == [] and outcome.unassigned == [auth.member_id]


def test_overdue_queue_is_unmistakable(plan, client):
    auth = approved(actor=plan, decided_at=timezone.now() - timedelta(days=30))  # nobody in the network
    late = timezone.now()
    (line,) = selectors.assignment_queue(plan, now=late)
    assert line.authorization == auth and line.state == ClockState.OVERDUE
    client.force_login(plan)
    page = client.get("/assignments/")
    assert page.status_code == 200
    assert "OVERDUE" in page.content.decode()


def test_provider_accepts_or_returns_and_returned_member_is_reassigned_elsewhere(plan):
    provider_a = ecm_provider(NPI_A, languages=("es",))
    ecm_provider(NPI_B)
    member = make_member(county="Alameda", preferred_language="Spanish")
    approved(member, actor=plan)
    (assignment,) = services.assign_authorized(actor=plan, now=SOON).assigned
    assert assignment.provider_npi == NPI_A  # best match: language
    staff = staff_of(provider_a)
    with pytest.raises(services.AssignmentError):
        services.return_assignment(assignment, "  ", actor=staff)
    other = make_user(Role.ECM_PROVIDER_STAFF)
    with pytest.raises(services.AssignmentError):
        services.accept(assignment, actor=other)
    services.return_assignment(assignment, "No Spanish-speaking care manager this month", actor=staff,
                               now=SOON + timedelta(hours=1))
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.RETURNED
    assert CareRelationship.objects.get(pk=assignment.relationship_id).end_date is not None
    assert list(visible_members(staff, on=date(2025, 6, 10))) == []
    line = selectors.assignment_queue(plan, now=SOON)[0]
    assert line.returned_by == (NPI_A,)
    assert line.returns == ((NPI_A, "No Spanish-speaking care manager this month"),)
    (again,) = services.assign_authorized(actor=plan, now=SOON + timedelta(hours=2)).assigned
    assert again.provider_npi == NPI_B
    services.accept(again, actor=make_user(Role.ECM_PROVIDER_STAFF,
                                           organization=again_provider_org(NPI_B)))
    again.refresh_from_db()
    assert again.status == AssignmentStatus.ACCEPTED


def again_provider_org(npi):
    from carehub.apps.providers.models import ProviderOrganization
    return ProviderOrganization.objects.get(npi=npi).organization


def test_provider_change_on_the_30_day_clock(plan):
    ecm_provider(NPI_A)
    ecm_provider(NPI_B)
    member = make_member(county="Alameda")
    approved(member, actor=plan)
    (first,) = services.assign_authorized(actor=plan, now=SOON).assigned
    target = NPI_B if first.provider_npi == NPI_A else NPI_A
    received = datetime(2025, 7, 1, 11, 0, tzinfo=LA)
    request = services.request_provider_change(member, actor=plan, channel="PHONE", requested_npi=target,
                                               now=received)
    assert request.acknowledged_at == received
    assert request.due_at == datetime(2025, 7, 31, 23, 59, 59, 999999, tzinfo=LA)
    assert selectors.change_requests(plan) == [request]
    done = services.complete_provider_change(request, target, actor=plan, now=received + timedelta(days=3))
    assert done.status == ChangeStatus.COMPLETED
    first.refresh_from_db()
    assert (first.status, first.end_reason) == (AssignmentStatus.ENDED, "member changed provider")
    new = done.new_assignment
    assert (new.provider_npi, new.rule, new.authorization_id) == (target, "MEMBER_PREFERENCE",
                                                                  first.authorization_id)
    assert new.on_time is True


def test_change_to_provider_not_serving_the_county_is_refused_and_changes_nothing(plan):
    ecm_provider(NPI_A)
    ecm_provider(NPI_B, counties=("Fresno",))
    member = make_member(county="Alameda")
    approved(member, actor=plan)
    services.assign_authorized(actor=plan, now=SOON)
    request = services.request_provider_change(member, actor=plan, channel="MAIL")
    with pytest.raises(services.AssignmentError, match="county"):
        services.complete_provider_change(request, NPI_B, actor=plan)
    assert Assignment.objects.get().status == AssignmentStatus.ASSIGNED
    request.refresh_from_db()
    assert request.status == ChangeStatus.OPEN


def test_provider_staff_list_is_scoped_and_audited(plan, client):
    provider_a = ecm_provider(NPI_A, capacity=1)
    ecm_provider(NPI_B, capacity=1)
    approved(actor=plan)
    approved(actor=plan)
    services.assign_authorized(actor=plan, now=SOON)
    staff = staff_of(provider_a)
    rows = selectors.audited_provider_assignments(staff, route="/t")
    assert [a.provider_npi for a in rows] == [NPI_A]
    other = Assignment.objects.get(provider_npi=NPI_B)
    assert selectors.audited_assignment(staff, other.pk, route="/t") is None
    assert AuditEvent.objects.filter(action=Action.DENIED, object_type="Assignment").exists()
    client.force_login(staff)
    page = client.get("/assignments/mine/")
    assert page.status_code == 200
    assert rows[0].member.last_name in page.content.decode()
    assert client.post(f"/assignments/{other.pk}/accept/").status_code == 404


def test_a_referral_without_a_population_is_assigned_for_the_members_identified_one():
    """A member's own request rarely names a Population of Focus; such a member was approved and then never
    assigned, as no provider qualifies for no population (found by an audit of issues 4-6)."""
    from carehub.apps.identification.models import IdentificationRun, IdentifiedPopulation

    staff = make_user(Role.PLAN_UTILIZATION_MANAGEMENT)
    ecm_provider(NPI_A, capacity=10, populations=("ADULT_SMH_SUD",))
    member = make_member(county="Alameda", preferred_language="English")
    unknown = make_member(county="Alameda", preferred_language="English", first_name="Bo")
    authorization = approved(member, actor=staff, population="")
    other = approved(unknown, actor=staff, population="")
    now = timezone.now()
    older = IdentificationRun.objects.create(as_of=date(2025, 4, 30), started_at=now, finished_at=now,
                                             rule_version="t", value_set_version="t", source="CSV")
    run = IdentificationRun.objects.create(as_of=date(2025, 5, 31), started_at=now, finished_at=now,
                                           rule_version="t", value_set_version="t", source="CSV")
    IdentifiedPopulation.objects.create(run=older, member=unknown, cin=unknown.member_id,
                                        population="ADULT_SMH_SUD", criteria="SMI", evidence="", priority=9)
    for population, excluded, priority in (("ADULT_HOMELESS", True, 9), ("ADULT_SMH_SUD", False, 3),
                                           ("ADULT_AVOIDABLE_UTILIZATION", False, 1)):
        IdentifiedPopulation.objects.create(run=run, member=member, cin=member.member_id, population=population,
                                            criteria="x", evidence="", priority=priority, excluded=excluded)
    outcome = services.assign_authorized(actor=staff, now=SOON, authorization_ids=[authorization.pk, other.pk])
    (assignment,) = outcome.assigned
    assert (assignment.member_id, assignment.provider_npi) == (member.person_id, NPI_A)
    assert assignment.population == "ADULT_SMH_SUD"  # not excluded, then the highest priority
    assert outcome.unassigned == [unknown.person_id]  # identified only in an older run: still no population


def test_a_member_authorized_presumptively_goes_to_the_provider_that_authorized_them(settings):
    """Seed 003 8.e: a designated ECM provider authorizes ECM at once and starts it; the batch gave such a member
    to the best-matching provider instead (found by an audit of issues 4-6)."""
    from carehub.apps.authorizations import renewals
    from carehub.apps.referrals.models import Channel
    from carehub.apps.referrals.services import submit_referral

    ecm_provider(NPI_A, capacity=10)
    designated = ecm_provider(NPI_B, capacity=10)
    settings.CAREHUB_PRESUMPTIVE_NPIS = [NPI_B]
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=designated.organization)
    plan = make_user(Role.PLAN_CARE_COORDINATION)
    member = make_member(county="Alameda", preferred_language="English")
    data = {"source": "ECM_PROVIDER", "referrer_name": "B care manager", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat(), "populations": ["ADULT_HOMELESS"], "facts": "Unsheltered."}
    referral = submit_referral(data, actor=staff, channel=Channel.API).referral
    renewals.confirm_presumptive(renewals.authorize_presumptively(referral, actor=staff), actor=plan, confirm=True)
    (assignment,) = services.assign_authorized(actor=plan).assigned
    assert (assignment.provider_npi, assignment.rule) == (NPI_B, "MEMBER_PREFERENCE")


def test_the_provider_the_referral_says_the_member_prefers_is_honoured_first():
    """Seed 000 II.f: "MCPs must follow Members' known preferences"; nothing in the app recorded one, so the
    batch never applied the rule (found by an audit of issues 4-6)."""
    from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
    from carehub.apps.referrals.models import Channel
    from carehub.apps.referrals.services import submit_referral

    ecm_provider(NPI_A, capacity=10)
    ecm_provider(NPI_B, capacity=10)
    um = make_user(Role.PLAN_UTILIZATION_MANAGEMENT)
    chosen = []
    for preferred in ("", NPI_B):
        member = make_member(county="Alameda", preferred_language="English", first_name=f"P{preferred}")
        data = {"source": "MEMBER", "referrer_name": "Self", "referrer_phone": "510-555-0199",
                "first_name": member.first_name, "last_name": member.last_name, "cin": member.member_id,
                "birth_date": member.birth_date.isoformat(), "populations": ["ADULT_HOMELESS"],
                "preferred_provider_npi": preferred}
        result = submit_referral(data, actor=um, channel=Channel.WEB, received_at=SOON - timedelta(days=2))
        request = open_authorization(result.referral, actor=um)
        decide(request, DecisionInput("APPROVED", start_date=SOON.date()), actor=um, now=SOON - timedelta(days=1))
        (assignment,) = services.assign_authorized(actor=um, now=SOON, authorization_ids=[request.pk]).assigned
        chosen.append((assignment.provider_npi, assignment.rule))
    assert chosen[1] == (NPI_B, "MEMBER_PREFERENCE") and chosen[0][1] != "MEMBER_PREFERENCE"
