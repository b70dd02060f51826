"""/api/discontinuation: the reasons (seed 004 VI.F.1), a provider's request, the plan's queue, confirm and send
back, and transitions. Scoped by the selectors and audited like the pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from carehub.apps.discontinuation import selectors, services
from carehub.apps.discontinuation.models import Discontinuation

router = Router(tags=["discontinuation"])


class ReasonOut(Schema):
    code: str
    label: str
    source: str
    needs_notice: bool
    needs_evidence: bool
    plans_transition: bool


class DiscontinuationOut(Schema):
    id: int
    assignment: int
    person_id: str
    provider_npi: str
    reason: str
    origin: str
    status: str
    requested_at: datetime
    review_note: str
    effective_on: date | None = Field(description="The date of action: ECM ends on it (42 CFR 431.211).")
    ended_on: date | None = Field(description="When ECM ended; empty while it goes on (the advance notice, an "
                                              "appeal) or when it was overturned on appeal.")
    reversed_on_appeal: bool
    notice: str
    transition_due_on: date | None
    transition_completed_on: date | None


class RequestIn(Schema):
    assignment: int
    reason: str
    evidence: str = ""


class ConfirmIn(Schema):
    note: str = ""
    transition_to: str = ""


class NoteIn(Schema):
    note: str


def _out(item: Discontinuation) -> dict[str, Any]:
    return {"id": item.pk, "assignment": item.assignment_id, "person_id": item.member_id,
            "provider_npi": item.provider_npi, "reason": item.reason, "origin": item.origin, "status": item.status,
            "requested_at": item.requested_at, "review_note": item.review_note, "effective_on": item.effective_on,
            "ended_on": item.ended_on, "reversed_on_appeal": item.reversed_on_appeal,
            "notice": item.notice.reference if item.notice_id else "",
            "transition_due_on": item.transition_due_on, "transition_completed_on": item.transition_completed_on}


@router.get("/reasons", response=list[ReasonOut], summary="Reasons to discontinue ECM and what each requires")
def reasons(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": r.value, "label": rule.label, "source": rule.source, "needs_notice": rule.needs_notice,
             "needs_evidence": rule.needs_evidence, "plans_transition": rule.plans_transition}
            for r, rule in services.reasons().items()]


@router.post("/", response={201: DiscontinuationOut, 400: dict},
             summary="Record a reason to discontinue a member's ECM (provider staff of the assigned organization)")
def request_discontinuation(request: HttpRequest, body: RequestIn) -> Any:
    assignment = selectors.audited_assignment_for_request(request.auth, body.assignment, route=request.path)
    if assignment is None:
        raise Http404
    try:
        item = services.request_discontinuation(assignment, body.reason, actor=request.auth, evidence=body.evidence)
    except services.DiscontinuationError as problem:
        return Status(400, {"detail": str(problem)})
    return Status(201, _out(item))


@router.get("/queue", response=list[DiscontinuationOut], summary="Requests waiting for the plan (plan staff)")
def queue(request: HttpRequest) -> list[dict[str, Any]]:
    if not request.auth.is_plan_staff:
        raise PermissionDenied
    items, _ = selectors.audited_queue(request.auth, route=request.path)
    return [_out(item) for item in items]


@router.get("/mine", response=list[DiscontinuationOut], summary="My organization's requests (provider staff)")
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    _, items = selectors.audited_provider_page(request.auth, route=request.path)
    return [_out(item) for item in items]


@router.get("/{item_id}", response=DiscontinuationOut)
def detail(request: HttpRequest, item_id: int) -> dict[str, Any]:
    item = selectors.audited_discontinuation(request.auth, item_id, route=request.path)
    if item is None:
        raise Http404
    return _out(item)


def _act(request: HttpRequest, item_id: int, action: Any) -> Any:
    item = selectors.audited_discontinuation(request.auth, item_id, route=request.path)
    if item is None:
        raise Http404
    try:
        return Status(200, _out(action(item)))
    except services.DiscontinuationError as problem:
        return Status(400, {"detail": str(problem)})


@router.post("/{item_id}/confirm", response={200: DiscontinuationOut, 400: dict},
             summary="Confirm: end ECM, issue the Notice of Action, notify the provider (plan care coordination)")
def confirm(request: HttpRequest, item_id: int, body: ConfirmIn) -> Any:
    return _act(request, item_id, lambda item: services.confirm(
        item, actor=request.auth, note=body.note, transition_to=body.transition_to))


@router.post("/{item_id}/send-back", response={200: DiscontinuationOut, 400: dict},
             summary="Send the request back to the provider with what is missing (plan care coordination)")
def send_back(request: HttpRequest, item_id: int, body: NoteIn) -> Any:
    return _act(request, item_id, lambda item: services.send_back(item, body.note, actor=request.auth))
