"""Readiness pages (seed 002): the provider's self-assessment by program area with evidence uploads, and for plan
provider relations the compliance marks, the verdict with reasons and dated check-ins on the same page."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from carehub.apps.providers import readiness, selectors, services
from carehub.apps.providers.models import ProviderOrganization, ReadinessEvidence
from carehub.apps.providers.services import NetworkError
from carehub.domain.digits import ascii_digits
from carehub.domain.network import EFFORT_LEVELS, EFFORT_NEEDS_PLAN, READINESS_VERDICTS, effort_summary, readiness_areas
from carehub.web.navigation import allowed

READINESS_KEY = "readiness"


def _provider_for(request: HttpRequest, npi: str) -> ProviderOrganization:
    provider = ProviderOrganization.objects.filter(npi=npi).first()
    if provider is None:
        raise Http404
    if allowed(request.user.role, "network"):
        return provider
    if allowed(request.user.role, READINESS_KEY) and services.is_own_provider(request.user, provider):
        return provider
    raise Http404  # another provider's application: as if it did not exist


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A provider's staff land on their own application."""
    if not allowed(request.user.role, READINESS_KEY):
        raise PermissionDenied
    own = selectors.own_providers(request.user)
    if not own:
        return render(request, "providers/readiness_none.html")
    return redirect("providers:readiness", npi=own[0].npi)


def _act(request: HttpRequest, provider: ProviderOrganization) -> str:
    """Apply one posted action; returns what to tell the user."""
    action, user = request.POST.get("action", ""), request.user
    if action == "start":
        readiness.start_application(provider, actor=user)
        return "Application started"
    app = selectors.readiness_of(provider)
    if app is None:
        raise NetworkError("start the application first")
    if action == "answers":
        answers = {a.code: (request.POST.get(f"response-{a.code}", ""), request.POST.get(f"effort-{a.code}", ""))
                   for a in readiness_areas() if f"effort-{a.code}" in request.POST}
        return f"Saved {readiness.save_answers(app, answers, actor=user)} area(s)"
    if action == "submit":
        readiness.submit_application(app, actor=user)
        return "Application submitted"
    if action == "evidence":
        upload = request.FILES.get("file")
        if upload is None:
            raise NetworkError("choose a file to upload")
        if upload.size > readiness.evidence_max_bytes():
            raise NetworkError(f"the file is larger than {readiness.evidence_max_bytes() // (1024 * 1024)} MB")
        readiness.upload_evidence(app, filename=upload.name, content=upload.read(), area=request.POST.get("area", ""),
                                  actor=user)
        return "Evidence uploaded"
    if action == "remove-evidence":
        raw = request.POST.get("evidence", "")
        evidence = ReadinessEvidence.objects.filter(pk=int(raw), application=app).first() if ascii_digits(raw) else None
        if evidence is None:
            raise NetworkError("no such evidence file on this application")
        readiness.remove_evidence(evidence, actor=user)
        return "Evidence removed"
    if action == "compliant":
        value = {"yes": True, "no": False}.get(request.POST.get("compliant", ""))
        readiness.mark_compliant(app, request.POST.get("area", ""), value, actor=user)
        return "Compliance saved"
    if action == "verdict":
        readiness.decide(app, request.POST.get("verdict", ""), request.POST.get("reasons", ""), actor=user)
        return "Verdict saved"
    if action == "checkin":
        raw = request.POST.get("on", "")
        try:
            on = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise NetworkError("the check-in date must be YYYY-MM-DD") from None
        readiness.add_check_in(app, request.POST.get("note", ""), actor=user, on=on)
        return "Check-in noted"
    raise NetworkError("unknown action")


@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, npi: str) -> HttpResponse:
    provider = _provider_for(request, npi)
    problem = ""
    if request.method == "POST":
        try:
            message = _act(request, provider)
            messages.success(request, message)
            return redirect(request.path)
        except NetworkError as error:
            problem = str(error)
    app = selectors.readiness_of(provider)
    answers = {a.area: a for a in app.answers.all()} if app else {}
    rows = [(area, answers.get(area.code)) for area in readiness_areas()]
    check_ins = list(app.check_ins.all()) if app else []
    is_plan = services.manages_network(request.user)
    return render(request, "providers/readiness.html", {
        "provider": provider, "app": app, "rows": rows, "evidence": list(app.evidence.all()) if app else [],
        "check_ins": check_ins, "is_plan": is_plan,
        "can_edit": services.speaks_for(request.user, provider), "efforts": EFFORT_LEVELS,
        "needs_plan": EFFORT_NEEDS_PLAN, "verdicts": READINESS_VERDICTS,
        "summary": effort_summary([a.effort for a in answers.values()]),
        "next_check_in": readiness.next_check_in(app, check_ins[0].on if check_ins else None) if app else None,
        "problem": problem}, status=400 if problem else 200)


@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = ReadinessEvidence.objects.select_related("application__provider").filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    provider = _provider_for(request, evidence.application.provider.npi)
    if not services.speaks_for(request.user, provider):
        raise Http404
    handle = readiness.open_evidence(evidence, actor=request.user)
    return FileResponse(handle, as_attachment=True, filename=evidence.filename, content_type=evidence.content_type)


@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Provider relations: every readiness application, those asking for most help first, overdue check-ins
    flagged."""
    if not allowed(request.user.role, "network"):
        raise PermissionDenied
    verdict = request.GET.get("verdict", "") if request.GET.get("verdict", "") in READINESS_VERDICTS else ""
    page, rows = selectors.readiness_page(verdict, request.GET.get("page") or 1)
    return render(request, "providers/readiness_review.html", {
        "page": page, "rows": rows, "verdict": verdict, "verdicts": READINESS_VERDICTS,
        "query": f"verdict={verdict}" if verdict else ""})
