"""Assignment pages: the plan's queue (overdue first) with changes of provider, the provider's assigned members
with accept/return, and exchange files (MIF download, RTF/OTF upload). Views parse, authorize, call services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carehub.apps.assignments import exchange, selectors, services
from carehub.apps.assignments.models import ChangeChannel, ProviderChangeRequest
from carehub.apps.members.selectors import audited_member, member_by_person_id_or_cin, organization_npis
from carehub.web.navigation import allowed

QUEUE_KEY = "assignments"
MINE_KEY = "my-assignments"
FILES_KEY = "exchange-files"


def _require(request: HttpRequest, key: str) -> None:
    if not allowed(request.user.role, key):
        raise PermissionDenied


def _queue_page(request: HttpRequest, *, change_form: dict | None = None, moving: dict | None = None,
                error: str = "", error_at: str = "", status: int = 200) -> HttpResponse:
    """The queue; after a refused form, with the message, a link to the form (`error_at`, its id) and what was
    typed (`change_form` for a new request, `moving` {"pk", "npi"} for a move) (status 400)."""
    lines = selectors.audited_queue(request.user, route=request.path)
    changes = selectors.audited_change_requests(request.user, route=request.path)
    return render(request, "assignments/queue.html", {
        "lines": lines, "changes": changes, "channels": ChangeChannel.choices, "now": timezone.now(),
        "overdue": sum(line.overdue for line in lines),
        "change_form": change_form or {}, "moving": moving or {}, "error": error, "error_at": error_at},
        status=status)


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require(request, QUEUE_KEY)
    return _queue_page(request)


@require_POST
def run_batch(request: HttpRequest) -> HttpResponse:
    _require(request, QUEUE_KEY)
    outcome = services.assign_authorized(actor=request.user)
    messages.success(request, outcome.summary().capitalize() + ".")  # not ?done=: any text in it was shown
    return redirect(request.path.rsplit("run/", 1)[0])


@require_POST
def new_change(request: HttpRequest) -> HttpResponse:
    """Plan staff record a member's request to change provider received by phone or mail. The member is named by
    person id or CIN; anything refused comes back on the queue with what was typed."""
    _require(request, QUEUE_KEY)
    typed = {key: request.POST.get(key, "").strip() for key in ("person_id", "channel", "requested_npi", "reason")}
    typed["urgent"] = request.POST.get("urgent") == "on"
    found = member_by_person_id_or_cin(request.user, typed["person_id"])
    member = audited_member(request.user, found.person_id if found else typed["person_id"][:64], route=request.path)
    if member is None:
        return _queue_page(request, change_form=typed, status=400, error_at="new-change",
                           error="No member has that person id or CIN: copy either from member search.")
    try:
        services.request_provider_change(member, actor=request.user, channel=typed["channel"],
                                         requested_npi=typed["requested_npi"], reason=typed["reason"],
                                         urgent=typed["urgent"])
    except services.AssignmentError as problem:
        return _queue_page(request, change_form=typed, error=str(problem), error_at="new-change", status=400)
    messages.success(request, "The member's request to change provider is recorded, due in 30 days.")
    return redirect("assignments:queue")


@require_POST
def complete_change(request: HttpRequest, request_id: int) -> HttpResponse:
    _require(request, QUEUE_KEY)
    change = ProviderChangeRequest.objects.filter(pk=request_id).first()
    if change is None:
        raise Http404
    new_npi = request.POST.get("new_npi", "").strip()
    try:
        services.complete_provider_change(change, new_npi, actor=request.user)
    except services.AssignmentError as problem:
        return _queue_page(request, moving={"pk": change.pk, "npi": new_npi[:20]}, error=str(problem),
                           error_at=f"change-{change.pk}", status=400)
    messages.success(request, f"The member moved to provider {new_npi}.")
    return redirect("assignments:queue")


@require_POST
def member_change(request: HttpRequest) -> HttpResponse:
    """A member asks to change provider from the portal."""
    if not request.user.is_member or request.user.member is None:
        raise PermissionDenied
    try:
        services.request_provider_change(request.user.member, actor=request.user, channel=ChangeChannel.PORTAL,
                                         reason=request.POST.get("reason", ""))
    except services.AssignmentError as problem:
        return render(request, "assignments/change_refused.html", {"error": str(problem)}, status=400)
    return render(request, "assignments/change_received.html", status=201)


def _mine_page(request: HttpRequest, *, error: str = "", error_at: str = "", status: int = 200) -> HttpResponse:
    """The provider's assigned members; after a refused accept or return, with the message and a link to the
    member's row (`error_at`, its id) (status 400)."""
    rows = selectors.audited_provider_assignments(request.user, route=request.path)
    return render(request, "assignments/mine.html", {"rows": rows, "error": error, "error_at": error_at},
                  status=status)


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    _require(request, MINE_KEY)
    return _mine_page(request)


def _scoped(request: HttpRequest, assignment_id: int):
    assignment = selectors.audited_assignment(request.user, assignment_id, route=request.path)
    if assignment is None:
        raise Http404
    return assignment


@require_POST
def accept(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _require(request, MINE_KEY)
    try:
        services.accept(_scoped(request, assignment_id), actor=request.user)
    except services.AssignmentError as problem:
        return _mine_page(request, error=str(problem), error_at=f"assignment-{assignment_id}", status=400)
    return redirect("assignments:mine")


@require_POST
def return_(request: HttpRequest, assignment_id: int) -> HttpResponse:
    _require(request, MINE_KEY)
    try:
        services.return_assignment(_scoped(request, assignment_id), request.POST.get("reason", ""),
                                   actor=request.user)
    except services.AssignmentError as problem:
        return _mine_page(request, error=str(problem), error_at=f"assignment-{assignment_id}", status=400)
    return redirect("assignments:mine")


@require_http_methods(["GET", "POST"])
def files(request: HttpRequest) -> HttpResponse:
    """Provider staff download their MIF and upload RTF/OTF workbooks; problems come back as a table."""
    _require(request, FILES_KEY)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        if upload is None or kind not in ("RTF", "OTF"):
            return _files_page(request, error="Choose RTF or OTF and a workbook to upload.")
        report = exchange.import_file(kind, upload.read(), name=upload.name, actor=request.user,
                                      allowed_npis=organization_npis(request.user.organization_id))
    return _files_page(request, report=report)


def _files_page(request: HttpRequest, *, report: exchange.ImportReport | None = None, error: str = "",
                period: str = "") -> HttpResponse:
    """The exchange files page; a refused download or upload comes back on it with the message (status 400)."""
    failed = bool(error) or (report is not None and not report.accepted)
    return render(request, "assignments/files.html",
                  {"npis": organization_npis(request.user.organization_id), "report": report, "error": error,
                   "period": period or timezone.localdate().strftime("%Y-%m")}, status=400 if failed else 200)


@require_GET
def download_mif(request: HttpRequest) -> HttpResponse:
    _require(request, FILES_KEY)
    npi, period = request.GET.get("npi", ""), request.GET.get("period", "")
    if npi not in organization_npis(request.user.organization_id):
        raise Http404
    try:
        data = exchange.mif_bytes(npi, period, actor=request.user)
    except exchange.ExchangeError as problem:
        return _files_page(request, error=f"The MIF could not be made: {problem}.", period=period[:7])
    return FileResponse(data, as_attachment=True, filename=f"MIF_{npi}_{period}.xlsx")
