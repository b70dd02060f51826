"""Care plan pages for provider and plan staff: the worklist (reassessments due, members' update requests), a
member's assessments and care plans, the assessment form, the care plan editor, version history with differences,
PDF copies, and the plan's assessment templates. Views parse, authorize and call services; selectors scope and
audit every read. The member's own pages are in member_views.py."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carehub.apps.careplans import documents, selectors, services
from carehub.apps.careplans.models import AssessmentTemplate, CarePlan, CarePlanVersion, UpdateRequest
from carehub.apps.notices.letters import LETTER_LANGUAGES, letter_language
from carehub.apps.providers.models import CareManager
from carehub.domain import careplan as policy
from carehub.domain import careplan_template as templates
from carehub.domain.digits import ascii_digits
from carehub.web.navigation import allowed

WORKLIST_KEY = "careplans"
TEMPLATES_KEY = "assessment-templates"


def _require(request: HttpRequest, key: str) -> None:
    if not request.user.is_authenticated or not allowed(request.user.role, key):
        raise PermissionDenied


def _problem(request: HttpRequest, error: services.CarePlanError) -> None:
    messages.error(request, str(error) + (": " + "; ".join(error.problems) if error.problems else ""))


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Reassessments overdue or due soon, and open member requests for an update."""
    _require(request, WORKLIST_KEY)
    lines = selectors.audited_worklist(request.user, route=request.path)
    return render(request, "careplans/worklist.html", {
        "lines": lines, "requests": selectors.open_update_requests(request.user),
        "caseload": selectors.audited_caseload(request.user, route=request.path),
        "soon_days": selectors.plan_settings()["due_soon_days"]})


def _member(request: HttpRequest, person_id: str):
    member = selectors.audited_member(request.user, person_id, route=request.path)
    if member is None:
        raise Http404
    return member


@require_GET
def member_file(request: HttpRequest, person_id: str) -> HttpResponse:
    """The member's HRA results, assessments, care plans and requests."""
    _require(request, WORKLIST_KEY)
    member = _member(request, person_id)
    context = selectors.member_file(request.user, member)
    current = context["current"]
    return render(request, "careplans/member.html", {
        **context, "member": member, "can_write": request.user.is_provider_staff,
        "versions": list(current.versions.all()) if current else []})


@require_POST
def new_assessment(request: HttpRequest, person_id: str) -> HttpResponse:
    _require(request, WORKLIST_KEY)
    member = _member(request, person_id)
    try:
        assessment = services.start_assessment(member, actor=request.user)
    except services.CarePlanError as error:
        _problem(request, error)
        return redirect("careplans:member", person_id=person_id)
    return redirect("careplans:assessment", assessment_id=assessment.pk)


@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Answer the template's questions; the plan's HRA results are shown beside them."""
    _require(request, WORKLIST_KEY)
    found = selectors.audited_assessment(request.user, assessment_id, route=request.path)
    if found is None:
        raise Http404
    status = 200
    answers = found.answers
    if request.method == "POST":
        raw = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        try:
            services.save_answers(found, raw, actor=request.user, complete="complete" in request.POST)
            messages.success(request, "Assessment saved.")
            return redirect("careplans:assessment", assessment_id=found.pk)
        except services.CarePlanError as error:
            _problem(request, error)
            answers, status = raw, 400
    sections = [{**section, "questions": [{**q, "key": templates.answer_key(section, q),
                                           "answer": answers.get(templates.answer_key(section, q), "")}
                                          for q in section["questions"]]}
                for section in found.template.content["sections"]]
    return render(request, "careplans/assessment.html", {
        "assessment": found, "member": found.member, "sections": sections,
        "hra": selectors.hra_results(found.member) if found.status == "DRAFT" else None,
        "editable": found.status == "DRAFT" and request.user.is_provider_staff}, status=status)


@require_POST
def new_plan(request: HttpRequest, person_id: str) -> HttpResponse:
    _require(request, WORKLIST_KEY)
    member = _member(request, person_id)
    try:
        plan = services.start_care_plan(member, actor=request.user)
    except services.CarePlanError as error:
        _problem(request, error)
        return redirect("careplans:member", person_id=person_id)
    return redirect("careplans:plan", plan_id=plan.pk)


def content_from_post(post: Any) -> dict[str, Any]:
    """The editor's fields: d-<DOMAIN>-<field> per domain, ltss-<ELEMENT> per LTSS element. A Lead Care Manager
    picked from the roster is written into `responsible` by name (free text stays as typed)."""
    roster = {str(cm.pk): cm for cm in CareManager.objects.filter(
        pk__in=[v for k, v in post.items() if k.endswith("-care_manager_id") and ascii_digits(v)])}
    domains = {}
    for code in policy.DOMAIN_CODES:
        entry = {field: post.get(f"d-{code}-{field}", "") for field in (*policy.ENTRY_FIELDS, "care_manager_id")}
        manager = roster.get(entry["care_manager_id"])
        if manager is not None and manager.name not in entry["responsible"]:
            entry["responsible"] = "; ".join(filter(None, [f"{manager.name} ({manager.get_role_display()})",
                                                           entry["responsible"].strip()]))
        domains[code] = entry
    return {"domains": domains, "ltss": {code: post.get(f"ltss-{code}", "") for code in policy.LTSS_ELEMENT_CODES}}


def _plan(request: HttpRequest, plan_id: int) -> CarePlan:
    plan = selectors.audited_care_plan(request.user, plan_id, route=request.path)
    if plan is None:
        raise Http404
    return plan


@require_http_methods(["GET", "POST"])
def plan_editor(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Edit the draft; "finalize" saves it and freezes it as a new version (missing items are named)."""
    _require(request, WORKLIST_KEY)
    plan = _plan(request, plan_id)
    status = 200
    if request.method == "POST":
        try:
            services.save_draft(plan, content_from_post(request.POST), actor=request.user,
                                ltss_needs=request.POST.get("ltss_needs") == "on")
            if "finalize" in request.POST:
                version = services.finalize(plan, actor=request.user, summary=request.POST.get("summary", ""))
                messages.success(request, f"Version {version.number} finalized; the member can download it.")
            else:
                messages.success(request, "Draft saved.")
            return redirect("careplans:plan", plan_id=plan.pk)
        except services.CarePlanError as error:
            _problem(request, error)
            status = 400
        plan.refresh_from_db()
    draft = services.clean_content(plan.draft or policy.empty_content())
    rows = [{"domain": d, "entry": draft["domains"][d.code]} for d in policy.DOMAINS]
    ltss = [{"element": e, "text": draft["ltss"][e.code]} for e in policy.LTSS_ELEMENTS]
    return render(request, "careplans/plan.html", {
        "plan": plan, "member": plan.member, "rows": rows, "ltss": ltss, "versions": list(plan.versions.all()),
        "statuses": list(policy.GOAL_STATUS_LABELS["en"].items()),
        "roster": CareManager.objects.filter(provider__npi=plan.provider_npi, active=True),
        "missing": policy.missing_items(draft, ltss_needs=plan.ltss_needs),
        "unfinalized": _unfinalized(plan, draft),
        "editable": request.user.is_provider_staff and plan.closed_at is None}, status=status)


def _unfinalized(plan: CarePlan, draft: dict[str, Any]) -> int | None:
    """How many fields the draft changes since the latest version (None when there is no version yet)."""
    latest = plan.latest_version()
    return len(policy.diff_content(latest.content, draft)) if latest is not None else None


@require_GET
def version(request: HttpRequest, plan_id: int, number: int) -> HttpResponse:
    """One finalized version and what changed since the one before."""
    _require(request, WORKLIST_KEY)
    found = selectors.audited_version(request.user, plan_id, number, route=request.path)
    if found is None:
        raise Http404
    previous = CarePlanVersion.objects.filter(care_plan_id=plan_id, number=number - 1).first()
    changes = policy.diff_content(previous.content, found.content) if previous else []
    context = documents.version_context(found, "en")
    return render(request, "careplans/version.html", {
        **context, "plan": found.care_plan, "previous": previous, "changes": changes,
        "languages": LETTER_LANGUAGES, "member_language": letter_language(found.care_plan.member.preferred_language)})


def pdf_response(found: CarePlanVersion, language: str) -> HttpResponse:
    rendered = documents.render_version(found, language)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(found, language)}"'
    return response


@require_GET
def version_pdf(request: HttpRequest, plan_id: int, number: int) -> HttpResponse:
    _require(request, WORKLIST_KEY)
    found = selectors.audited_version(request.user, plan_id, number, route=request.path)
    if found is None:
        raise Http404
    language = request.GET.get("lang") or letter_language(found.care_plan.member.preferred_language)
    if language not in LETTER_LANGUAGES:
        raise Http404
    return pdf_response(found, language)


@require_POST
def request_done(request: HttpRequest, request_id: int) -> HttpResponse:
    """The provider marks a member's update request done."""
    _require(request, WORKLIST_KEY)
    update = selectors.own_records(request.user, UpdateRequest.objects.filter(
        pk=request_id, member__in=selectors.care_plan_members(request.user)), "care_plan__provider_npi").first()
    if update is None:
        raise Http404
    try:
        services.complete_update_request(update, actor=request.user, note=request.POST.get("note", ""))
        messages.success(request, "Request marked done; the member is told.")
    except services.CarePlanError as error:
        _problem(request, error)
    return redirect(request.POST.get("next") or reverse("careplans:worklist"))


@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    """The plan's assessment templates: every version, the JSON to download or edit, and a new version from an
    upload or the edited text."""
    _require(request, TEMPLATES_KEY)
    services.ensure_default_template(actor=request.user)
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = upload.read() if upload is not None else request.POST.get("content", "")
        try:
            made = services.save_template_version(text, actor=request.user, note=request.POST.get("note", ""))
            messages.success(request, f"Saved {made}.")
            return redirect("careplans:templates")
        except services.CarePlanError as error:
            _problem(request, error)
            status = 400
    rows = list(AssessmentTemplate.objects.order_by("name", "-version"))
    current = selectors.active_templates()
    return render(request, "careplans/templates.html", {
        "rows": rows, "current": current,
        "editing": json.dumps(current[0].content, indent=2, ensure_ascii=False) if current else ""},
        status=status)


@require_GET
def template_json(request: HttpRequest, template_id: int) -> HttpResponse:
    _require(request, TEMPLATES_KEY)
    found = AssessmentTemplate.objects.filter(pk=template_id).first()
    if found is None:
        raise Http404
    response = HttpResponse(json.dumps(found.content, indent=2, ensure_ascii=False),
                            content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="assessment-template-v{found.version}.json"'
    return response
