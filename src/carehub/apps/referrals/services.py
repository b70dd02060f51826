"""Every write to referrals: intake from any channel, member matching, duplicate linking, screening outcomes.

Intake validates everything at once and names every missing or wrong field (seed 004 VI.D.7.b), acknowledges a
valid referral at once with a reference number (VI.D.7.a), links a referral for a member who already has an open
one instead of doubling it, and records who did what in the audit log."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.models import Member
from carehub.apps.providers.models import ProviderOrganization
from carehub.apps.referrals.models import (
    OPEN_STATUSES,
    Channel,
    Referral,
    ReferralAttachment,
    ReferralSource,
    ReferralStatus,
    Urgency,
)
from carehub.domain.assignment.members_file import npi_is_valid
from carehub.domain.populations.labels import POPULATIONS

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".txt", ".docx"}
_PHONE = re.compile(r"^[0-9()+\-. ]{7,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CIN = re.compile(r"^[0-9]{8}[A-Z]$")  # Medi-Cal CIN: 8 digits and a check letter
_REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes (0/O, 1/I, 5/S, 8/B, 2/Z)


class ErrorCode(StrEnum):
    REQUIRED = "required"
    INVALID_CHOICE = "invalid_choice"
    INVALID_DATE = "invalid_date"
    FUTURE_DATE = "future_date"
    INVALID_CIN = "invalid_cin"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    NO_CONTACT = "no_contact"
    UNKNOWN_POPULATION = "unknown_population"
    TOO_LONG = "too_long"
    ATTACHMENT_TYPE = "attachment_type"
    ATTACHMENT_SIZE = "attachment_size"
    UNKNOWN_PROVIDER = "unknown_provider"


@dataclass(frozen=True)
class FieldError:
    field: str
    code: ErrorCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": str(self.code), "message": self.message}


# What each channel may send; the rest of the referral is the same everywhere.
FIELDS = ("source", "referrer_name", "referrer_organization", "referrer_phone", "referrer_email", "cin",
          "first_name", "last_name", "birth_date", "member_phone", "populations", "facts", "urgency", "external_id",
          "preferred_provider_npi")
_MAX = {"referrer_name": 120, "referrer_organization": 200, "referrer_phone": 30, "referrer_email": 120,
        "first_name": 100, "last_name": 100, "member_phone": 30, "facts": 5000, "external_id": 100}


@dataclass
class CleanReferral:
    source: str
    referrer_name: str
    referrer_organization: str
    referrer_phone: str
    referrer_email: str
    cin: str
    first_name: str
    last_name: str
    birth_date: date
    member_phone: str
    populations: list[str]
    facts: str
    urgency: str
    external_id: str
    preferred_provider_npi: str = ""


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _populations(value: Any) -> list[str]:
    items = [str(v) for v in value] if isinstance(value, list | tuple) else re.split(r"[;,|]", str(value or ""))
    return [item.strip().upper() for item in items if item.strip()]


def preferable_providers() -> QuerySet[ProviderOrganization]:
    """The providers a referral may name as the member's preferred one: the network's ECM providers (the forms
    offer these, and `validate` accepts only these)."""
    return ProviderOrganization.objects.filter(kind="ECM").order_by("name", "npi")


def validate(data: Mapping[str, Any], *, today: date | None = None) -> tuple[CleanReferral | None, list[FieldError]]:
    """Check a referral as sent by any channel. Returns the cleaned referral, or None and every problem found
    (all of them, so the referrer fixes everything in one go). Messages never repeat the value sent."""
    today = today or timezone.localdate()
    errors: list[FieldError] = []
    values = {key: _text(data, key) for key in FIELDS if key != "populations"}

    def need(key: str, label: str) -> None:
        if not values[key]:
            errors.append(FieldError(key, ErrorCode.REQUIRED, f"{label} is required."))

    for key, label in (("source", "Who is referring (source)"), ("referrer_name", "The referrer's name"),
                       ("first_name", "The member's first name"), ("last_name", "The member's last name"),
                       ("birth_date", "The member's date of birth")):
        need(key, label)
    for key, limit in _MAX.items():
        if len(values[key]) > limit:
            errors.append(FieldError(key, ErrorCode.TOO_LONG, f"At most {limit} characters."))
    source = values["source"].upper()
    if source and source not in ReferralSource.values:
        errors.append(FieldError("source", ErrorCode.INVALID_CHOICE,
                                 f"Source must be one of: {', '.join(ReferralSource.values)}."))
    urgency = (values["urgency"] or Urgency.ROUTINE).upper()
    if urgency not in Urgency.values:
        errors.append(FieldError("urgency", ErrorCode.INVALID_CHOICE, "Urgency must be ROUTINE or EXPEDITED."))
    birth_date = None
    if values["birth_date"]:
        try:
            birth_date = date.fromisoformat(values["birth_date"])
        except ValueError:
            errors.append(FieldError("birth_date", ErrorCode.INVALID_DATE, "Date of birth must be YYYY-MM-DD."))
        else:
            if birth_date > today:
                errors.append(FieldError("birth_date", ErrorCode.FUTURE_DATE, "Date of birth is in the future."))
    cin = values["cin"].upper().replace(" ", "")
    if cin and not _CIN.match(cin):
        errors.append(FieldError("cin", ErrorCode.INVALID_CIN,
                                 "CIN must be 8 digits followed by a letter (e.g. 91234567A)."))
    for key in ("referrer_phone", "member_phone"):
        if values[key] and not _PHONE.match(values[key]):
            errors.append(FieldError(key, ErrorCode.INVALID_PHONE, "Phone number: digits, spaces, ()+-. only."))
    if values["referrer_email"] and not _EMAIL.match(values["referrer_email"]):
        errors.append(FieldError("referrer_email", ErrorCode.INVALID_EMAIL, "Email address is not valid."))
    if values["referrer_name"] and not (values["referrer_phone"] or values["referrer_email"]):
        errors.append(FieldError("referrer_phone", ErrorCode.NO_CONTACT,
                                 "Give a phone number or an email address so the plan can reply."))
    populations = _populations(data.get("populations"))
    unknown = [p for p in populations if p not in POPULATIONS]
    if unknown:
        errors.append(FieldError("populations", ErrorCode.UNKNOWN_POPULATION,
                                 f"Unknown Population of Focus code(s): {', '.join(unknown)[:200]}."))
    preferred = values["preferred_provider_npi"]
    if preferred and not (npi_is_valid(preferred) and preferable_providers().filter(npi=preferred).exists()):
        errors.append(FieldError("preferred_provider_npi", ErrorCode.UNKNOWN_PROVIDER,
                                 "The preferred ECM provider must be the NPI of an ECM provider in the plan's "
                                 "network."))
    if errors:
        return None, errors
    assert birth_date is not None
    return CleanReferral(source=source, referrer_name=values["referrer_name"],
                         referrer_organization=values["referrer_organization"],
                         referrer_phone=values["referrer_phone"], referrer_email=values["referrer_email"].lower(),
                         cin=cin, first_name=values["first_name"], last_name=values["last_name"],
                         birth_date=birth_date, member_phone=values["member_phone"], populations=populations,
                         facts=values["facts"], urgency=urgency, external_id=values["external_id"],
                         preferred_provider_npi=preferred), []


def validate_attachments(files: Iterable[UploadedFile]) -> list[FieldError]:
    errors = []
    for index, upload in enumerate(files, start=1):
        if Path(upload.name or "").suffix.lower() not in ATTACHMENT_TYPES:
            errors.append(FieldError(f"attachments[{index}]", ErrorCode.ATTACHMENT_TYPE,
                                     f"Attachment {index}: only {', '.join(sorted(ATTACHMENT_TYPES))} files."))
        if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
            errors.append(FieldError(f"attachments[{index}]", ErrorCode.ATTACHMENT_SIZE,
                                     f"Attachment {index}: at most 10 MB."))
    return errors


# ---- member matching -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    member: Member | None
    note: str  # why the referral waits for review ("" when matched)


def match_member(clean: CleanReferral) -> Match:
    """By CIN (confirmed by date of birth), else by name and date of birth. Anything unsure goes to review."""
    if clean.cin:
        found = list(Member.objects.filter(member_id=clean.cin)[:2])
        if len(found) == 1:
            if found[0].birth_date == clean.birth_date:
                return Match(found[0], "")
            return Match(None, "CIN found but the date of birth differs")
        if len(found) > 1:
            return Match(None, "CIN matches more than one member")
    candidates = list(Member.objects.filter(birth_date=clean.birth_date, last_name__iexact=clean.last_name,
                                            first_name__iexact=clean.first_name)[:2])
    if len(candidates) == 1:
        return Match(candidates[0], "" if not clean.cin else "matched by name and date of birth; CIN not found")
    if len(candidates) > 1:
        return Match(None, "more than one member has this name and date of birth")
    return Match(None, "no member with this CIN, or this name and date of birth")


def _open_referral(member: Member, excluding: int | None = None) -> Referral | None:
    qs = Referral.objects.filter(member=member, status__in=OPEN_STATUSES, duplicate_of__isnull=True)
    if excluding:
        qs = qs.exclude(pk=excluding)
    return qs.order_by("received_at").first()


def new_reference() -> str:
    """ECM- and eight characters from an unambiguous alphabet: unguessable, easy to read out on the phone."""
    while True:
        reference = "ECM-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if not Referral.objects.filter(reference=reference).exists():
            return reference


@dataclass
class IntakeResult:
    referral: Referral | None = None
    errors: list[FieldError] = field(default_factory=list)
    already_received: bool = False  # the same external id was sent before: nothing changed

    @property
    def ok(self) -> bool:
        return self.referral is not None

    @property
    def acknowledgement(self) -> str:
        """What the referrer is told at once."""
        if self.referral is None:
            return "The referral was not accepted: please correct the fields listed."
        text = f"Referral received. Reference number {self.referral.reference}."
        if self.referral.status == ReferralStatus.LINKED:
            text += " The member already has an open referral; this one has been added to it."
        return text


def _external_key(channel: str, clean: CleanReferral, submitted_by_org_id: int | None) -> str | None:
    if not clean.external_id:
        return None
    sender = str(submitted_by_org_id) if submitted_by_org_id else clean.referrer_organization.lower()
    return f"{channel}|{sender}|{clean.external_id}"[:200]


def submit_referral(data: Mapping[str, Any], *, actor: Any, channel: Channel, attachments: Iterable[UploadedFile] = (),
                    received_at: datetime | None = None) -> IntakeResult:
    """Validate, match and store one referral, acknowledge it, and link it to the member's open referral if any.
    Invalid input stores nothing. Re-sending an external id already received returns the stored referral."""
    clean, errors = validate(data)
    files = list(attachments)
    errors += validate_attachments(files)
    if errors or clean is None:
        return IntakeResult(errors=errors)
    org_id = getattr(actor, "organization_id", None)
    key = _external_key(channel, clean, org_id)
    with transaction.atomic():
        if key and (existing := Referral.objects.filter(external_key=key).first()) is not None:
            return IntakeResult(referral=existing, already_received=True)
        referral = _create(clean, actor=actor, channel=channel, key=key, received_at=received_at)
        for upload in files:
            ReferralAttachment.objects.create(referral=referral, file=upload, original_name=(upload.name or "")[:200],
                                              content_type=(upload.content_type or "")[:100], size=upload.size or 0)
        record(actor=actor, action=Action.CREATE, object_type="Referral", object_id=referral.reference,
               person_id=referral.member_id or "", purpose="referral intake",
               detail={"channel": channel, "source": referral.source, "status": referral.status,
                       "duplicate_of": referral.duplicate_of.reference if referral.duplicate_of else "",
                       "attachments": len(files)})
    return IntakeResult(referral=referral)


def _create(clean: CleanReferral, *, actor: Any, channel: str, key: str | None,
            received_at: datetime | None) -> Referral:
    match = match_member(clean)
    duplicate_of = _open_referral(match.member) if match.member else None
    status = (ReferralStatus.LINKED if duplicate_of else
              ReferralStatus.OPEN if match.member else ReferralStatus.MATCH_REVIEW)
    user = actor if getattr(actor, "is_authenticated", False) else None
    return Referral.objects.create(
        reference=new_reference(), received_at=received_at or timezone.now(), source=clean.source, channel=channel,
        referrer_name=clean.referrer_name, referrer_organization=clean.referrer_organization,
        referrer_phone=clean.referrer_phone, referrer_email=clean.referrer_email, submitted_by=user,
        submitted_by_org_id=getattr(user, "organization_id", None), cin=clean.cin, first_name=clean.first_name,
        last_name=clean.last_name, birth_date=clean.birth_date, member_phone=clean.member_phone,
        member=match.member, match_note=match.note, populations=clean.populations, facts=clean.facts,
        urgency=clean.urgency, status=status, duplicate_of=duplicate_of, external_key=key,
        preferred_provider_npi=clean.preferred_provider_npi)


def _name_key(name: str) -> str:
    """A last name as compared for a match: no accents, case, spaces or hyphens (Ñandú, NANDU and Nandu agree)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


def member_differences(referral: Referral, member: Member) -> list[str]:
    """What identifies a person and differs between the referral and the member named: 'last name', 'date of birth'."""
    differences = []
    if _name_key(referral.last_name) != _name_key(member.last_name):
        differences.append("last name")
    if referral.birth_date != member.birth_date:
        differences.append("date of birth")
    return differences


class MemberMismatch(ValueError):
    """The member named for a referral has another last name or date of birth: the reviewer must check and say so."""

    def __init__(self, referral: Referral, member: Member, differences: list[str]) -> None:
        self.differences = differences
        super().__init__(
            f"The {' and the '.join(differences)} differ: the referral describes {referral.first_name} "
            f"{referral.last_name}, born {referral.birth_date:%Y-%m-%d}; member {member.person_id} is "
            f"{member.first_name} {member.last_name}, born {member.birth_date:%Y-%m-%d}. Check it is the same person "
            "(for example a changed name or a typing error), then tick \"I checked: same person\" and confirm again, "
            "or enter another member.")


def confirm_member(referral: Referral, member: Member, *, actor: Any, same_person_checked: bool = False) -> Referral:
    """Resolve the review queue: the reviewer names the member. Links to the member's open referral if any.
    A member whose last name or date of birth differs from the referral's is refused (MemberMismatch, the
    difference shown to the reviewer and the read audited) unless the reviewer checked it is the same person."""
    if referral.status != ReferralStatus.MATCH_REVIEW:
        raise ValueError("only a referral waiting for member review can be matched")
    differences = member_differences(referral, member)
    if differences and not same_person_checked:
        record(actor=actor, action=Action.READ, object_type="Referral", object_id=referral.reference,
               person_id=member.person_id, purpose="member match review: differences shown to the reviewer",
               detail={"differs": differences})
        raise MemberMismatch(referral, member, differences)
    return _link_member(referral, member, actor=actor, checked_differences=differences)


@transaction.atomic
def _link_member(referral: Referral, member: Member, *, actor: Any, checked_differences: list[str]) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.MATCH_REVIEW:
        raise ValueError("only a referral waiting for member review can be matched")
    duplicate_of = _open_referral(member, excluding=referral.pk)
    referral.member = member
    referral.duplicate_of = duplicate_of
    referral.status = ReferralStatus.LINKED if duplicate_of else ReferralStatus.OPEN
    referral.save(update_fields=["member", "duplicate_of", "status"])
    detail: dict[str, Any] = {"status": referral.status, "note_was": referral.match_note}
    if checked_differences:
        detail["checked_same_person_despite"] = checked_differences
    record(actor=actor, action=Action.UPDATE, object_type="Referral", object_id=referral.reference,
           person_id=member.person_id, purpose="member match review", detail=detail)
    return referral


NOT_ELIGIBLE_MESSAGE = ("The member does not meet the criteria for Enhanced Care Management at this time. The plan's "
                        "care coordination team is offering other care management (for example Complex Case "
                        "Management) and will contact the member.")


# The reason a screened-out member reads on their Notice of Action (seed 004 VI.D.8; seed 001 Q7).
SCREENED_OUT_REASON = ("Initial screening found that you do not meet the criteria of an Enhanced Care Management "
                       "Population of Focus at this time. Our care coordination team will offer you other care "
                       "management, for example Complex Case Management.")


@transaction.atomic
def offer_other_care(referral: Referral, *, actor: Any, reason: str) -> Referral:
    """Initial screening found the member not eligible for ECM: offer other care management and tell the referrer
    (seed 004 VI.D.8). The message to the referrer carries no clinical detail.

    The screening outcome is a decision not to authorize ECM, which follows the authorization timeframes and the
    Notice of Action requirements (seed 001 Q7), so it is recorded as a denial with its reason: the member gets
    the Notice of Action with appeal rights, the decision counts in the equity report, and the referral's
    authorization shows it. Screened out with no record, the member was never told and could not appeal (found
    by an audit of issues 4-6)."""
    from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization  # they import us

    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.OPEN or referral.member_id is None:
        raise ValueError("only an open, matched referral can be screened")
    if not reason.strip():
        raise ValueError("a reason is required")
    request = open_authorization(referral, actor=actor)
    # The letter states the criterion in plain words; the screener's own note stays internal (outcome_note and the
    # audit): a walk-through found it printed word for word on the member's denial.
    decide(request, DecisionInput("DENIED", reasons=SCREENED_OUT_REASON), actor=actor)
    referral.refresh_from_db()
    referral.status = ReferralStatus.OTHER_CARE_OFFERED
    referral.outcome_note = reason.strip()[:2000]
    referral.referrer_message = NOT_ELIGIBLE_MESSAGE
    referral.save(update_fields=["status", "outcome_note", "referrer_message"])
    record(actor=actor, action=Action.UPDATE, object_type="Referral", object_id=referral.reference,
           person_id=referral.member_id or "", purpose="screening: not eligible, other care management offered",
           detail={"status": referral.status, "authorization": request.pk})
    return referral
