"""Demo data for care plans: the shipped assessment template, and for one member assigned to the demo Lead Care
Manager's organization (the demo member login's member when it is assigned there) a completed comprehensive
assessment and a finalized care plan, so the provider pages, the member's "My care plan" page and its PDF are not
empty. Idempotent: nothing new is written once that member has a care plan."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from carehub.apps.accounts.models import Role, User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.careplans import services
from carehub.apps.careplans.models import CarePlan
from carehub.apps.members.selectors import organization_npis
from carehub.domain import careplan as policy
from carehub.domain import careplan_template as templates

_GOALS = {
    "PHYSICAL": ("I want my diabetes under control so I can keep working.", "A1c above goal; no PCP visit in a year",
                 "Schedule PCP visit; medication review with pharmacist; glucose log"),
    "MENTAL": ("I want to sleep better and feel less worried.", "Anxiety symptoms; not connected to services",
               "Warm handoff to county behavioral health; check in weekly"),
    "COMMUNITY": ("I want a stable place to live.", "Staying with friends; at risk of losing housing",
                  "Referral to Housing Transition Navigation (Community Supports); CalFresh application"),
    "HEALTH_PROMOTION": ("I want to walk every day.", "Low activity", "Walking group at the community center"),
    "SUPPORTS": ("I want my sister to know what is going on.", "Sister helps with appointments",
                 "Add sister as authorized support person with the member's consent"),
}
_NO_NEED = "No current need identified in the comprehensive assessment (demo)."


def demo_content() -> dict:
    """A complete plan: goals in five domains, the others with a no-current-need reason."""
    content = policy.empty_content()
    due = (timezone.localdate() + timedelta(days=90)).isoformat()
    for code, entry in content["domains"].items():
        if code in _GOALS:
            goals, needs, strategies = _GOALS[code]
            entry.update(goals=goals, needs=needs, strategies=strategies, responsible="Lead Care Manager",
                         due_date=due, status="IN_PROGRESS")
        else:
            entry["no_need"] = _NO_NEED
    return content


def seed_demo_careplans(username: str = "lcm") -> int:
    """Write the demo assessment and care plan as the demo Lead Care Manager; returns 1 when written, 0 when
    already there or when that user or an open assignment to their organization is missing."""
    services.ensure_default_template(actor=None)
    user = User.objects.filter(username=username, role__in=(Role.ECM_PROVIDER_STAFF, Role.LEAD_CARE_MANAGER)).first()
    npis = organization_npis(user.organization_id) if user else []
    if not npis:
        return 0
    open_here = Assignment.objects.filter(provider_npi__in=npis, status__in=OPEN_STATUSES)
    login_member = User.objects.filter(role=Role.MEMBER, member__isnull=False).values_list(
        "member__person_id", flat=True).first()
    assignment = (open_here.filter(member_id=login_member).first() if login_member else None) \
        or open_here.order_by("assigned_at", "pk").first()
    if assignment is None or CarePlan.objects.filter(member_id=assignment.member_id).exists():
        return 0
    member = assignment.member
    assessment = services.start_assessment(member, actor=user)
    answers = {}
    for section in assessment.template.content["sections"]:
        for question in section["questions"]:
            if question.get("required"):
                answers[templates.answer_key(section, question)] = {
                    "yesno": templates.NO, "choice": (question.get("choices") or [""])[0], "number": "0",
                    "date": timezone.localdate().isoformat()}.get(question["type"], "Discussed with the member (demo)")
    services.save_answers(assessment, answers, actor=user, complete=True)
    plan = services.start_care_plan(member, actor=user)
    services.save_draft(plan, demo_content(), actor=user)
    services.finalize(plan, actor=user, summary="First care plan (demo)")
    return 1
