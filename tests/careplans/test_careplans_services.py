"""Care plan services: assessments on the plan's template, complete plans only, LTSS elements, immutable versions,
member update requests and their notifications, all audited."""

from __future__ import annotations

import pytest
from careplans_helpers import NPI_A, NPI_B, assigned_member, complete_content, ecm_org, lcm
from django.db import transaction
from django.utils import timezone
from factories import completed_assessment, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.careplans import services
from carehub.apps.careplans.models import (
    AssessmentTemplate,
    CarePlan,
    CarePlanVersion,
    ImmutableVersion,
    UpdateRequest,
)
from carehub.apps.members.models import Assessment as LoadedAssessment
from carehub.apps.notifications.models import Notification
from carehub.domain import careplan_template as templates

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return ecm_org(NPI_A)


@pytest.fixture
def writer(org):
    return lcm(org)


def _all_required_answers(template: AssessmentTemplate, ltss: str = "no") -> dict[str, str]:
    answers = {}
    for section in template.content["sections"]:
        for q in section["questions"]:
            if q.get("required"):
                value = {"yesno": "yes", "choice": (q.get("choices") or [""])[0], "number": "1",
                         "date": "2026-01-01"}.get(q["type"], "answer")
                answers[templates.answer_key(section, q)] = ltss if q.get("sets") else value
    return answers


def test_default_template_is_loaded_once_and_checks_clean():
    first = services.ensure_default_template(actor=None)
    assert services.ensure_default_template(actor=None) == first
    assert (first.version, first.name) == (1, "Comprehensive assessment")
    assert templates.template_problems(first.content) == []


def test_a_new_template_version_retires_the_old_one_and_bad_ones_name_their_problems():
    services.ensure_default_template(actor=None)
    admin = make_user(Role.PLAN_ADMIN)
    content = templates.default_template()
    content["sections"][0]["questions"].append({"code": "pets", "text": "Pets at home", "type": "text"})
    import json
    made = services.save_template_version(json.dumps(content), actor=admin, note="pets")
    assert made.version == 2 and AssessmentTemplate.objects.filter(active=True).get() == made
    broken = {"name": "x", "sections": [{"code": "A", "title": "A", "domain": "PHYSICAL",
                                         "questions": [{"code": "q", "text": "?", "type": "essay"}]}]}
    with pytest.raises(services.CarePlanError) as error:
        services.save_template_version(json.dumps(broken), actor=admin)
    assert "section A, question q: type must be one of text, yesno, choice, number, date" in error.value.problems
    assert any(p.startswith("no section informs these care plan domains: Mental health") for p in
               error.value.problems)
    assert AssessmentTemplate.objects.count() == 2
    with pytest.raises(services.CarePlanError):
        services.save_template_version(json.dumps(content), actor=lcm(ecm_org(NPI_B)))


def test_assessment_shows_the_hra_and_records_completion_with_ltss_needs(writer):
    member = assigned_member()
    LoadedAssessment.objects.create(member=member, kind="HRA", value="LTSS referral: yes; falls: 2",
                                    assessed_on="2026-01-05", source="plan HRA", row_key="hra-1", row_hash="x")
    assessment = services.start_assessment(member, actor=writer)
    with pytest.raises(services.CarePlanError) as error:
        services.save_answers(assessment, {"PERSON.strengths": "Family"}, actor=writer, complete=True)
    assert "About the member: strengths, preferences and goals: In your own words, what would you most like to " \
           "change or achieve?" in error.value.problems
    done = services.save_answers(assessment, _all_required_answers(assessment.template, ltss="yes"), actor=writer,
                                 complete=True)
    assert done.status == "COMPLETED" and done.completed_by == writer and done.ltss_needs is True
    assert done.hra_shown == [{"value": "LTSS referral: yes; falls: 2", "assessed_on": "2026-01-05",
                               "source": "plan HRA"}]
    with pytest.raises(services.CarePlanError):
        services.save_answers(done, {}, actor=writer)
    plan = services.start_care_plan(member, actor=writer)
    assert plan.ltss_needs is True and plan.assessment == done


def test_only_the_assigned_provider_writes(writer):
    member = assigned_member(NPI_B)
    for actor in (writer, make_user(Role.PLAN_ADMIN)):
        with pytest.raises(services.CarePlanError):
            services.start_care_plan(member, actor=actor)
    assert CarePlan.objects.count() == 0


def test_finalize_requires_every_domain_and_names_what_is_missing(writer):
    plan = services.start_care_plan(assigned_member(), actor=writer)
    completed_assessment(plan.member)
    content = complete_content()
    content["domains"]["ORAL"]["goals"] = ""
    services.save_draft(plan, content, actor=writer)
    with pytest.raises(services.CarePlanError) as error:
        services.finalize(plan, actor=writer)
    assert error.value.problems == ["Oral health: missing the member's goals (in their words)"]
    assert CarePlanVersion.objects.count() == 0


def test_ltss_elements_are_required_for_members_with_ltss_needs(writer):
    plan = services.start_care_plan(assigned_member(), actor=writer)
    completed_assessment(plan.member)
    services.save_draft(plan, complete_content(), actor=writer, ltss_needs=True)
    with pytest.raises(services.CarePlanError) as error:
        services.finalize(plan, actor=writer)
    assert len(error.value.problems) == 7
    assert error.value.problems[-1] == ("LTSS person-centered planning (seed 004 (PHC MCCP2032) VI.D.5.b.3 g); "
                                        "42 CFR 438.208(c)): missing Alternative home and community-based "
                                        "settings considered with the member")
    services.save_draft(plan, complete_content(ltss=True), actor=writer, ltss_needs=True)
    assert services.finalize(plan, actor=writer).ltss_needs is True


def test_each_finalization_is_a_new_immutable_version_and_the_member_is_told(
        writer, django_capture_on_commit_callbacks):
    member = assigned_member()
    completed_assessment(member)
    plan = services.start_care_plan(member, actor=writer)
    services.save_draft(plan, complete_content(), actor=writer)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.finalize(plan, actor=writer, summary="first plan")
    with pytest.raises(services.CarePlanError, match="nothing changed since version 1"):
        services.finalize(plan, actor=writer)
    changed = complete_content()
    changed["domains"]["MENTAL"]["status"] = "MET"
    services.save_draft(plan, changed, actor=writer)
    second = services.finalize(plan, actor=writer)
    assert [v.number for v in plan.versions.all()] == [2, 1]
    first.refresh_from_db()
    assert first.content["domains"]["MENTAL"]["status"] == "IN_PROGRESS"
    assert second.content["domains"]["MENTAL"]["status"] == "MET"
    first.summary = "rewritten"
    with pytest.raises(ImmutableVersion), transaction.atomic():
        first.save()
    with pytest.raises(ImmutableVersion):
        first.delete()
    assert CarePlanVersion.objects.get(pk=first.pk).summary == "first plan"
    note = Notification.objects.get(kind="careplan.version")
    assert (note.recipient_member, note.link, note.subject) == (member, "/careplans/mine/", "Your care plan is ready")
    assert AuditEvent.objects.filter(object_type="CarePlanVersion", person_id=member.person_id).count() == 2


def test_member_asks_for_an_update_provider_is_notified_and_marks_it_done(writer, org,
                                                                          django_capture_on_commit_callbacks):
    member = assigned_member(preferred_language="spa")
    member_user = make_user(Role.MEMBER, member=member)
    with pytest.raises(services.CarePlanError, match="you do not have a care plan yet"):
        services.request_update(member, "more help", actor=member_user)
    plan = services.start_care_plan(member, actor=writer)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.request_update(member, "I moved; please update my housing goal", actor=member_user)
    note = Notification.objects.get(kind="careplan.update-request")
    assert note.recipient_org == org and "housing" not in note.body
    with pytest.raises(services.CarePlanError):
        services.request_update(member, "not mine", actor=make_user(Role.MEMBER, member=assigned_member()))
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_update_request(made, actor=writer, note="Housing goal updated in version 2")
    made.refresh_from_db()
    assert (made.status, made.done_by, made.care_plan) == ("DONE", writer, plan)
    done = Notification.objects.get(kind="careplan.update-done")
    assert (done.recipient_member, done.subject) == (member, "Su equipo de cuidado respondió a su pedido sobre el plan")
    assert UpdateRequest.objects.count() == 1


def test_an_unmet_goal_due_before_the_plan_started_or_decades_ahead_is_refused(writer):
    """A walk-through finalized a plan with a goal due 1999-01-01."""
    member = assigned_member()
    completed_assessment(member)
    plan = services.start_care_plan(member, actor=writer)
    started = timezone.localdate(plan.created_at)
    content = complete_content()
    content["domains"]["PHYSICAL"]["due_date"] = "1999-01-01"
    content["domains"]["ORAL"]["due_date"] = "2099-01-01"
    content["domains"]["MENTAL"].update(due_date="2020-03-01", status="MET")  # met long ago: fine
    services.save_draft(plan, content, actor=writer)
    with pytest.raises(services.CarePlanError) as error:
        services.finalize(plan, actor=writer)
    assert error.value.problems == [
        f"Physical health: the due date 1999-01-01 is before the care plan was started ({started.isoformat()}); "
        "set when the goal is now due",
        "Oral health: the due date 2099-01-01 is more than 5 years ahead; check the year"]
    content["domains"]["PHYSICAL"]["due_date"] = content["domains"]["ORAL"]["due_date"] = started.isoformat()
    services.save_draft(plan, content, actor=writer)
    assert services.finalize(plan, actor=writer).number == 1
    plan.refresh_from_db()
    assert plan.assessment is not None  # the plan is tied to the assessment it was finalized on
