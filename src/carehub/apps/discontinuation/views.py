"""Discontinuation pages: the provider records a reason with evidence; the plan's care coordination reviews the
queue (confirm or send back) and tracks transitions on the 30-day clock; the member's "My ECM" page with a
request to stop ECM. Views parse, authorize (carehub.web.navigation.allowed) and call services."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.discontinuation import portal, selectors, services
from carehub.apps.discontinuation.models import Discontinuation, Status
from carehub.apps.members.selectors import audited_member, member_by_person_id_or_cin
from carehub.domain.discontinuation import EVIDENCE_MAX_BYTES, TRANSITION_SOURCE, Reason
from carehub.web.navigation import allowed
from carehub.web.problems import refused

PLAN_KEY = "discontinuations"
PROVIDER_KEY = "ecm-discontinuation"
MEMBER_KEY = "my-ecm"
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def _require(request: HttpRequest, key: str) -> None:
    if not allowed(request.user.role, key):
        raise PermissionDenied


def _reason_rows() -> list[dict]:
    return [{"code": r.value, "label": rule.label, "source": rule.source, "needs_notice": rule.needs_notice,
             "needs_evidence": rule.needs_evidence, "hint": rule.evidence_hint,
             "plans_transition": rule.plans_transition} for r, rule in services.reasons().items()]


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The plan's review queue (oldest first) and the transitions due within 30 days (overdue first)."""
    _require(request, PLAN_KEY)
    items, lines = selectors.audited_queue(request.user, route=request.path)
    return render(request, "discontinuation/queue.html", {
        "items": items, "lines": lines, "overdue": sum(line.state == "OVERDUE" for line in lines),
        "transition_source": TRANSITION_SOURCE, "days": services.transition_days(), "reasons": _reason_rows()})


@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    """Plan staff record a discontinuation the plan learned of (the member phoned the plan to stop ECM, a death or
    a loss of eligibility in the plan's files); it waits in the queue like a provider's request."""
    _require(request, PLAN_KEY)
    found = member_by_person_id_or_cin(request.user, request.POST.get("person_id", ""))
    member = audited_member(request.user, found.person_id, route=request.path) if found is not None else None
    assignment = portal.open_assignment(member) if member is not None else None
    if assignment is None:
        return refused(request, "No open ECM assignment for that person id or CIN: copy either from member search.",
                       back=reverse("discontinuation:queue"))
    try:
        item = services.request_discontinuation(assignment, request.POST.get("reason", ""), actor=request.user,
                                                evidence=request.POST.get("evidence", ""))
    except services.DiscontinuationError as problem:
        return refused(request, str(problem), back=reverse("discontinuation:queue"))
    return redirect("discontinuation:detail", item_id=item.pk)


def _provider_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    assignments, requests = selectors.audited_provider_page(request.user, route=request.path)
    return render(request, "discontinuation/provider.html", {
        "assignments": assignments, "requests": requests, "reasons": _reason_rows(), "error": error,
        "max_mb": EVIDENCE_MAX_BYTES // (1024 * 1024), "posted": request.POST,
        "selected": request.POST.get("assignment", "") or request.GET.get("assignment", "")}, status=status)


@require_GET
def provider(request: HttpRequest) -> HttpResponse:
    _require(request, PROVIDER_KEY)
    return _provider_page(request)


@require_POST
def new(request: HttpRequest) -> HttpResponse:
    """The provider records a reason with evidence (text and an optional PDF/PNG/JPEG file)."""
    _require(request, PROVIDER_KEY)
    try:
        assignment_id = int(request.POST.get("assignment", ""))
    except ValueError:
        return _provider_page(request, error="choose the member", status=400)
    assignment = selectors.audited_assignment_for_request(request.user, assignment_id, route=request.path)
    if assignment is None:
        raise Http404
    upload = request.FILES.get("evidence_file")
    try:
        item = services.request_discontinuation(
            assignment, request.POST.get("reason", ""), actor=request.user,
            evidence=request.POST.get("evidence", ""),
            evidence_file=services.EvidenceFile.from_upload(upload) if upload else None)
    except services.DiscontinuationError as problem:
        return _provider_page(request, error=str(problem), status=400)
    return redirect("discontinuation:detail", item_id=item.pk)


def _scoped(request: HttpRequest, item_id: int) -> Discontinuation:
    if request.user.is_member:
        raise PermissionDenied
    item = selectors.audited_discontinuation(request.user, item_id, route=request.path)
    if item is None:
        raise Http404
    return item


def _actions(request: HttpRequest, item: Discontinuation) -> dict[str, bool]:
    """Which of the detail page's forms this user may use on this discontinuation now."""
    plan, provider = allowed(request.user.role, PLAN_KEY), allowed(request.user.role, PROVIDER_KEY)
    return {"can_review": plan and item.status == Status.REQUESTED, "can_withdraw": plan and item.ending,
            "can_complete": ((plan or provider) and item.transition_due_on is not None
                             and item.transition_completed_on is None)}


@require_GET
def detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _scoped(request, item_id)
    today = timezone.localdate()
    version, goals = (selectors.care_plan_goals(item) if request.user.is_plan_staff and item.reason == Reason.GRADUATED
                      else (None, []))
    return render(request, "discontinuation/detail.html", {
        "plan_version": version, "goals": goals, "unmet": sum(not g.met for g in goals),
        "item": item, "rule": services.reasons()[Reason(item.reason)], "advance_days": services.advance_notice_days(),
        **_actions(request, item),
        "overdue": bool(item.transition_due_on and item.transition_completed_on is None
                        and today > item.transition_due_on),
        "error": request.GET.get("error", "")})


@require_GET
def evidence(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _scoped(request, item_id)
    if not item.has_file:
        raise Http404
    record(actor=request.user, action=Action.EXPORT, object_type="DiscontinuationEvidence", object_id=str(item.pk),
           person_id=item.member_id, route=request.path, detail={"sha256": item.evidence_sha256})
    response = HttpResponse(bytes(item.evidence_file), content_type=item.evidence_content_type)
    extension = EXTENSIONS.get(item.evidence_content_type, "bin")
    response["Content-Disposition"] = f'attachment; filename="evidence-{item.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _review(request: HttpRequest, item_id: int, action, keys: tuple[str, ...] = (PLAN_KEY,)) -> HttpResponse:
    if not any(allowed(request.user.role, key) for key in keys):
        raise PermissionDenied
    item = _scoped(request, item_id)
    try:
        action(item)
    except services.DiscontinuationError as problem:
        item.refresh_from_db()
        return render(request, "discontinuation/detail.html", {  # the forms stay, to fix and send again
            "item": item, "rule": services.reasons()[Reason(item.reason)], "error": str(problem),
            "advance_days": services.advance_notice_days(), **_actions(request, item)}, status=400)
    return redirect("discontinuation:detail", item_id=item.pk)


@require_POST
def confirm(request: HttpRequest, item_id: int) -> HttpResponse:
    return _review(request, item_id, lambda item: services.confirm(
        item, actor=request.user, note=request.POST.get("note", ""),
        transition_to=request.POST.get("transition_to", "")))


@require_POST
def send_back(request: HttpRequest, item_id: int) -> HttpResponse:
    return _review(request, item_id, lambda item: services.send_back(
        item, request.POST.get("note", ""), actor=request.user))


@require_POST
def withdraw(request: HttpRequest, item_id: int) -> HttpResponse:
    return _review(request, item_id, lambda item: services.withdraw(
        item, request.POST.get("note", ""), actor=request.user))


@require_POST
def complete_transition(request: HttpRequest, item_id: int) -> HttpResponse:
    return _review(request, item_id, lambda item: services.complete_transition(
        item, actor=request.user, transition_to=request.POST.get("transition_to", ""),
        note=request.POST.get("note", "")), keys=(PLAN_KEY, PROVIDER_KEY))


@require_GET
def my_ecm(request: HttpRequest) -> HttpResponse:
    """The member's own ECM page."""
    _require(request, MEMBER_KEY)
    page = portal.my_ecm(request.user, route=request.path)
    if page is None:
        raise Http404
    return render(request, "discontinuation/my_ecm.html", {"page": page, "t": page.text,
                                                           "acknowledged": request.GET.get("sent") == "stop"})


@require_POST
def stop(request: HttpRequest) -> HttpResponse:
    """The member asks to stop ECM (seed 000 II.i: at any time); acknowledged on the page."""
    _require(request, MEMBER_KEY)
    member = request.user.member
    if member is None:
        raise Http404
    assignment = portal.open_assignment(member)
    if assignment is None:
        return redirect("discontinuation:my-ecm")
    # A request already waiting for the plan is refused; the page says it is pending.
    with contextlib.suppress(services.DiscontinuationError):
        services.request_discontinuation(assignment, Reason.MEMBER_WISH, actor=request.user,
                                         evidence=request.POST.get("reason", ""))
    return redirect("/discontinuation/my-ecm/?sent=stop")
