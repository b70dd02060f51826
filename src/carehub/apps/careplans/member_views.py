"""The member's own care plan pages: read the latest version, download it as a PDF in their language, and ask
for an update (seed 004 VI.D.5.c.4 and VI.D.5.b.3.f). The member portal links here: `careplans:mine` for the
page and `careplans:mine-pdf` for the PDF of the current plan's latest version."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carehub.apps.careplans import documents, selectors, services
from carehub.apps.careplans.models import CarePlanVersion, UpdateRequest
from carehub.apps.careplans.views import pdf_response
from carehub.apps.notices.letters import letter_language
from carehub.web.navigation import allowed

MINE_KEY = "my-careplan"


def _own_member(request: HttpRequest):
    if not (request.user.is_authenticated and request.user.is_member and allowed(request.user.role, MINE_KEY)):
        raise PermissionDenied
    own = request.user.member
    member = selectors.audited_member(request.user, own.person_id if own else "", route=request.path)
    if member is None:
        raise Http404
    return member


def _latest(member) -> CarePlanVersion | None:
    plan = selectors.current_care_plan(member)
    return plan.latest_version() if plan else None


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The member's latest finalized care plan (drafts are not shown), in their language, and their requests."""
    member = _own_member(request)
    latest = _latest(member)
    language = letter_language(member.preferred_language)
    context = documents.version_context(latest, language) if latest else {"lang": language}
    return render(request, "careplans/mine.html", {
        **context, "member": member, "latest": latest,
        "requests": list(UpdateRequest.objects.filter(member_id=member.person_id)[:20]),
        "has_plan": selectors.current_care_plan(member) is not None})


@require_GET
def mine_pdf(request: HttpRequest) -> HttpResponse:
    """The PDF of the member's current care plan (latest version) in their preferred language."""
    member = _own_member(request)
    latest = _latest(member)
    if latest is None:  # a plan being written has no copy yet: the page says so
        messages.info(request, "Your care plan is not finished yet." if letter_language(member.preferred_language)
                      == "en" else "Su plan de cuidado todavía no está terminado.")
        return redirect("careplans:mine")
    if selectors.audited_version(request.user, latest.care_plan_id, latest.number, route=request.path) is None:
        raise Http404
    record_language = letter_language(member.preferred_language)
    return pdf_response(latest, request.GET.get("lang") if request.GET.get("lang") in ("en", "es")
                        else record_language)


@require_POST
def request_update(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    try:
        services.request_update(member, request.POST.get("text", ""), actor=request.user)
        messages.success(request, "Your request was sent to your care team.")
    except services.CarePlanError as error:
        messages.error(request, str(error))
    return redirect("careplans:mine")
