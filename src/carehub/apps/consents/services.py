"""Recording consents, their signed forms and revocations, and authorized support persons. Every write: one
transaction, one audit record.

Who may record (issue 6 "Enrollment"): plan staff, and staff of an ECM provider organization the member is
currently assigned to. The member may revoke their own consent in writing through the portal (42 CFR Part 2
revocations are made in writing; an electronic message is writing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import Role, User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.consents import storage
from carehub.apps.consents.models import (
    Category,
    Channel,
    Consent,
    ConsentKind,
    Purpose,
    Receives,
    RecipientClass,
    RevocationMethod,
    SignerType,
    SupportPerson,
    SupportRole,
)
from carehub.apps.members.models import CareRelationship, Member, RelationshipKind
from carehub.apps.members.selectors import current_relationship, organization_npis, today
from carehub.apps.notices.models import Representative
from carehub.apps.notifications.services import notify_after_commit, organization_for_npi
from carehub.domain import consent as policy
from carehub.ingest.codes import npi_is_valid

ECM_ROLES = frozenset({Role.ECM_PROVIDER_STAFF, Role.LEAD_CARE_MANAGER})
EMAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.TEXT, Channel.PORTAL})
TELEHEALTH_CHANNELS = frozenset({Channel.VIDEO, Channel.AUDIO})


class ConsentError(ValueError):
    """What is wrong with a request, one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def assigned_provider(user: User, member: Member, on: date | None = None) -> bool:
    """ECM provider staff whose organization the member is currently assigned to."""
    npis = organization_npis(user.organization_id)
    return bool(npis) and user.role in ECM_ROLES and CareRelationship.objects.filter(
        current_relationship(on or today()), member=member, provider_npi__in=npis,
        kind=RelationshipKind.ASSIGNED).exists()


def can_record(user: User, member: Member) -> bool:
    return user.is_plan_staff or (user.is_provider_staff and assigned_provider(user, member))


def can_revoke(user: User, consent: Consent) -> bool:
    own = user.is_member and user.member is not None and user.member.person_id == consent.member_id
    return own or can_record(user, consent.member)


@dataclass
class ConsentInput:
    """A consent as entered (web form or API)."""

    kind: str
    signer_name: str
    signed_on: date
    signer_type: str = SignerType.MEMBER
    signer_relation: str = ""
    effective_on: date | None = None
    expires_on: date | None = None
    expiration_event: str = ""
    categories: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    recipient_npis: list[str] = field(default_factory=list)
    recipient_name: str = ""
    recipient_class: str = ""
    purpose: str = ""
    purpose_detail: str = ""


def _lengths(data: object, limits: dict[str, int], problems: list[str]) -> None:
    """Refuse text longer than its column (the web forms stop it; the API must too, or PostgreSQL would fail)."""
    for name, limit in limits.items():
        if len(str(getattr(data, name) or "")) > limit:
            problems.append(f"{name.replace('_', ' ')} is longer than {limit} characters")


CONSENT_LIMITS = {"signer_name": 200, "signer_relation": 100, "recipient_name": 200, "purpose_detail": 300,
                  "expiration_event": 200}
SUPPORT_LIMITS = {"name": 200, "relationship": 100, "phone": 30, "email": 200, "address": 200, "city": 80,
                  "state": 2, "zip_code": 10, "preferred_language": 40}
MAX_RECIPIENT_NPIS = 20


def _choices(values: list[str], allowed: type, what: str, problems: list[str]) -> list[str]:
    valid = {str(v) for v in allowed.values}  # type: ignore[attr-defined]
    bad = [v for v in values if v not in valid]
    if bad:
        problems.append(f"unknown {what}: {', '.join(b[:40] for b in bad[:10])}")
    return sorted({v for v in values if v in valid})


def validate(data: ConsentInput, on: date | None = None) -> list[str]:
    """Every problem with the input (empty when it can be recorded). Part 2 consents must carry the 42 CFR 2.31
    elements (carehub.domain.consent.part2_missing_elements)."""
    on = on or today()
    problems: list[str] = []
    if data.kind not in ConsentKind.values:
        return [f"unknown kind {data.kind[:40]!r}"]
    _lengths(data, CONSENT_LIMITS, problems)
    if len(data.recipient_npis) > MAX_RECIPIENT_NPIS:
        return [*problems, f"name at most {MAX_RECIPIENT_NPIS} recipient NPIs (or use a class)"]
    data.categories = _choices(data.categories, Category, "category", problems)
    data.channels = _choices(data.channels, Channel, "channel", problems)
    if data.signer_type not in SignerType.values:
        problems.append("unknown signer type")
    if data.recipient_class not in RecipientClass.values:
        problems.append("unknown recipient class")
    if data.purpose and data.purpose not in Purpose.values:
        problems.append("unknown purpose")
    data.recipient_npis = sorted({n.strip() for n in data.recipient_npis if n.strip()})
    problems += [f"{n[:20]} is not a valid NPI" for n in data.recipient_npis if not npi_is_valid(n)]
    if not data.signer_name.strip():
        problems.append("who signed is required")
    if data.signer_type != SignerType.MEMBER and not data.signer_relation.strip():
        problems.append("the relation of a parent, guardian or representative to the member is required")
    if data.signed_on > on:
        problems.append("the signature date cannot be in the future")
    data.effective_on = data.effective_on or data.signed_on
    if data.expires_on is not None and data.expires_on < data.effective_on:
        problems.append("the expiration date is before the effective date")
    if data.purpose == Purpose.OTHER and not data.purpose_detail.strip():
        problems.append("describe the purpose")
    if data.kind == ConsentKind.PART2 and Category.PART2_SUD not in data.categories:
        data.categories = sorted({*data.categories, Category.PART2_SUD})
    if data.kind in (ConsentKind.DATA_SHARING, ConsentKind.PART2):
        recipients = bool(data.recipient_npis or data.recipient_name.strip() or data.recipient_class)
        if not recipients:
            problems.append("name at least one recipient (a provider NPI, a named party or a class)")
        if not data.categories:
            problems.append("choose what information the authorization covers")
        if not data.purpose:
            problems.append("the purpose is required")
        if Category.PART2_SUD in data.categories:
            missing = policy.part2_missing_elements(
                recipients=recipients, purpose=data.purpose_detail or data.purpose, categories=data.categories,
                signer_name=data.signer_name, signer_relation=data.signer_relation,
                signer_is_member=data.signer_type == SignerType.MEMBER, signed_on=data.signed_on,
                expires_on=data.expires_on, expiration_event=data.expiration_event)
            problems += [f"a 42 CFR Part 2 consent needs {m}" for m in missing if not m.startswith(("recip", "who"))]
    else:
        electronic = data.kind == ConsentKind.ELECTRONIC_COMMUNICATION
        allowed = EMAIL_CHANNELS if electronic else TELEHEALTH_CHANNELS
        if not data.channels or not set(data.channels) <= allowed:
            problems.append("choose the electronic channels consented to (e-mail, text, portal)" if electronic
                            else "choose the telehealth modes consented to (video, audio-only)")
    return problems


def record_consent(member: Member, data: ConsentInput, *, actor: User, form: bytes | None = None,
                   form_name: str = "") -> Consent:
    """Record a signed consent (and its form, when given). ConsentError when the input is incomplete,
    PermissionError when the actor may not record consents for this member."""
    if not can_record(actor, member):
        raise PermissionError("only plan staff and the member's assigned ECM provider record consents")
    problems = validate(data)
    stored = None
    if form:
        try:
            stored = storage.save(form, form_name)
        except storage.FormError as problem:
            problems.append(str(problem))
    if problems:
        if stored:
            storage.discard(stored.path)
        raise ConsentError(problems)
    with transaction.atomic():
        consent = Consent.objects.create(
            member=member, kind=data.kind, categories=data.categories, channels=data.channels,
            recipient_npis=data.recipient_npis, recipient_name=data.recipient_name.strip(),
            recipient_class=data.recipient_class, purpose=data.purpose, purpose_detail=data.purpose_detail.strip(),
            signer_type=data.signer_type, signer_name=data.signer_name.strip(),
            signer_relation=data.signer_relation.strip(), signed_on=data.signed_on,
            effective_on=data.effective_on or data.signed_on, expires_on=data.expires_on,
            expiration_event=data.expiration_event.strip(), recorded_by=actor,
            recorded_by_organization_id=actor.organization_id, recorded_at=timezone.now(),
            **(_form_fields(stored) if stored else {}))
        record(actor=actor, action=Action.CREATE, object_type="Consent", object_id=str(consent.pk),
               person_id=member.person_id,
               detail={"kind": consent.kind, "categories": consent.categories, "part2": consent.covers_part2,
                       "recipient_npis": consent.recipient_npis, "recipient_class": consent.recipient_class,
                       "effective_on": str(consent.effective_on), "expires_on": str(consent.expires_on or ""),
                       "form": bool(stored)})
        if consent.covers_part2:
            _tell_recipients(consent, actor=actor, revoked=False)
    return consent


def _tell_recipients(consent: Consent, *, actor: object, revoked: bool, expired: bool = False) -> None:
    """Tell the provider organizations a Part 2 consent names that it now applies, or no longer does (revoked, or
    expired when ECM ended). A new consent is announced only to organizations that sign in to CareHub (it changes
    what they see here); an end goes to every named NPI, outside ones through the plan's outbox, since they must
    stop further use."""
    ended = revoked or expired
    for npi in consent.recipient_npis or ():
        if organization_for_npi(npi) is None and not ended:
            continue
        if expired:
            subject = (f"Consent expired {consent.expires_on:%Y-%m-%d} (end of ECM): stop further use of substance "
                       "use disorder records")
            body = ("The member's 42 CFR Part 2 consent naming your organization expired when their ECM ended. "
                    "Records disclosed under it may not be used or disclosed further.")
        elif revoked:
            when = f"{consent.revoked_on:%Y-%m-%d}" if consent.revoked_on else ""
            subject = f"Consent revoked {when}: stop further use of substance use disorder records"
            body = ("The member revoked their 42 CFR Part 2 consent naming your organization. Records disclosed "
                    "under it may not be used or disclosed further.")
        else:
            subject = "A consent now lets you see substance use disorder records"
            body = ("The member signed a 42 CFR Part 2 consent naming your organization. The member's page now shows "
                    "their substance use disorder records, with the notice that governs redisclosure.")
        change = "expired" if expired else "revoked" if revoked else "recorded"
        notify_after_commit(actor=actor, kind="CONSENT_REVOKED" if ended else "CONSENT_RECORDED",
                            subject=subject, body=body, person_id=consent.member_id, npi=npi,
                            link=f"/members/{consent.member_id}/", dedupe_key=f"consent-{consent.pk}-{change}-{npi}")


def _form_fields(stored: storage.StoredForm) -> dict[str, object]:
    return {"form_path": stored.path, "form_name": stored.name, "form_type": stored.content_type,
            "form_size": stored.size, "form_sha256": stored.sha256}


def attach_form(consent: Consent, data: bytes, name: str, *, actor: User) -> Consent:
    """Attach (or replace) the signed form of a recorded consent."""
    if not can_record(actor, consent.member):
        raise PermissionError("only plan staff and the member's assigned ECM provider upload signed forms")
    try:
        stored = storage.save(data, name)
    except storage.FormError as problem:
        raise ConsentError([str(problem)]) from problem
    with transaction.atomic():
        replaced = consent.form_sha256
        for key, value in _form_fields(stored).items():
            setattr(consent, key, value)
        consent.save(update_fields=[*_form_fields(stored)])
        record(actor=actor, action=Action.UPDATE, object_type="ConsentForm", object_id=str(consent.pk),
               person_id=consent.member_id,
               detail={"size": stored.size, "type": stored.content_type, "sha256": stored.sha256,
                       "replaced": replaced})
    return consent


def revoke_consent(consent: Consent, *, actor: User, method: str, on: date | None = None, note: str = "") -> Consent:
    """Record a revocation received on `on` (today by default): from that day the consent no longer applies.
    Part 2 consents are revoked only in writing."""
    if not can_revoke(actor, consent):
        raise PermissionError("you may not revoke this consent")
    on = on or today()
    problems = []
    if consent.revoked_on is not None:
        problems.append("this consent is already revoked")
    if method not in RevocationMethod.values:
        problems.append("how the revocation was received is required")
    elif not policy.revocation_accepted(consent.kind, method, consent.categories):
        problems.append("a 42 CFR Part 2 consent is revoked in writing (paper or electronic)")
    if on > today():
        problems.append("the revocation date cannot be in the future")
    if on < consent.signed_on:
        problems.append("the revocation date is before the signature")
    if problems:
        raise ConsentError(problems)
    with transaction.atomic():
        consent.revoked_on, consent.revocation_method = on, method
        consent.revocation_note, consent.revoked_by, consent.revoked_at = note.strip()[:300], actor, timezone.now()
        consent.save(update_fields=["revoked_on", "revocation_method", "revocation_note", "revoked_by",
                                    "revoked_at"])
        record(actor=actor, action=Action.UPDATE, object_type="Consent", object_id=str(consent.pk),
               person_id=consent.member_id, detail={"revoked_on": str(on), "method": method})
        if consent.covers_part2:
            _tell_recipients(consent, actor=actor, revoked=True)
    return consent


def expire_at_end_of_ecm(member: Member, on: date, *, actor: object) -> int:
    """The member's ECM ended on `on` (a confirmed discontinuation's date of action): consents whose expiration event is
    the end of ECM (policy.ends_with_ecm) expire that day, unless they already expire or were revoked earlier.
    Part 2 recipients are told, as for a revocation. Returns how many consents expired. Runs in the caller's
    transaction."""
    expired = 0
    candidates = (Consent.objects.select_for_update().filter(member=member, revoked_on__isnull=True)
                  .exclude(expiration_event=""))
    for consent in candidates:
        if not policy.ends_with_ecm(consent.expiration_event) or consent.effective_on > on:
            continue
        if consent.expires_on is not None and consent.expires_on <= on:
            continue
        consent.expires_on = on
        consent.save(update_fields=["expires_on"])
        record(actor=actor, action=Action.UPDATE, object_type="Consent", object_id=str(consent.pk),
               person_id=consent.member_id, purpose="consent expired: end of ECM",
               detail={"expires_on": str(on), "expiration_event": consent.expiration_event})
        if consent.covers_part2:
            _tell_recipients(consent, actor=actor, revoked=False, expired=True)
        expired += 1
    return expired


# ---- authorized support persons ---------------------------------------------------------------------------

@dataclass
class SupportInput:
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


# Roles that act for the member: notices go to them instead of the member (notices.Representative).
ACTS_FOR_MEMBER = frozenset({SupportRole.GUARDIAN, SupportRole.AUTHORIZED_REPRESENTATIVE})


def add_support_person(member: Member, data: SupportInput, *, actor: User) -> SupportPerson:
    """Record an authorized support person. A guardian or authorized representative who receives notices is
    also the notices app's Representative (an existing one of the same name is linked, not duplicated)."""
    if not can_record(actor, member):
        raise PermissionError("only plan staff and the member's assigned ECM provider record support persons")
    problems: list[str] = []
    _lengths(data, SUPPORT_LIMITS, problems)
    if not data.name.strip():
        problems.append("the name is required")
    if data.role not in SupportRole.values:
        problems.append("choose the support person's role")
    receives = sorted(set(data.receives))
    if not receives or not set(receives) <= set(Receives.values):
        problems.append("choose what they may receive")
    start = data.start_date or today()
    if data.end_date is not None and data.end_date < start:
        problems.append("the end date is before the start date")
    authorization = None
    if data.authorization_id is not None:
        authorization = Consent.objects.filter(pk=data.authorization_id, member=member).first()
        if authorization is None:
            problems.append("the authorization is not one of this member's")
    if problems:
        raise ConsentError(problems)
    with transaction.atomic():
        representative = None
        if data.role in ACTS_FOR_MEMBER and (Receives.NOTICES in receives or Receives.ALL in receives):
            representative = _representative(member, data, start)
        person = SupportPerson.objects.create(
            member=member, name=data.name.strip(), role=data.role, relationship=data.relationship.strip(),
            receives=receives, phone=data.phone.strip(), email=data.email.strip(), address=data.address.strip(),
            city=data.city.strip(), state=data.state.strip().upper()[:2], zip_code=data.zip_code.strip(),
            preferred_language=data.preferred_language.strip(), start_date=start, end_date=data.end_date,
            authorization=authorization, representative=representative, recorded_by=actor,
            recorded_at=timezone.now())
        record(actor=actor, action=Action.CREATE, object_type="SupportPerson", object_id=str(person.pk),
               person_id=member.person_id,
               detail={"role": person.role, "receives": receives,
                       "representative": representative.pk if representative else None})
    return person


def _representative(member: Member, data: SupportInput, start: date) -> Representative:
    existing = (Representative.objects.filter(member=member, name__iexact=data.name.strip())
                .exclude(end_date__lt=start).first())
    if existing is not None:
        return existing
    return Representative.objects.create(
        member=member, name=data.name.strip(), relationship=(data.relationship or data.role).strip()[:60],
        address=data.address.strip(), city=data.city.strip(), state=data.state.strip().upper()[:2],
        zip_code=data.zip_code.strip(), preferred_language=data.preferred_language.strip(), start_date=start,
        end_date=data.end_date)


def end_support_person(person: SupportPerson, *, actor: User, on: date | None = None) -> SupportPerson:
    """End a support person's authorization (and the linked notices representative) from `on`."""
    if not can_record(actor, person.member):
        raise PermissionError("only plan staff and the member's assigned ECM provider update support persons")
    on = on or today()
    if person.end_date is not None and person.end_date <= on:
        raise ConsentError(["this support person has already ended"])
    if on < person.start_date:
        raise ConsentError(["the end date is before the start date"])
    with transaction.atomic():
        person.end_date = on
        person.save(update_fields=["end_date"])
        if person.representative_id:
            Representative.objects.filter(pk=person.representative_id).update(end_date=on)
        record(actor=actor, action=Action.UPDATE, object_type="SupportPerson", object_id=str(person.pk),
               person_id=person.member_id, detail={"end_date": str(on)})
    return person
