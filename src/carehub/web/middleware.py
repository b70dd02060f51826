"""Every page needs a signed-in user, except the sign-in pages themselves, static files and the health check."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect

PUBLIC_PREFIXES = ("/accounts/login", "/accounts/verify", "/static/", "/healthz", "/referrals/request/")


class LoginRequiredMiddleware:
    """Anonymous requests (never signed in, or the idle session expired) go back to the sign-in page.

    The API answers 401 instead of redirecting; htmx requests get HX-Redirect so the whole page moves to sign-in
    rather than the sign-in form landing inside a results panel.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PUBLIC_PREFIXES) or request.user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Not signed in"}, status=401)
        target = f"{settings.LOGIN_URL_PATH}?next={quote(request.get_full_path())}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
