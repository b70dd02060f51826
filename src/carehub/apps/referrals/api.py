"""POST /api/referrals (intake from partner systems) and GET /api/referrals/{reference}: same validation,
scoping and audit as the pages. An `external_id` makes a retried POST return the stored referral."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from carehub.apps.referrals import selectors, services
from carehub.apps.referrals.models import Channel

router = Router(tags=["referrals"])


class ReferralIn(Schema):
    source: str = ""
    referrer_name: str = ""
    referrer_organization: str = ""
    referrer_phone: str = ""
    referrer_email: str = ""
    cin: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: str = ""
    member_phone: str = ""
    populations: list[str] = []
    facts: str = ""
    urgency: str = "ROUTINE"
    external_id: str = ""
    preferred_provider_npi: str = Field("", description="The ECM provider the member asks for (NPI of an ECM "
                                                        "provider in the network); assignment honours it first.")


class FieldErrorOut(Schema):
    field: str
    code: str
    message: str


class ErrorsOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class AcknowledgementOut(Schema):
    reference: str
    status: str
    message: str
    linked_to: str | None = None
    already_received: bool


class ReferralOut(Schema):
    reference: str
    received_at: datetime
    source: str
    channel: str
    status: str
    urgency: str
    member_person_id: str | None = None
    first_name: str
    last_name: str
    birth_date: date
    populations: list[str]
    linked_to: str | None = None
    referrer_message: str


def _ack(result: services.IntakeResult) -> dict[str, Any]:
    referral = result.referral
    assert referral is not None
    return {"reference": referral.reference, "status": referral.status, "message": result.acknowledgement,
            "linked_to": referral.duplicate_of.reference if referral.duplicate_of else None,
            "already_received": result.already_received}


@router.post("", response={200: AcknowledgementOut, 201: AcknowledgementOut, 422: ErrorsOut},
             summary="Submit an ECM referral")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Status:
    user = request.auth
    if not (user.is_plan_staff or user.is_provider_staff):
        raise PermissionDenied
    result = services.submit_referral(payload.dict(), actor=user, channel=Channel.API)
    if not result.ok:
        return Status(422, {"detail": "The referral was not accepted.",
                            "errors": [e.as_dict() for e in result.errors]})
    return Status(200 if result.already_received else 201, _ack(result))


@router.get("/{reference}", response=ReferralOut, summary="One referral and its status")
def get_referral(request: HttpRequest, reference: str) -> dict[str, Any]:
    referral = selectors.audited_referral(request.auth, reference, route=request.path)
    if referral is None:
        raise Http404
    return {**{f: getattr(referral, f) for f in ("reference", "received_at", "source", "channel", "status",
                                                  "urgency", "first_name", "last_name", "birth_date",
                                                  "populations", "referrer_message")},
            "member_person_id": referral.member_id,
            "linked_to": referral.duplicate_of.reference if referral.duplicate_of else None}
