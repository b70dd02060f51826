"""Signing in and out, the second factor, and the failed-attempt lock. Every outcome is audit-logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from carehub.apps.accounts.models import LoginThrottle, User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.domain.digits import ascii_digits


class SignInError(StrEnum):
    """Why a sign-in step failed, with the message the person sees (never which part was wrong)."""

    INVALID = "Those credentials did not match. Please try again."
    LOCKED = "Too many failed attempts. Please wait a few minutes and try again."
    BAD_CODE = "That code did not match. Enter the current 6-digit code from your authenticator app."


def _lock_limits() -> tuple[int, timedelta]:
    attempts = getattr(settings, "CAREHUB_LOGIN_MAX_FAILURES", 5)
    minutes = getattr(settings, "CAREHUB_LOGIN_LOCK_MINUTES", 15)
    return attempts, timedelta(minutes=minutes)


def is_locked(username: str) -> bool:
    """True while the username is locked after too many failures."""
    row = LoginThrottle.objects.filter(username=username.lower()).first()
    return bool(row and row.locked_until and row.locked_until > timezone.now())


def _note_failure(username: str) -> bool:
    """Count one failure; lock the name when the limit is reached within the window. Returns True if now locked."""
    max_failures, window = _lock_limits()
    now = timezone.now()
    with transaction.atomic():
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username.lower())
        if row.first_failure_at is None or now - row.first_failure_at > window:
            row.failures, row.first_failure_at = 0, now
        row.failures += 1
        if row.failures >= max_failures:
            row.locked_until = now + window
            row.failures, row.first_failure_at = 0, None
        row.save()
    return bool(row.locked_until and row.locked_until > now)


def _clear_failures(username: str) -> None:
    LoginThrottle.objects.filter(username=username.lower()).delete()


def confirmed_device(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@dataclass(frozen=True)
class PasswordResult:
    user: User | None
    error: SignInError | None
    needs_code: bool = False


def check_password(request: HttpRequest, username: str, password: str) -> PasswordResult:
    """First step: username and password. Inactive users fail like a wrong password (ModelBackend does that)."""
    route = request.path
    if is_locked(username):
        record(actor=None, action=Action.LOGIN_FAILED, route=route, detail={"username": username, "reason": "locked"})
        return PasswordResult(None, SignInError.LOCKED)
    user = authenticate(request, username=username, password=password)
    if user is None:
        locked = _note_failure(username)
        record(actor=None, action=Action.LOGIN_FAILED, route=route,
               detail={"username": username, "reason": "password", "locked": locked})
        return PasswordResult(None, SignInError.LOCKED if locked else SignInError.INVALID)
    if confirmed_device(user) is not None:
        return PasswordResult(user, None, needs_code=True)
    return PasswordResult(user, None)


def check_code(request: HttpRequest, user: User, code: str) -> TOTPDevice | None:
    """Second step: a code from the user's confirmed device. Failures count toward the same lock."""
    if is_locked(user.get_username()):
        record(actor=None, action=Action.LOGIN_FAILED, route=request.path,
               detail={"username": user.get_username(), "reason": "locked"})
        return None
    device = confirmed_device(user)
    if device is not None and ascii_digits(code.strip()) and device.verify_token(code.strip()):
        return device
    locked = _note_failure(user.get_username())
    record(actor=None, action=Action.LOGIN_FAILED, route=request.path,
           detail={"username": user.get_username(), "reason": "code", "locked": locked})
    return None


def signed_in(request: HttpRequest, user: User, *, second_factor: bool) -> None:
    """Record a completed sign-in and forget earlier failures."""
    _clear_failures(user.get_username())
    record(actor=user, action=Action.LOGIN, route=request.path, detail={"second_factor": second_factor})


def signed_out(request: HttpRequest, user: User) -> None:
    record(actor=user, action=Action.LOGOUT, route=request.path)


def start_enrollment(user: User) -> TOTPDevice:
    """An unconfirmed device to scan; reused until confirmed so reloading the page keeps the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_enrollment(request: HttpRequest, user: User, code: str) -> TOTPDevice | None:
    """Confirm the pending device with a code from it. The user is then verified for this session."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or not ascii_digits(code.strip()) or not device.verify_token(code.strip()):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor=user, action=Action.CREATE, object_type="TOTPDevice", object_id=str(device.pk),
               route=request.path, detail={"what": "second factor enrolled"})
    return device


def remove_device(request: HttpRequest, user: User, code: str) -> bool:
    """Remove the second factor; needs a current code so a borrowed session cannot switch it off."""
    device = confirmed_device(user)
    if device is None or not ascii_digits(code.strip()) or not device.verify_token(code.strip()):
        return False
    with transaction.atomic():
        record(actor=user, action=Action.DELETE, object_type="TOTPDevice", object_id=str(device.pk),
               route=request.path, detail={"what": "second factor removed"})
        TOTPDevice.objects.filter(user=user).delete()
    return True
