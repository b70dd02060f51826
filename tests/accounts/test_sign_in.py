"""Signing in with a password and an optional TOTP code, signing out, the failure lock, and the idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from factories import PASSWORD, make_user

from carehub.apps.accounts.models import LoginThrottle
from carehub.apps.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _code(device: TOTPDevice, steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps):06d}"


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/members/?q=Garcia")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/members/%3Fq%3DGarcia"


def test_password_sign_in_lands_on_home_and_is_audited(client):
    user = make_user(username="casey")
    response = client.post(LOGIN, {"username": "casey", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    [event] = _events(Action.LOGIN)
    assert event.actor_id == user.pk and event.detail == {"second_factor": False}


def test_sign_in_follows_a_local_next_but_not_an_external_one(client):
    make_user(username="casey")
    response = client.post(f"{LOGIN}?next=/members/", {"username": "casey", "password": PASSWORD})
    assert response["Location"] == "/members/"
    client.logout()
    response = client.post(f"{LOGIN}?next=https://evil.example/", {"username": "casey", "password": PASSWORD})
    assert response["Location"] == "/"


def test_wrong_password_is_refused_and_audited_without_the_password(client):
    make_user(username="casey")
    response = client.post(LOGIN, {"username": "casey", "password": "not-the-password"})
    assert response.status_code == 401
    assert b"did not match" in response.content
    assert client.get("/").status_code == 302
    [event] = _events(Action.LOGIN_FAILED)
    assert event.actor_id is None and event.detail["username"] == "casey" and event.detail["reason"] == "password"
    assert "not-the-password" not in str(event.detail)


def test_inactive_user_cannot_sign_in(client):
    make_user(username="gone", is_active=False)
    response = client.post(LOGIN, {"username": "gone", "password": PASSWORD})
    assert response.status_code == 401
    assert not _events(Action.LOGIN)


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    make_user(username="casey")
    wrong = client.post(LOGIN, {"username": "casey", "password": "nope-nope-nope"})
    unknown = client.post(LOGIN, {"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert b"did not match" in unknown.content


def test_five_failures_lock_the_name_even_for_the_right_password(client, settings):
    settings.CAREHUB_LOGIN_MAX_FAILURES = 5
    make_user(username="casey")
    for _ in range(5):
        client.post(LOGIN, {"username": "casey", "password": "wrong-password"})
    response = client.post(LOGIN, {"username": "casey", "password": PASSWORD})
    assert response.status_code == 401 and b"Too many failed attempts" in response.content
    assert not _events(Action.LOGIN)
    assert _events(Action.LOGIN_FAILED)[-1].detail["reason"] == "locked"


def test_the_lock_expires(client, settings):
    settings.CAREHUB_LOGIN_MAX_FAILURES = 2
    make_user(username="casey")
    for _ in range(2):
        client.post(LOGIN, {"username": "casey", "password": "wrong-password"})
    LoginThrottle.objects.filter(username="casey").update(locked_until=timezone.now() - timedelta(seconds=1))
    assert client.post(LOGIN, {"username": "casey", "password": PASSWORD}).status_code == 302
    assert not LoginThrottle.objects.filter(username="casey").exists()


def test_logout_needs_post_ends_the_session_and_is_audited(client):
    user = make_user(username="casey")
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302
    [event] = _events(Action.LOGOUT)
    assert event.actor_id == user.pk


# ---- the second factor ------------------------------------------------------------------------------------

def _enrolled(username: str = "casey"):
    user = make_user(username=username)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_enrolled_user_must_enter_a_code_before_getting_in(client):
    user, device = _enrolled()
    response = client.post(LOGIN, {"username": "casey", "password": PASSWORD})
    assert response["Location"] == "/accounts/verify/"
    assert client.get("/").status_code == 302  # password alone does not let them in
    assert not _events(Action.LOGIN)
    response = client.post("/accounts/verify/", {"code": _code(device)})
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.wsgi_request.user.is_verified()
    [event] = _events(Action.LOGIN)
    assert event.detail == {"second_factor": True}


def test_wrong_code_keeps_the_user_out_and_is_audited(client):
    _enrolled()
    client.post(LOGIN, {"username": "casey", "password": PASSWORD})
    response = client.post("/accounts/verify/", {"code": "000000"})
    assert response.status_code == 401 and b"did not match" in response.content
    assert client.get("/").status_code == 302
    assert _events(Action.LOGIN_FAILED)[-1].detail["reason"] == "code"


def test_verify_page_without_a_password_step_goes_back_to_sign_in(client):
    _enrolled()
    assert client.get("/accounts/verify/")["Location"] == "/accounts/login/"


def test_enroll_a_device_with_a_qr_code_then_confirm_it(client):
    user = make_user(username="casey")
    client.force_login(user)
    page = client.get("/accounts/security/")
    assert page.status_code == 200
    assert b"<svg" in page.content and b"Turn on two-step sign-in" in page.content
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/accounts/security/", {"action": "confirm", "code": "000000"}).status_code == 400
    pending.refresh_from_db()
    TOTPDevice.objects.filter(pk=pending.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post("/accounts/security/", {"action": "confirm", "code": _code(pending)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").wsgi_request.user.is_verified()
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="TOTPDevice", actor=user).exists()


def test_remove_the_device_needs_a_current_code(client):
    user, device = _enrolled()
    client.force_login(user)
    assert client.post("/accounts/security/", {"action": "remove", "code": "123456"}).status_code == 400
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post("/accounts/security/", {"action": "remove", "code": _code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action=Action.DELETE, object_type="TOTPDevice").exists()
    # Next sign-in needs only the password again.
    client.post("/accounts/logout/")
    assert client.post(LOGIN, {"username": "casey", "password": PASSWORD})["Location"] == "/"


# ---- idle timeout -----------------------------------------------------------------------------------------

def test_every_request_pushes_the_idle_timeout_forward(client, settings):
    client.force_login(make_user())
    client.get("/")
    session = Session.objects.get()
    remaining = session.expire_date - timezone.now()
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE - 60) < remaining <= timedelta(
        seconds=settings.SESSION_COOKIE_AGE)
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_an_idle_session_expires_back_to_sign_in(client):
    client.force_login(make_user())
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_expired_htmx_request_redirects_the_whole_page(client):
    client.force_login(make_user())
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/members/?q=Garcia", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/login/")
