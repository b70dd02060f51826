"""/api/assignments: a provider's assigned members, accept/return, the MIF download and RTF/OTF uploads; the
plan's assignment queue. Scoped by selectors and audited like the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from carehub.apps.assignments import exchange, selectors, services
from carehub.apps.members.selectors import organization_npis

router = Router(tags=["assignments"])


class AssignmentOut(Schema):
    id: int
    person_id: str
    cin: str
    provider_npi: str
    population: str
    rule: str
    status: str
    assigned_at: datetime


class QueueOut(Schema):
    authorization: int
    person_id: str
    due_by: datetime
    clock: str


class ProblemOut(Schema):
    file: str
    row: int
    column: str
    problem: str


class ImportOut(Schema):
    accepted: bool
    rows: int
    changed: int
    unchanged: int
    discontinuations: int = Field(description="Rows' discontinuations sent to the plan's review (the plan "
                                              "confirms and sends the Notice of Action).")
    notes: list[str] = Field(description="Rows accepted with something for care coordination to do, e.g. a "
                                         "discontinuation reason no reason of seed 004 VI.F.1 maps to.")
    problems: list[ProblemOut]


class ReturnIn(Schema):
    reason: str


def _out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "person_id": a.member_id, "cin": a.member.member_id, "provider_npi": a.provider_npi,
            "population": a.population, "rule": a.rule, "status": a.status, "assigned_at": a.assigned_at}


@router.get("/mine", response=list[AssignmentOut], summary="Open assignments to my organization")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [_out(a) for a in selectors.audited_provider_assignments(request.auth, route=request.path)]


@router.get("/queue", response=list[QueueOut], summary="Authorized members waiting for a provider (plan staff)")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    if not request.auth.is_plan_staff:
        raise PermissionDenied
    return [{"authorization": line.authorization.pk, "person_id": line.authorization.member_id,
             "due_by": line.due_by, "clock": str(line.state)}
            for line in selectors.audited_queue(request.auth, route=request.path)]


def _scoped(request: HttpRequest, assignment_id: int) -> Any:
    assignment = selectors.audited_assignment(request.auth, assignment_id, route=request.path)
    if assignment is None or not request.auth.is_provider_staff:
        raise Http404
    return assignment


@router.post("/{assignment_id}/accept", response={200: AssignmentOut, 400: dict})
def accept(request: HttpRequest, assignment_id: int) -> Any:
    try:
        return Status(200, _out(services.accept(_scoped(request, assignment_id), actor=request.auth)))
    except services.AssignmentError as problem:
        return Status(400, {"detail": str(problem)})


@router.post("/{assignment_id}/return", response={200: AssignmentOut, 400: dict})
def return_(request: HttpRequest, assignment_id: int, body: ReturnIn) -> Any:
    try:
        assignment = services.return_assignment(_scoped(request, assignment_id), body.reason, actor=request.auth)
        return Status(200, _out(assignment))
    except services.AssignmentError as problem:
        return Status(400, {"detail": str(problem)})


@router.get("/files/mif", summary="Download the Member Information File (.xlsx)")
def mif(request: HttpRequest, npi: str, period: str) -> FileResponse:
    if npi not in organization_npis(request.auth.organization_id):
        raise Http404
    try:
        data = exchange.mif_bytes(npi, period, actor=request.auth)
    except exchange.ExchangeError as problem:
        raise Http404 from problem
    return FileResponse(data, as_attachment=True, filename=f"MIF_{npi}_{period}.xlsx")


@router.post("/files/{kind}", response={200: ImportOut, 400: ImportOut},
             summary="Upload a Return Transmission File (RTF) or Outreach Tracker File (OTF), all or nothing")
def upload(request: HttpRequest, kind: str, file: File[UploadedFile]) -> Any:
    if not request.auth.is_provider_staff or kind.upper() not in ("RTF", "OTF"):
        raise Http404
    report = exchange.import_file(kind, file.read(), name=file.name or "upload.xlsx", actor=request.auth,
                                  allowed_npis=organization_npis(request.auth.organization_id))
    body = {"accepted": report.accepted, "rows": report.rows, "changed": report.changed,
            "unchanged": report.unchanged, "discontinuations": report.discontinuations, "notes": report.notes,
            "problems": [p.as_dict() for p in report.problems]}
    return Status(200 if report.accepted else 400, body)
