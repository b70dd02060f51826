"""Referral pages: the staff/partner form, the public member request page, the screening queue and a referral.
Views parse, authorize (navigation.allowed) and call services; scoping is in selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carehub.apps.authorizations.services import DecisionError, open_authorization
from carehub.apps.members.selectors import member_by_person_id_or_cin
from carehub.apps.referrals import selectors, services
from carehub.apps.referrals.models import Channel, ReferralSource, ReferralStatus, Urgency
from carehub.domain.populations.labels import POPULATIONS
from carehub.web.navigation import allowed

# Public member requests: at most this many per client address per hour (a simple guard against floods).
PUBLIC_REQUESTS_PER_HOUR = 5
_MEMBER_SOURCES = [(ReferralSource.MEMBER.value, "I am the member"),
                   (ReferralSource.FAMILY.value, "I am family, a guardian, caregiver or authorized representative")]


def _form_context(data: dict, errors: list[services.FieldError]) -> dict:
    return {"data": data, "errors": {e.field: e.message for e in errors}, "error_list": errors,
            "sources": ReferralSource.choices, "urgencies": Urgency.choices, "populations": POPULATIONS.items(),
            "member_sources": _MEMBER_SOURCES,
            "ecm_providers": services.preferable_providers().values_list("npi", "name")}


def _posted(request: HttpRequest) -> dict:
    data = {key: request.POST.get(key, "") for key in services.FIELDS if key != "populations"}
    data["populations"] = request.POST.getlist("populations")
    return data


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """The staff and partner referral form."""
    if not allowed(request.user.role, "refer"):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "referrals/new.html", _form_context({}, []))
    data = _posted(request)
    result = services.submit_referral(data, actor=request.user, channel=Channel.WEB,
                                      attachments=request.FILES.getlist("attachments"))
    if not result.ok:
        return render(request, "referrals/new.html", _form_context(data, result.errors), status=400)
    return render(request, "referrals/acknowledged.html", {"result": result})


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")[:64]


@require_http_methods(["GET", "POST"])
def member_request(request: HttpRequest) -> HttpResponse:
    """The public page where a member or their family asks for ECM (no sign-in; CSRF-protected; rate-limited)."""
    if request.method == "GET":
        return render(request, "referrals/member_request.html", _form_context({}, []))
    key = f"ecm-request:{_client(request)}"
    count = cache.get(key, 0)
    if count >= PUBLIC_REQUESTS_PER_HOUR:
        return render(request, "referrals/member_request.html",
                      {**_form_context({}, []), "throttled": True}, status=429)
    cache.set(key, count + 1, 3600)
    data = _posted(request)
    if data.get("source") not in dict(_MEMBER_SOURCES):
        data["source"] = ""  # a member request comes from the member or their family only
    data["urgency"] = Urgency.ROUTINE
    data["external_id"] = ""
    result = services.submit_referral(data, actor=None, channel=Channel.MEMBER)
    if not result.ok:
        return render(request, "referrals/member_request.html", _form_context(data, result.errors), status=400)
    return render(request, "referrals/acknowledged.html", {"result": result, "public": True})


def queue(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user.role, "referrals"):
        raise PermissionDenied
    status = request.GET.get("status", "")
    rows = selectors.audited_queue(request.user, status, route=request.get_full_path())
    return render(request, "referrals/queue.html", {"rows": rows, "status": status,
                                                    "statuses": ReferralStatus.choices,
                                                    "can_refer": allowed(request.user.role, "refer")})


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = selectors.audited_referral(request.user, reference, route=request.path)
    if referral is None:
        raise Http404
    can_screen = allowed(request.user.role, "referrals") and request.user.is_plan_staff
    error = ""
    person_id = request.POST.get("person_id", "").strip()[:64]
    mismatch = False
    if request.method == "POST":
        if not can_screen:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "match":
                member = member_by_person_id_or_cin(request.user, person_id)
                if member is None:
                    raise DecisionError("No member has that person id or CIN: copy either from member search.")
                # The box ticked names the member whose differences were shown: another member is checked again.
                services.confirm_member(referral, member, actor=request.user,
                                        same_person_checked=request.POST.get("same_person") == person_id)
            elif action == "authorize":
                authorization = open_authorization(referral, actor=request.user)
                if allowed(request.user.role, "authorizations"):
                    return redirect("authorizations:review", request_id=authorization.pk)
                # Care coordination screens but does not decide: back to the referral, not to a page it may not open.
                messages.success(request, "Sent for authorization: utilization management will decide.")
            elif action == "other-care":
                services.offer_other_care(referral, actor=request.user, reason=request.POST.get("reason", ""))
            else:
                raise DecisionError("unknown action")
        except ValueError as problem:
            error = str(problem)
            mismatch = isinstance(problem, services.MemberMismatch)
        else:
            return redirect("referrals:detail", reference=referral.reference)
    labels = [(code, POPULATIONS.get(code, code)) for code in referral.populations]
    return render(request, "referrals/detail.html", {"r": referral, "can_screen": can_screen, "error": error,
                                                     "population_labels": labels,
                                                     "preferred_provider_name": services.preferable_providers()
                                                     .filter(npi=referral.preferred_provider_npi)
                                                     .values_list("name", flat=True).first() or "",
                                                     "can_review": allowed(request.user.role, "authorizations"),
                                                     "person_id": person_id, "mismatch": mismatch},
                  status=400 if error else 200)


