"""Every write of the careplans app: assessment templates, comprehensive assessments, care plan drafts and
finalized versions, and the member's requests for an update. Each takes a keyword-only `actor`, runs in one
transaction and records an audit event; notifications go out after commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.careplans import selectors
from carehub.apps.careplans.models import (
    AssessmentStatus,
    AssessmentTemplate,
    CarePlan,
    CarePlanVersion,
    ComprehensiveAssessment,
    PlanStatus,
    RequestStatus,
    UpdateRequest,
)
from carehub.apps.consents.models import ConsentKind
from carehub.apps.consents.selectors import has_consent
from carehub.apps.members.models import Member
from carehub.apps.members.selectors import organization_npis
from carehub.apps.notices.letters import letter_language
from carehub.apps.notifications.services import notify_after_commit
from carehub.domain import careplan as policy
from carehub.domain import careplan_template as templates

# What the member is told, in their language (notices.letters.letter_language: Spanish or English).
# A sanity limit on a goal's due date (a typo in the year), not a policy rule: ECM authorizations run 6-12 months.
MAX_DUE_YEARS = 5

MEMBER_MESSAGES = {
    "en": {"ready": "Your care plan is ready", "updated": "Your care plan has been updated",
           "read": "You can read and download your care plan on your care plan page.",
           "answered": "Your care team answered your care plan request"},
    "es": {"ready": "Su plan de cuidado está listo", "updated": "Su plan de cuidado fue actualizado",
           "read": "Puede leer y descargar su plan de cuidado en la página de su plan.",
           "answered": "Su equipo de cuidado respondió a su pedido sobre el plan"},
}


class CarePlanError(ValueError):
    """A write the rules refuse; `problems` names every reason (e.g. each missing domain field)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


# ---- templates -------------------------------------------------------------------------------------------------

@transaction.atomic
def ensure_default_template(*, actor: Any) -> AssessmentTemplate:
    """The shipped default template as version 1 of its name, loaded once (idempotent)."""
    content = templates.default_template()
    existing = AssessmentTemplate.objects.filter(name=content["name"]).order_by("-version").first()
    if existing is not None:
        return existing
    made = AssessmentTemplate.objects.create(name=content["name"], version=1, content=content,
                                             note="Shipped default", created_at=timezone.now())
    record(actor=actor, action=Action.CREATE, object_type="AssessmentTemplate", object_id=str(made.pk),
           purpose="default assessment template", detail={"name": made.name, "version": 1})
    return made


@transaction.atomic
def save_template_version(text: str | bytes, *, actor: User, note: str = "") -> AssessmentTemplate:
    """A plan's edited or uploaded template becomes the next version of its name; older versions are retired
    (assessments keep the version they used). TemplateError lists the problems; nothing is saved then."""
    if not actor.is_plan_staff:
        raise CarePlanError("only plan staff edit assessment templates")
    try:
        content = templates.parse_template(text)
    except templates.TemplateError as error:
        raise CarePlanError("the template cannot be used", error.problems) from None
    name = str(content["name"]).strip()[:120]
    latest = AssessmentTemplate.objects.select_for_update().filter(name=name).aggregate(n=Max("version"))["n"]
    AssessmentTemplate.objects.filter(name=name).update(active=False)
    made = AssessmentTemplate.objects.create(name=name, version=(latest or 0) + 1, content=content,
                                             note=note.strip()[:300], created_at=timezone.now(), created_by=actor)
    record(actor=actor, action=Action.CREATE, object_type="AssessmentTemplate", object_id=str(made.pk),
           purpose="assessment template version", detail={"name": name, "version": made.version})
    return made


# ---- writer scope ----------------------------------------------------------------------------------------------

def _writer_npi(member: Member, actor: User) -> str:
    """The NPI under which provider staff work this member (an open assignment to their organization); plan staff,
    members and providers without an open assignment may not write assessments or plans."""
    if not actor.is_provider_staff:
        raise CarePlanError("only the member's ECM provider writes assessments and care plans")
    npis = organization_npis(actor.organization_id)
    npi = Assignment.objects.filter(member_id=member.person_id, provider_npi__in=npis, status__in=OPEN_STATUSES) \
        .order_by("-assigned_at").values_list("provider_npi", flat=True).first()
    if npi is None:
        raise CarePlanError("the member is not assigned to your organization")
    return npi


# ---- comprehensive assessment ----------------------------------------------------------------------------------

@transaction.atomic
def start_assessment(member: Member, *, actor: User, template: AssessmentTemplate | None = None) \
        -> ComprehensiveAssessment:
    """Open a comprehensive assessment on the newest active template (the default is loaded if none)."""
    npi = _writer_npi(member, actor)
    template = template or (selectors.active_templates() or [ensure_default_template(actor=actor)])[0]
    assessment = ComprehensiveAssessment.objects.create(member=member, provider_npi=npi, template=template,
                                                        started_at=timezone.now(), started_by=actor)
    record(actor=actor, action=Action.CREATE, object_type="ComprehensiveAssessment", object_id=str(assessment.pk),
           person_id=member.person_id, detail={"template": str(template)})
    return assessment


@transaction.atomic
def save_answers(assessment: ComprehensiveAssessment, raw: dict[str, str], *, actor: User,
                 complete: bool = False, on: date | None = None) -> ComprehensiveAssessment:
    """Save answers; with `complete`, every required question must be answered, and the completion date, who,
    the LTSS finding and the HRA results shown are recorded. A completed assessment is not changed."""
    assessment = ComprehensiveAssessment.objects.select_for_update().select_related("template", "member") \
        .get(pk=assessment.pk)
    _writer_npi(assessment.member, actor)
    if assessment.status == AssessmentStatus.COMPLETED:
        raise CarePlanError("a completed assessment cannot be changed; start a reassessment")
    content = assessment.template.content
    answers, problems = templates.clean_answers(content, raw)
    if problems:
        raise CarePlanError("some answers are not valid", problems)
    if complete:
        missing = templates.unanswered(content, answers)
        if missing:
            raise CarePlanError("answer every required question before completing", missing)
        assessment.status = AssessmentStatus.COMPLETED
        assessment.completed_on = on or timezone.localdate()
        assessment.completed_at, assessment.completed_by = timezone.now(), actor
        assessment.ltss_needs = templates.has_ltss_needs(content, answers)
        assessment.hra_shown = [{"value": row.value, "assessed_on": row.assessed_on.isoformat(),
                                 "source": row.source} for row in selectors.hra_results(assessment.member)]
    assessment.answers = answers
    assessment.save()
    record(actor=actor, action=Action.UPDATE, object_type="ComprehensiveAssessment", object_id=str(assessment.pk),
           person_id=assessment.member_id,
           detail={"answered": len(answers), "completed": complete, "ltss_needs": assessment.ltss_needs})
    return assessment


# ---- care plan ---------------------------------------------------------------------------------------------------

@transaction.atomic
def start_care_plan(member: Member, *, actor: User) -> CarePlan:
    """Open the member's care plan with this provider, from their latest completed assessment (LTSS needs carry
    over). An open plan is returned as is."""
    npi = _writer_npi(member, actor)
    current = selectors.current_care_plan(member)
    if current is not None and current.provider_npi == npi:
        return current
    assessment = ComprehensiveAssessment.objects.filter(member_id=member.person_id,
                                                        status=AssessmentStatus.COMPLETED) \
        .order_by("-completed_on", "-pk").first()
    now = timezone.now()
    draft = _carried_over(current, member, npi)
    if current is not None:  # another provider's plan: closed here, its last version carried over
        CarePlan.objects.filter(pk=current.pk).update(closed_at=now)
    plan = CarePlan.objects.create(member=member, provider_npi=npi, assessment=assessment, draft=draft,
                                   ltss_needs=bool(assessment and assessment.ltss_needs), created_at=now,
                                   created_by=actor, updated_at=now)
    record(actor=actor, action=Action.CREATE, object_type="CarePlan", object_id=str(plan.pk),
           person_id=member.person_id, detail={"assessment": assessment.pk if assessment else None,
                                               "carried_from": current.pk if current else None})
    return plan


def _carried_over(previous: CarePlan | None, member: Member, npi: str) -> dict[str, Any]:
    """The content a new provider starts from: the previous provider's latest version, without the substance use
    domain unless the member's 42 CFR Part 2 consent names the new provider (what a Part 2 program disclosed to
    the old provider may not be redisclosed without it)."""
    latest = previous.latest_version() if previous is not None else None
    if latest is None:
        return policy.empty_content()
    content = clean_content(latest.content)
    if not has_consent(member, ConsentKind.PART2, provider_npi=npi):
        content["domains"]["SUD"] = {field: "" for field in (*policy.ENTRY_FIELDS, "care_manager_id")}
    return content


def clean_content(raw: dict[str, Any]) -> dict[str, Any]:
    """A plan content with only known domains, fields and LTSS elements, strings trimmed."""
    content = policy.empty_content()
    for code in policy.DOMAIN_CODES:
        entry = (raw.get("domains") or {}).get(code) or {}
        for field in (*policy.ENTRY_FIELDS, "care_manager_id"):
            content["domains"][code][field] = str(entry.get(field) or "").strip()[:4000]
    for code in policy.LTSS_ELEMENT_CODES:
        content["ltss"][code] = str((raw.get("ltss") or {}).get(code) or "").strip()[:4000]
    return content


def _field_problems(content: dict[str, Any], started_on: date | None = None) -> list[str]:
    """Malformed fields; with `started_on` (the day the plan was started), also an unmet goal due before it or
    more than MAX_DUE_YEARS ahead (a goal due in 1999 was finalized: found by a walk-through of the demo)."""
    problems = []
    for domain in policy.DOMAINS:
        entry = content["domains"][domain.code]
        if entry["due_date"]:
            try:
                due = date.fromisoformat(entry["due_date"])
            except ValueError:
                problems.append(f"{domain.label}: the due date must be a date (YYYY-MM-DD)")
                due = None
            if due is not None and started_on is not None and entry["status"] != policy.GoalStatus.MET:
                if due < started_on:
                    problems.append(f"{domain.label}: the due date {due.isoformat()} is before the care plan was "
                                    f"started ({started_on.isoformat()}); set when the goal is now due")
                elif due.year > started_on.year + MAX_DUE_YEARS:
                    problems.append(f"{domain.label}: the due date {due.isoformat()} is more than "
                                    f"{MAX_DUE_YEARS} years ahead; check the year")
        if entry["status"] and entry["status"] not in policy.GoalStatus.__members__:
            problems.append(f"{domain.label}: unknown status {entry['status']!r}")
    return problems


@transaction.atomic
def save_draft(plan: CarePlan, raw: dict[str, Any], *, actor: User, ltss_needs: bool | None = None) -> CarePlan:
    """Save the working draft (incomplete is fine; finalizing checks completeness)."""
    plan = CarePlan.objects.select_for_update().select_related("member").get(pk=plan.pk)
    _check_open_writer(plan, actor)
    content = clean_content(raw)
    problems = _field_problems(content)
    if problems:
        raise CarePlanError("some fields are not valid", problems)
    plan.draft = content
    if ltss_needs is not None:
        plan.ltss_needs = ltss_needs
    plan.updated_at = timezone.now()
    plan.save(update_fields=["draft", "ltss_needs", "updated_at"])
    record(actor=actor, action=Action.UPDATE, object_type="CarePlan", object_id=str(plan.pk),
           person_id=plan.member_id, detail={"draft": True, "ltss_needs": plan.ltss_needs})
    return plan


def _check_open_writer(plan: CarePlan, actor: User) -> None:
    if plan.closed_at is not None:
        raise CarePlanError("this care plan is closed")
    if _writer_npi(plan.member, actor) != plan.provider_npi:
        raise CarePlanError("only the provider that holds this care plan can change it")


@transaction.atomic
def finalize(plan: CarePlan, *, actor: User, summary: str = "") -> CarePlanVersion:
    """Freeze the draft as the next version. Every domain must be addressed and, for members with LTSS needs,
    every person-centered planning element written (CarePlanError lists what is missing). The member is told a
    new copy is ready."""
    plan = CarePlan.objects.select_for_update().select_related("member").get(pk=plan.pk)
    _check_open_writer(plan, actor)
    assessment = (ComprehensiveAssessment.objects.filter(member_id=plan.member_id, status=AssessmentStatus.COMPLETED)
                  .order_by("-completed_on", "-pk").first())
    content = clean_content(plan.draft)
    missing = (_field_problems(content, timezone.localdate(plan.created_at))
               + policy.missing_items(content, ltss_needs=plan.ltss_needs))
    if assessment is None:  # seed 004 VI.D.5: the plan is built on the comprehensive assessment
        raise CarePlanError("complete the member's comprehensive assessment before finalizing the care plan",
                            ["the comprehensive assessment is not completed", *missing])  # all at once
    if missing:
        raise CarePlanError("the care plan is not complete", missing)
    if plan.assessment_id is None:  # started before the assessment was completed
        plan.assessment = assessment
        plan.save(update_fields=["assessment"])
    latest = plan.latest_version()
    if latest is not None and latest.content == content and latest.ltss_needs == plan.ltss_needs:
        raise CarePlanError(f"nothing changed since version {latest.number}")
    version = CarePlanVersion.objects.create(
        care_plan=plan, number=(latest.number + 1) if latest else 1, content=content, ltss_needs=plan.ltss_needs,
        finalized_at=timezone.now(), finalized_by=actor, summary=summary.strip()[:300])
    plan.status, plan.updated_at = PlanStatus.FINAL, version.finalized_at
    plan.save(update_fields=["status", "updated_at"])
    changed = len(policy.diff_content(latest.content, content)) if latest else None
    record(actor=actor, action=Action.CREATE, object_type="CarePlanVersion", object_id=f"{plan.pk}/{version.number}",
           person_id=plan.member_id, detail={"fields_changed": changed, "ltss_needs": plan.ltss_needs})
    text = MEMBER_MESSAGES[letter_language(plan.member.preferred_language)]
    notify_after_commit(actor=actor, kind="careplan.version", member=plan.member, person_id=plan.member_id,
                        subject=text["updated" if latest else "ready"], body=text["read"],
                        link="/careplans/mine/", dedupe_key=f"careplan-version-{plan.pk}-{version.number}")
    return version


# ---- member requests ---------------------------------------------------------------------------------------------

@transaction.atomic
def request_update(member: Member, text: str, *, actor: User) -> UpdateRequest:
    """The member asks for their care plan to be updated; their provider is notified (seed 004 VI.D.5.b.3.f)."""
    if not (actor.is_member and actor.member_id == member.pk):
        raise CarePlanError("only the member asks for an update to their own care plan")
    text = text.strip()[:2000]
    if not text:
        raise CarePlanError("say what you would like changed")
    plan = selectors.current_care_plan(member)
    if plan is None:
        raise CarePlanError("you do not have a care plan yet")
    made = UpdateRequest.objects.create(care_plan=plan, member=member, text=text, requested_at=timezone.now(),
                                        requested_by=actor)
    record(actor=actor, action=Action.CREATE, object_type="CarePlanUpdateRequest", object_id=str(made.pk),
           person_id=member.person_id)
    if plan.provider_npi:
        notify_after_commit(actor=actor, kind="careplan.update-request", npi=plan.provider_npi,
                            person_id=member.person_id, subject="A member asked for a care plan update",
                            body="Open the member's care plan to see the request.",
                            link=f"/careplans/member/{member.person_id}/",
                            dedupe_key=f"careplan-update-request-{made.pk}")
    return made


@transaction.atomic
def complete_update_request(update: UpdateRequest, *, actor: User, note: str = "") -> UpdateRequest:
    """The provider marks the member's request done, saying what they did."""
    update = UpdateRequest.objects.select_for_update().select_related("care_plan", "member").get(pk=update.pk)
    _writer_npi(update.member, actor)
    if update.status == RequestStatus.DONE:
        raise CarePlanError("this request is already done")
    update.status, update.done_at, update.done_by = RequestStatus.DONE, timezone.now(), actor
    update.done_note = note.strip()[:2000]
    update.save(update_fields=["status", "done_at", "done_by", "done_note"])
    record(actor=actor, action=Action.UPDATE, object_type="CarePlanUpdateRequest", object_id=str(update.pk),
           person_id=update.member_id, detail={"status": RequestStatus.DONE})
    text = MEMBER_MESSAGES[letter_language(update.member.preferred_language)]
    notify_after_commit(actor=actor, kind="careplan.update-done", member=update.member, person_id=update.member_id,
                        subject=text["answered"], body=update.done_note,
                        link="/careplans/mine/", dedupe_key=f"careplan-update-done-{update.pk}")
    return update
