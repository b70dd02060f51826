"""/api/consents/{person_id}: list, record and revoke consents, upload and download the signed form, and record
support persons. Same scoping, permissions and audit as the pages (consents.views)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from carehub.apps.consents import selectors, services
from carehub.apps.consents.models import Consent, SupportPerson
from carehub.apps.consents.views import MAX_UPLOAD_READ, signed_form_response
from carehub.apps.members.models import Member
from carehub.apps.members.selectors import today
from carehub.domain.consent import in_force

router = Router(tags=["consents"])


class ConsentIn(Schema):
    kind: str
    signer_name: str
    signed_on: date
    signer_type: str = "MEMBER"
    signer_relation: str = ""
    effective_on: date | None = None
    expires_on: date | None = None
    expiration_event: str = ""
    categories: list[str] = []
    channels: list[str] = []
    recipient_npis: list[str] = []
    recipient_name: str = ""
    recipient_class: str = ""
    purpose: str = ""
    purpose_detail: str = ""


class ConsentOut(Schema):
    id: int
    kind: str
    categories: list[str]
    channels: list[str]
    covers_part2: bool
    recipient_npis: list[str]
    recipient_name: str
    recipient_class: str
    purpose: str
    purpose_detail: str
    signer_type: str
    signer_name: str
    signer_relation: str
    signed_on: date
    effective_on: date
    expires_on: date | None = None
    expiration_event: str
    revoked_on: date | None = None
    revocation_method: str
    in_force: bool
    status: str
    has_form: bool


class RevokeIn(Schema):
    method: str
    revoked_on: date | None = None
    note: str = ""


class SupportIn(Schema):
    name: str
    role: str
    receives: list[str]
    relationship: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    preferred_language: str = ""
    start_date: date | None = None
    end_date: date | None = None
    authorization_id: int | None = None


class SupportOut(Schema):
    id: int
    name: str
    role: str
    relationship: str
    receives: list[str]
    phone: str
    email: str
    start_date: date
    end_date: date | None = None
    authorization_id: int | None = None
    receives_notices_in_place_of_member: bool


class PanelOut(Schema):
    person_id: str
    consents: list[ConsentOut]
    support_persons: list[SupportOut]


class ProblemsOut(Schema):
    detail: str
    problems: list[str]


def _member(request: HttpRequest, person_id: str) -> Member:
    member = selectors.audited_panel_member(request.auth, person_id, route=request.path)
    if member is None:
        raise Http404
    return member


def _consent_out(c: Consent) -> dict[str, Any]:
    on = today()
    fields = {f: getattr(c, f) for f in ConsentOut.model_fields if hasattr(c, f) and f not in ("id", "status")}
    return {**fields, "id": c.pk, "covers_part2": c.covers_part2, "in_force": in_force(c.terms(), on),
            "status": selectors.status(c, on), "has_form": c.has_form}


def _support_out(p: SupportPerson) -> dict[str, Any]:
    return {"id": p.pk, "name": p.name, "role": p.role, "relationship": p.relationship, "receives": p.receives,
            "phone": p.phone, "email": p.email, "start_date": p.start_date, "end_date": p.end_date,
            "authorization_id": p.authorization_id,
            "receives_notices_in_place_of_member": p.representative_id is not None}


def _problems(problem: services.ConsentError) -> Any:
    return Status(400, {"detail": str(problem), "problems": problem.problems})


@router.get("/{person_id}", response=PanelOut, summary="A member's consents and support persons")
def panel(request: HttpRequest, person_id: str) -> dict[str, Any]:
    member = _member(request, person_id)
    data = selectors.consent_panel(request.auth, member, route=request.path)
    return {"person_id": member.person_id, "consents": [_consent_out(c) for c in data.consents],
            "support_persons": [_support_out(p) for p in data.support_persons]}


@router.post("/{person_id}", response={201: ConsentOut, 400: ProblemsOut, 403: dict},
             summary="Record a signed consent or data-sharing authorization")
def record_consent(request: HttpRequest, person_id: str, body: ConsentIn) -> Any:
    member = _member(request, person_id)
    try:
        consent = services.record_consent(member, services.ConsentInput(**body.dict()), actor=request.auth)
    except PermissionError as problem:
        return Status(403, {"detail": str(problem)})
    except services.ConsentError as problem:
        return _problems(problem)
    return Status(201, _consent_out(consent))


def _visible(request: HttpRequest, member: Member, consent_id: int) -> Consent:
    consent = selectors.visible_consent(request.auth, member, consent_id)
    if consent is None:
        raise Http404
    return consent


@router.post("/{person_id}/{consent_id}/revoke", response={200: ConsentOut, 400: ProblemsOut, 403: dict},
             summary="Record the revocation of a consent (Part 2 consents: in writing)")
def revoke(request: HttpRequest, person_id: str, consent_id: int, body: RevokeIn) -> Any:
    member = _member(request, person_id)
    consent = _visible(request, member, consent_id)
    try:
        services.revoke_consent(consent, actor=request.auth, method=body.method, on=body.revoked_on, note=body.note)
    except PermissionError as problem:
        return Status(403, {"detail": str(problem)})
    except services.ConsentError as problem:
        return _problems(problem)
    return Status(200, _consent_out(consent))


@router.post("/{person_id}/{consent_id}/form", response={200: ConsentOut, 400: ProblemsOut, 403: dict},
             summary="Upload the signed form (PDF, PNG or JPEG)")
def upload_form(request: HttpRequest, person_id: str, consent_id: int, file: File[UploadedFile]) -> Any:
    member = _member(request, person_id)
    consent = _visible(request, member, consent_id)
    try:
        services.attach_form(consent, file.read(MAX_UPLOAD_READ), file.name or "form", actor=request.auth)
    except PermissionError as problem:
        return Status(403, {"detail": str(problem)})
    except services.ConsentError as problem:
        return _problems(problem)
    return Status(200, _consent_out(consent))


@router.get("/{person_id}/{consent_id}/form", summary="Download the signed form (audited)")
def download_form(request: HttpRequest, person_id: str, consent_id: int) -> HttpResponse:
    member = _member(request, person_id)
    found = selectors.audited_form(request.auth, member, consent_id, route=request.path)
    if found is None:
        raise Http404
    return signed_form_response(*found)


@router.post("/{person_id}/support-persons", response={201: SupportOut, 400: ProblemsOut, 403: dict},
             summary="Record an authorized support person and what they may receive")
def add_support(request: HttpRequest, person_id: str, body: SupportIn) -> Any:
    member = _member(request, person_id)
    try:
        person = services.add_support_person(member, services.SupportInput(**body.dict()), actor=request.auth)
    except PermissionError as problem:
        return Status(403, {"detail": str(problem)})
    except services.ConsentError as problem:
        return _problems(problem)
    return Status(201, _support_out(person))


@router.post("/{person_id}/support-persons/{support_id}/end", response={200: SupportOut, 400: ProblemsOut, 403: dict},
             summary="End a support person's authorization today")
def end_support(request: HttpRequest, person_id: str, support_id: int) -> Any:
    member = _member(request, person_id)
    person = SupportPerson.objects.filter(pk=support_id, member=member).first()
    if person is None:
        raise Http404
    try:
        services.end_support_person(person, actor=request.auth)
    except PermissionError as problem:
        return Status(403, {"detail": str(problem)})
    except services.ConsentError as problem:
        return _problems(problem)
    return Status(200, _support_out(person))
