"""The functions other apps call: caseload_counts, current_lead_care_manager, enrollment_status,
mark_discontinued."""

from __future__ import annotations

from datetime import date

import pytest
from engagement_helpers import assign, care_manager, ecm_shop

from carehub.apps.assignments.models import AssignmentStatus
from carehub.apps.audit.models import AuditEvent
from carehub.apps.engagement import selectors, services
from carehub.apps.engagement.models import Enrollment, LeadCareManagerAssignment

pytestmark = pytest.mark.django_db


def test_new_assignment_is_in_outreach_without_a_lead_care_manager():
    shop = ecm_shop()
    assignment = assign()
    assert selectors.enrollment_status(assignment) == "OUTREACH"
    assert selectors.current_lead_care_manager(assignment) is None
    assert selectors.caseload_counts([shop.lcm.pk]) == {shop.lcm.pk: 0}


def test_caseload_counts_current_lead_periods_on_open_assignments_only():
    shop = ecm_shop()
    other = care_manager(shop.provider)
    a1, a2, closed = assign(), assign(), assign(status=AssignmentStatus.ENDED)
    for a in (a1, a2, closed):
        LeadCareManagerAssignment.objects.create(assignment=a, care_manager=shop.lcm, start_date=date(2025, 1, 1))
    LeadCareManagerAssignment.objects.create(assignment=assign(), care_manager=other, start_date=date(2025, 1, 1),
                                             end_date=date(2025, 2, 1))
    assert selectors.caseload_counts([shop.lcm.pk, other.pk]) == {shop.lcm.pk: 2, other.pk: 0}
    assert selectors.current_lead_care_manager(a1) == shop.lcm


def test_mark_discontinued_ends_the_lead_period_and_is_audited_once():
    shop = ecm_shop()
    assignment = assign()
    LeadCareManagerAssignment.objects.create(assignment=assignment, care_manager=shop.lcm, start_date=date(2025, 1, 1))
    services.mark_discontinued(assignment, actor=shop.staff, on=date(2025, 7, 1), reason="Graduated")
    services.mark_discontinued(assignment, actor=shop.staff, on=date(2025, 7, 2), reason="again")
    enrollment = Enrollment.objects.get(assignment=assignment)
    assert (enrollment.status, enrollment.discontinued_on, enrollment.reason) == (
        "DISCONTINUED", date(2025, 7, 1), "Graduated")
    assert selectors.enrollment_status(assignment) == "DISCONTINUED"
    assert selectors.current_lead_care_manager(assignment) is None
    assert LeadCareManagerAssignment.objects.get(assignment=assignment).end_date == date(2025, 7, 1)
    assert AuditEvent.objects.filter(object_type="Enrollment", person_id=assignment.member_id).count() == 1
