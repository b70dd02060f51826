"""Notice PDFs (re-printed from the stored bytes), and the grievance and appeal worklist with its case pages.
Views parse, authorize and call services; scoping is in the selectors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.models import Member
from carehub.apps.notices import cases, selectors
from carehub.apps.notices.models import Case, CaseKind, Outcome
from carehub.domain.digits import ascii_digits
from carehub.web.navigation import allowed

MENU_KEY = "cases"


@require_GET
def pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The stored letter, byte for byte (never re-rendered)."""
    notice = selectors.audited_notice(request.user, notice_id, route=request.path)
    if notice is None:
        raise Http404
    response = HttpResponse(bytes(notice.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.reference}.pdf"'
    response["ETag"] = f'"{notice.sha256}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _require(request: HttpRequest) -> None:
    if not allowed(request.user.role, MENU_KEY):
        raise PermissionDenied


@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    _require(request)
    lines = cases.worklist(request.user)
    record(actor=request.user, action=Action.SEARCH, object_type="Case", route=request.path,
           detail={"references": [line.case.reference for line in lines]})
    counts = {"overdue": sum(line.state == "overdue" for line in lines),
              "today": sum(line.state == "due today" for line in lines)}
    return render(request, "notices/cases.html", {"lines": lines, "counts": counts})


@require_POST
def new_case(request: HttpRequest) -> HttpResponse:
    _require(request)
    member = Member.objects.filter(person_id=request.POST.get("person_id", "")[:64]).first()
    if member is None:
        raise Http404
    authorization = request.POST.get("authorization", "")
    data = cases.CaseInput(kind=request.POST.get("kind", ""), filed_by=request.POST.get("filed_by", ""),
                           summary=request.POST.get("summary", ""), expedited=request.POST.get("expedited") == "on",
                           authorization_id=int(authorization) if ascii_digits(authorization) else None)
    try:
        case = cases.record_case(member, data, actor=request.user)
    except cases.CaseError as problem:
        return render(request, "notices/case_error.html", {"error": str(problem)}, status=400)
    return redirect("notices:case", case_id=case.pk)


@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    _require(request)
    case = Case.objects.select_related("member", "authorization").filter(pk=case_id).first()
    if case is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("step") == "acknowledge":
                cases.acknowledge(case, actor=request.user)
            else:
                cases.resolve(case, outcome=request.POST.get("outcome", ""),
                              resolution=request.POST.get("resolution", ""), actor=request.user)
        except cases.CaseError as problem:
            error = str(problem)
        else:
            return redirect("notices:case", case_id=case.pk)
    record(actor=request.user, action=Action.READ, object_type="Case", object_id=case.reference,
           person_id=case.member_id, route=request.path)
    outcomes = ([(o.value, o.label) for o in (Outcome.UPHELD, Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED)]
                if case.kind == CaseKind.APPEAL else [(Outcome.RESOLVED.value, Outcome.RESOLVED.label)])
    return render(request, "notices/case.html", {"case": case, "error": error, "outcomes": outcomes},
                  status=400 if error else 200)
