"""Every page needs a signed-in user, except the sign-in pages themselves, static files and the health check."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
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


class RejectNulCharactersMiddleware:
    """A NUL character in a query string, form field or JSON body is never meaningful, and PostgreSQL cannot store
    or compare text containing it: answer 400 up front instead of failing deep in a query (found by the API
    contract run). Django's form fields already refuse it; this covers the API's query parameters and bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            return JsonResponse({"detail": "The request contains a NUL character, which is not allowed."},
                                status=400)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or any("\x00" in v for values in request.GET.lists() for v in values[1]):
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
            return b"\\u0000" in request.body or b"\x00" in request.body
        return False


class IdOutOfRangeMiddleware:
    """An id beyond the database's 64-bit integers (e.g. /api/careplans/plans/9223372036854775808) names no record.
    SQLite's driver refuses to bind such a number (OverflowError) where PostgreSQL simply finds no row; answer
    both the same way, 404, instead of a server error (found by the API contract run)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (isinstance(exception, OverflowError) and "SQLite INTEGER" in str(exception)):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Not Found"}, status=404)
        raise Http404("No such record.")
