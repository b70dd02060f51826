"""Cross-app interfaces: current_care_plan and reassessment_due_dates."""

from __future__ import annotations

from datetime import date

import pytest
from careplans_helpers import authorize
from django.utils import timezone
from factories import make_member

from carehub.apps.authorizations.models import AuthorizationKind
from carehub.apps.careplans.models import AssessmentStatus, AssessmentTemplate, CarePlan, ComprehensiveAssessment
from carehub.apps.careplans.selectors import current_care_plan, reassessment_due_dates

pytestmark = pytest.mark.django_db


def _assessed(member, on: date) -> None:
    template = AssessmentTemplate.objects.get_or_create(
        name="t", version=1, defaults={"content": {}, "created_at": timezone.now()})[0]
    ComprehensiveAssessment.objects.create(member=member, template=template, status=AssessmentStatus.COMPLETED,
                                           started_at=timezone.now(), completed_on=on)


def test_current_care_plan_is_the_newest_open_plan():
    member = make_member()
    assert current_care_plan(member) is None
    now = timezone.now()
    old = CarePlan.objects.create(member=member, created_at=now, updated_at=now, closed_at=now)
    assert current_care_plan(member) is None
    plan = CarePlan.objects.create(member=member, created_at=now, updated_at=now)
    assert current_care_plan(member) == plan != old


def test_reassessment_due_dates_by_kind_of_authorization(django_assert_num_queries):
    presumptive, continuity, reviewed, reassessed, nothing = (make_member() for _ in range(5))
    authorize(presumptive, date(2026, 1, 15), kind=AuthorizationKind.PRESUMPTIVE)
    authorize(continuity, date(2026, 2, 1), kind=AuthorizationKind.CONTINUITY)
    authorize(reviewed, date(2026, 1, 15))
    authorize(reassessed, date(2026, 1, 15), kind=AuthorizationKind.CONTINUITY)
    _assessed(reassessed, date(2026, 4, 1))
    ids = [m.person_id for m in (presumptive, continuity, reviewed, reassessed, nothing)]
    with django_assert_num_queries(2):
        dues = reassessment_due_dates(ids)
    assert dues == {presumptive.person_id: date(2026, 7, 14), continuity.person_id: date(2026, 7, 31),
                    reviewed.person_id: date(2027, 1, 15), reassessed.person_id: date(2027, 4, 1)}


def test_the_plan_cycle_comes_from_settings(settings):
    settings.CAREHUB_CAREPLAN = {"reassessment_cycle_months": 6}
    member = make_member()
    authorize(member, date(2026, 1, 15))
    assert reassessment_due_dates([member.person_id]) == {member.person_id: date(2026, 7, 15)}
