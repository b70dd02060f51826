"""The member's consents panel: /consents/<person_id>/ (list, add, revoke, signed forms, support persons).

Plan staff, the member, and staff of a provider the member is assigned or referred to see the panel
(selectors.audited_panel_member), scoped by consents.selectors;
plan staff and the member's assigned ECM provider record and revoke; the member revokes their own in writing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from carehub.apps.consents import selectors, services
from carehub.apps.consents.forms import ConsentForm, RevokeForm, SupportForm, UploadForm
from carehub.apps.consents.models import (
    Consent,
    ConsentKind,
    Purpose,
    RecipientClass,
    RevocationMethod,
    SupportPerson,
)
from carehub.apps.members.models import Member
from carehub.apps.members.selectors import organization_npis, today

MAX_UPLOAD_READ = 64 * 1024 * 1024  # never read more than this from a request, whatever the configured limit


def _member(request: HttpRequest, person_id: str) -> Member:
    member = selectors.audited_panel_member(request.user, person_id, route=request.path)
    if member is None:
        raise Http404
    return member


def _panel_url(member: Member) -> str:
    return f"/consents/{member.person_id}/"


def _problems(request: HttpRequest, problem: Exception) -> None:
    for line in getattr(problem, "problems", [str(problem)]):
        messages.error(request, line)


@login_required
def panel(request: HttpRequest, person_id: str) -> HttpResponse:
    member = _member(request, person_id)
    data = selectors.consent_panel(request.user, member, route=request.path)
    may_record = services.can_record(request.user, member)
    return render(request, "consents/panel.html", {
        "m": member, "panel": data, "may_record": may_record, "is_member": request.user.is_member,
        "revoke_form": RevokeForm(), "upload_form": UploadForm(), "today": today()})


@login_required
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest, person_id: str) -> HttpResponse:
    member = _member(request, person_id)
    if not services.can_record(request.user, member):
        raise Http404
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("form_file")
            try:
                services.record_consent(member, form.to_input(), actor=request.user,
                                        form=upload.read(MAX_UPLOAD_READ) if upload else None,
                                        form_name=upload.name if upload else "")
            except services.ConsentError as problem:
                _problems(request, problem)
            else:
                messages.success(request, "Consent recorded.")
                return redirect(_panel_url(member))
    else:
        own = organization_npis(request.user.organization_id) if request.user.is_provider_staff else []
        form = ConsentForm(initial={
            "kind": request.GET.get("kind", ConsentKind.DATA_SHARING), "signed_on": today(),
            "recipient_npis": ", ".join(own), "recipient_class": RecipientClass.CARE_TEAM if not own else "",
            "purpose": Purpose.TPO, "signer_name": member.display_name})
    return render(request, "consents/add.html", {"m": member, "form": form,
                                                 "ecm_providers": selectors.ecm_providers(member)})


@login_required
@require_POST
def revoke(request: HttpRequest, person_id: str, consent_id: int) -> HttpResponse:
    member = _member(request, person_id)
    consent = selectors.visible_consent(request.user, member, consent_id)
    if consent is None:
        raise Http404
    form = RevokeForm(request.POST)
    if request.user.is_member:
        # The member's own request through the portal is a written, electronic revocation.
        form = RevokeForm({**request.POST.dict(), "method": RevocationMethod.ELECTRONIC})
    if not form.is_valid():
        messages.error(request, "Say how and when the revocation was received.")
        return redirect(_panel_url(member))
    try:
        services.revoke_consent(consent, actor=request.user, method=form.cleaned_data["method"],
                                on=form.cleaned_data["revoked_on"], note=form.cleaned_data["note"])
    except PermissionError as problem:
        raise Http404 from problem
    except services.ConsentError as problem:
        _problems(request, problem)
    else:
        messages.success(request, "Revocation recorded.")
    return redirect(_panel_url(member))


@login_required
@require_POST
def upload(request: HttpRequest, person_id: str, consent_id: int) -> HttpResponse:
    member = _member(request, person_id)
    consent = selectors.visible_consent(request.user, member, consent_id)
    if consent is None or not services.can_record(request.user, member):
        raise Http404
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose the signed form to upload.")
        return redirect(_panel_url(member))
    upload_file = form.cleaned_data["form_file"]
    try:
        services.attach_form(consent, upload_file.read(MAX_UPLOAD_READ), upload_file.name, actor=request.user)
    except services.ConsentError as problem:
        _problems(request, problem)
    else:
        messages.success(request, "Signed form stored.")
    return redirect(_panel_url(member))


@login_required
def download(request: HttpRequest, person_id: str, consent_id: int) -> HttpResponse:
    member = _member(request, person_id)
    found = selectors.audited_form(request.user, member, consent_id, route=request.path)
    if found is None:
        raise Http404
    return signed_form_response(*found)


def signed_form_response(consent: Consent, data: bytes) -> HttpResponse:
    """A signed form as a download (page and API alike): never sniffed into another type, never cached."""
    response = HttpResponse(data, content_type=consent.form_type)
    response["Content-Disposition"] = f'attachment; filename="{consent.form_name or "consent-form"}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def add_support(request: HttpRequest, person_id: str) -> HttpResponse:
    member = _member(request, person_id)
    if not services.can_record(request.user, member):
        raise Http404
    authorizations = [(c.pk, f"{c.get_kind_display()} signed {c.signed_on:%Y-%m-%d}")
                      for c in selectors.consents_in_force(member, ConsentKind.DATA_SHARING)]
    form = SupportForm(request.POST or None, authorizations=authorizations)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_support_person(member, form.to_input(), actor=request.user)
        except services.ConsentError as problem:
            _problems(request, problem)
        else:
            messages.success(request, "Support person recorded.")
            return redirect(_panel_url(member))
    return render(request, "consents/support.html", {"m": member, "form": form})


@login_required
@require_POST
def end_support(request: HttpRequest, person_id: str, support_id: int) -> HttpResponse:
    member = _member(request, person_id)
    person = SupportPerson.objects.filter(pk=support_id, member=member).first()
    if person is None or not services.can_record(request.user, member):
        raise Http404
    try:
        services.end_support_person(person, actor=request.user)
    except services.ConsentError as problem:
        _problems(request, problem)
    else:
        messages.success(request, "Support person ended.")
    return redirect(_panel_url(member))
