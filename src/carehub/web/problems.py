"""A refused request shown inside the page layout: what to fix and a way back. Bare text/plain 400s left staff on a
page with no layout, no menu and no way back (found by a walk-through of the demo)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _same_site(request: HttpRequest, url: str) -> str:
    """The page the request came from when it is one of ours (a path of this host), else ''."""
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.get_host():
        return ""
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.path.startswith("/") else ""


def refused(request: HttpRequest, message: str, *, back: str = "", status: int = 400) -> HttpResponse:
    """The message (what to fix) on a page of its own, with a link back to `back` or to the referring page."""
    back = back or _same_site(request, request.META.get("HTTP_REFERER", "")) or "/"
    return render(request, "web/refused.html", {"message": message, "back": back}, status=status)
