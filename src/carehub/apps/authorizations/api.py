"""GET /api/authorizations/worklist: pending requests by time left (plan staff only; audited).
POST /api/authorizations/presumptive: a designated ECM provider authorizes a member it referred (seed 003 8.e)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from carehub.apps.authorizations import renewals, selectors
from carehub.apps.authorizations.services import DecisionError
from carehub.apps.referrals.selectors import visible_referrals

router = Router(tags=["authorizations"])


class WorklistOut(Schema):
    id: int
    person_id: str
    referral: str
    urgency: str
    received_at: datetime
    due_at: datetime
    clock: str
    time_left: str


@router.get("/worklist", response=list[WorklistOut], summary="Authorization requests waiting for a decision")
def worklist(request: HttpRequest) -> list[dict[str, Any]]:
    if not request.auth.is_plan_staff:
        raise PermissionDenied
    return [{"id": line.request.pk, "person_id": line.request.member_id, "referral": line.request.referral.reference,
             "urgency": line.request.urgency, "received_at": line.request.received_at, "due_at": line.request.due_at,
             "clock": str(line.state), "time_left": line.time_left}
            for line in selectors.audited_worklist(request.auth, route=request.path)]


class PresumptiveIn(Schema):
    referral: str


class PresumptiveOut(Schema):
    id: int
    referral: str
    start_date: str
    end_date: str
    confirm_by: datetime


class ProblemOut(Schema):
    detail: str


@router.post("/presumptive", response={201: PresumptiveOut, 400: ProblemOut, 404: ProblemOut},
             summary="Presumptive ECM authorization by a designated ECM provider (the plan confirms it)")
def presumptive(request: HttpRequest, payload: PresumptiveIn) -> Status:
    referral = visible_referrals(request.auth).filter(reference=payload.referral[:20]).first()
    if referral is None:
        return Status(404, {"detail": "no such referral among those you sent"})
    try:
        made = renewals.authorize_presumptively(referral, actor=request.auth)
    except DecisionError as problem:
        return Status(400, {"detail": str(problem)})
    return Status(201, {"id": made.pk, "referral": referral.reference, "start_date": str(made.start_date),
                        "end_date": str(made.end_date), "confirm_by": made.due_at})
