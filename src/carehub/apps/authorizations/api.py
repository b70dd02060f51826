"""GET /api/authorizations/worklist: pending requests by time left (plan staff only; audited)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from carehub.apps.authorizations import selectors

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
