"""Sign in (password, then a TOTP code when the user enrolled one), sign out, and the security settings page."""

from __future__ import annotations

import time

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from carehub.apps.accounts import services
from carehub.apps.accounts.forms import CodeForm, SignInForm

PENDING_USER = "carehub_pending_user"
PENDING_BACKEND = "carehub_pending_backend"
PENDING_SINCE = "carehub_pending_since"
PENDING_NEXT = "carehub_pending_next"
PENDING_SECONDS = 300  # the password step is good for five minutes of code entry


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse("web:home")


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignInForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        result = services.check_password(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if result.error:
            error = result.error.value
        elif result.needs_code:
            request.session[PENDING_USER] = result.user.pk
            request.session[PENDING_BACKEND] = result.user.backend
            request.session[PENDING_SINCE] = time.time()
            request.session[PENDING_NEXT] = _safe_next(request, request.GET.get("next"))
            return redirect("accounts:verify")
        else:
            auth_login(request, result.user)
            services.signed_in(request, result.user, second_factor=False)
            return redirect(_safe_next(request, request.GET.get("next")))
    status = 200 if error is None else 401
    return render(request, "accounts/login.html", {"form": form, "error": error}, status=status)


def _pending_user(request: HttpRequest):
    pk = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if pk is None or time.time() - since > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


@never_cache
def verify_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        for key in (PENDING_USER, PENDING_BACKEND, PENDING_SINCE, PENDING_NEXT):
            request.session.pop(key, None)
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        device = services.check_code(request, user, form.cleaned_data["code"])
        if device is None:
            error = services.SignInError.LOCKED.value if services.is_locked(user.get_username()) \
                else services.SignInError.BAD_CODE.value
        else:
            backend = request.session.pop(PENDING_BACKEND)
            target = request.session.pop(PENDING_NEXT, None)
            for key in (PENDING_USER, PENDING_SINCE):
                request.session.pop(key, None)
            auth_login(request, user, backend=backend)
            otp_login(request, device)
            services.signed_in(request, user, second_factor=True)
            return redirect(_safe_next(request, target))
    status = 200 if error is None else 401
    return render(request, "accounts/verify.html", {"form": form, "error": error}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.signed_out(request, request.user)
    auth_logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _base32_secret(config_url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(config_url).query).get("secret", [""])[0]


@never_cache
def security_view(request: HttpRequest) -> HttpResponse:
    """Enroll an authenticator app (scan, then confirm with a code) or remove it (needs a current code)."""
    user = request.user
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        if request.POST.get("action") == "remove":
            if services.remove_device(request, user, code):
                request.session.pop("otp_device_id", None)
                messages.success(request, "Two-step sign-in is off. You can turn it on again at any time.")
                return redirect("accounts:security")
            error = services.SignInError.BAD_CODE.value
        else:
            device = services.confirm_enrollment(request, user, code)
            if device is not None:
                otp_login(request, device)
                messages.success(request, "Two-step sign-in is on. You will be asked for a code when you sign in.")
                return redirect("accounts:security")
            error = services.SignInError.BAD_CODE.value
    device = services.confirmed_device(user)
    context = {"device": device, "form": form, "error": error, "verified": user.is_verified()}
    if device is None:
        pending = services.start_enrollment(user)
        context["qr_svg"] = mark_safe(_qr_svg(pending.config_url))  # noqa: S308 - our own generated SVG
        context["secret"] = _base32_secret(pending.config_url)
    return render(request, "accounts/security.html", context, status=200 if error is None else 400)

