"""Every page needs a signed-in user, except the sign-in pages themselves, static files and the health check."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect

PUBLIC_PREFIXES = ("/accounts/login", "/accounts/verify", "/static/", "/healthz")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PUBLIC_PREFIXES) and not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
        return self.get_response(request)
