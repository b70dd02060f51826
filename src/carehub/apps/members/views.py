"""Member search (htmx results) and the member page. Access is decided in selectors; views parse and render."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from carehub.apps.identification.selectors import audited_member_populations
from carehub.apps.members import selectors
from carehub.apps.notices.selectors import member_notices
from carehub.web.navigation import allowed


def _query_from(request: HttpRequest) -> tuple[selectors.MemberQuery, str]:
    text = request.GET.get("q", "").strip()[:100]
    dob_text = request.GET.get("dob", "").strip()[:20]
    birth_date = selectors.parse_date(dob_text) if dob_text else None
    error = "Enter the date of birth as YYYY-MM-DD." if dob_text and birth_date is None else ""
    return selectors.MemberQuery(text=text, birth_date=birth_date), error


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user.role, "members"):
        raise PermissionDenied
    query, error = _query_from(request)
    page = None
    if not query.is_empty and not error:
        page = selectors.audited_search(request.user, query, route=request.get_full_path())
    context = {"query": query, "page": page, "error": error, "page_size": selectors.PAGE_SIZE,
               "q": request.GET.get("q", ""), "dob": request.GET.get("dob", ""),
               "provider_scope": request.user.is_provider_staff}
    template = "members/_results.html" if request.htmx else "members/search.html"
    return render(request, template, context)


@require_GET
def detail(request: HttpRequest, person_id: str) -> HttpResponse:
    member = selectors.audited_member(request.user, person_id, route=request.path)
    if member is None:
        raise Http404
    record = selectors.member_record(request.user, member)
    pof = audited_member_populations(request.user, member, route=request.path)
    return render(request, "members/detail.html", {"record": record, "m": member, "pof": pof,
                                                   "notices": member_notices(request.user, member)})


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A member's own record; the menu links here so the member never handles a person_id."""
    user = request.user
    if not user.is_member or not user.member_id:
        raise Http404
    return redirect("members:detail", person_id=user.member.person_id)
