"""Reading consents: the `has_consent` question other apps ask, and the member's consents panel, scoped to the user.

Provider staff see a member's consents only while they may see the member (members.selectors.visible_members),
and among them the Part 2 ones only when those name their organization: the mere existence of a Part 2 consent
says the member is a patient of a Part 2 program (42 CFR 2.11, 2.13).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.audit.services import record
from carehub.apps.consents import storage
from carehub.apps.consents.models import Category, Channel, Consent, ConsentKind, Receives, SupportPerson
from carehub.apps.members.models import CareRelationship, Member, RelationshipKind
from carehub.apps.members.selectors import audited_member, current_relationship, organization_npis, today
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain import consent as policy


def _person_id(member: Member | str) -> str:
    return member if isinstance(member, str) else member.person_id


def _treating(person_id: str, npis: Iterable[str], on: date) -> bool:
    """Whether one of the NPIs has a current care relationship with the member (the care-team class)."""
    npis = [n for n in npis if n]
    return bool(npis) and CareRelationship.objects.filter(
        current_relationship(on), member_id=person_id, provider_npi__in=npis).exists()


def consents_in_force(member: Member | str, kind: str, on: date | None = None) -> list[Consent]:
    """The member's consents answering `kind` that are in force on `on` (today by default), newest first."""
    on = on or today()
    rows = (Consent.objects.filter(member_id=_person_id(member), effective_on__lte=on)
            .exclude(expires_on__lt=on).exclude(revoked_on__lte=on))
    return [c for c in rows if policy.satisfies(c.terms(), str(kind)) and policy.in_force(c.terms(), on)]


def consent_for(member: Member | str, kind: str, npis: Iterable[str], on: date | None = None) -> Consent | None:
    """The newest consent of `kind` in force that names one of `npis` (by NPI or as part of the care team)."""
    on = on or today()
    npis = [n for n in npis if n]
    if not npis:
        return None
    person_id = _person_id(member)
    treating: bool | None = None
    for row in consents_in_force(person_id, kind, on):
        terms = row.terms()
        if policy.applies_to(terms, npis, treating=False):
            return row
        if row.recipient_class == policy.CLASS_CARE_TEAM:
            treating = _treating(person_id, npis, on) if treating is None else treating
            if treating:
                return row
    return None


def has_consent(member: Member | str, kind: str, *, provider_npi: str = "", on: date | None = None) -> bool:
    """Whether the member has a consent of `kind` (ConsentKind) in force on `on` (today by default). With
    `provider_npi`, the consent must also name that provider organization, by NPI or through the care-team class.
    A PART2 question is answered by a Part 2 consent or a release of information covering Part 2 SUD records."""
    if provider_npi:
        return consent_for(member, kind, [provider_npi], on) is not None
    return bool(consents_in_force(member, kind, on))


def part2_person_ids(user: User, person_ids: Iterable[str], on: date | None = None) -> set[str]:
    """Of `person_ids`, the members whose Part 2 records the user may see (for worklists: two queries for the
    whole page instead of two per member). Plan staff and a member (their own) see all of theirs."""
    ids = sorted(set(person_ids))
    if not user.is_provider_staff:
        return set(ids) if user.is_plan_staff else {i for i in ids if user.member and i == user.member.person_id}
    on = on or today()
    npis = set(organization_npis(user.organization_id))
    if not ids or not npis:
        return set()
    rows = (Consent.objects.filter(member_id__in=ids, effective_on__lte=on)
            .exclude(expires_on__lt=on).exclude(revoked_on__lte=on))
    candidates = [c for c in rows if policy.satisfies(c.terms(), ConsentKind.PART2) and policy.in_force(c.terms(), on)]
    treating = set(CareRelationship.objects.filter(current_relationship(on), member_id__in=ids,
                                                   provider_npi__in=npis).values_list("member_id", flat=True))
    return {c.member_id for c in candidates
            if policy.names_recipient(c.terms(), npis, treating=c.member_id in treating)}


def part2_consent_for_user(user: User, member: Member | str, on: date | None = None) -> Consent | None:
    """The Part 2 consent under which a provider user's organization sees the member's SUD records, if any."""
    return consent_for(member, ConsentKind.PART2, organization_npis(user.organization_id), on)


def ecm_providers(member: Member, on: date | None = None) -> list[tuple[str, str]]:
    """(NPI, name) of the provider organizations the member is currently assigned to: the usual recipients."""
    npis = sorted(set(CareRelationship.objects.filter(
        current_relationship(on or today()), member=member, kind=RelationshipKind.ASSIGNED)
        .values_list("provider_npi", flat=True)))
    names = dict(ProviderOrganization.objects.filter(npi__in=npis).values_list("npi", "name")) if npis else {}
    return [(n, names.get(n, "")) for n in npis]


def _works_with(user: User, member: Member, on: date) -> bool:
    """Provider staff work with a member their organization is currently assigned (ECM) or referred (Community
    Supports) to, the same rule as members.selectors.visible_members."""
    npis = organization_npis(user.organization_id)
    return bool(npis) and CareRelationship.objects.filter(
        current_relationship(on), member=member, provider_npi__in=npis,
        kind__in=[RelationshipKind.ASSIGNED, RelationshipKind.REFERRED]).exists()


def audited_panel_member(user: User, person_id: str, *, route: str) -> Member | None:
    """The member whose consents the user may open (members.selectors.audited_member, and for provider staff an
    assignment or referral), or None, recorded as DENIED: callers answer 404."""
    member = audited_member(user, person_id, route=route)
    if member is None or not user.is_provider_staff or _works_with(user, member, today()):
        return member
    record(actor=user, action=Action.DENIED, object_type="Consent", person_id=member.person_id, route=route,
           detail={"reason": "not assigned or referred to the user's organization"})
    return None


def support_persons_receiving(member: Member | str, receives: str, on: date | None = None) -> list[SupportPerson]:
    """The member's support persons authorized on `on` to receive `receives` (models.Receives: CARE_PLAN,
    NOTICES, REMINDERS), those authorized for all communications included. For other apps sending copies."""
    on = on or today()
    rows = SupportPerson.objects.filter(member_id=_person_id(member), start_date__lte=on).exclude(end_date__lt=on)
    return [p for p in rows if p.receives_all(receives)]


# ---- accounting of Part 2 disclosures ----------------------------------------------------------------------

DISCLOSURE = "Part2Disclosure"


def record_part2_disclosure(user: User, member: Member | str, consent: Consent, *, what: str,
                            route: str = "") -> None:
    """Record that Part 2 records were shown to a provider user under a consent: the member's list of disclosures
    (42 CFR 2.24, 2024 rule) is read back from these audit events (part2_disclosures)."""
    organization = user.organization.name if user.organization_id and user.organization else ""
    record(actor=user, action=Action.READ, object_type=DISCLOSURE, object_id=str(consent.pk),
           person_id=_person_id(member), route=route, purpose="42 CFR Part 2 disclosure under the member's consent",
           detail={"what": what, "organization": organization, "npis": organization_npis(user.organization_id)})


@dataclass(frozen=True)
class Disclosure:
    at: Any
    organization: str
    user: str
    what: str
    consent_id: str


def part2_disclosures(member: Member, limit: int = 200) -> list[Disclosure]:
    """The member's Part 2 records shown to providers under consent, newest first."""
    rows = (AuditEvent.objects.filter(object_type=DISCLOSURE, person_id=member.person_id)
            .order_by("-seq").values_list("at", "actor_label", "detail", "object_id")[:limit])
    return [Disclosure(at=at, organization=str(detail.get("organization", "")), user=label,
                       what=str(detail.get("what", "")), consent_id=object_id)
            for at, label, detail, object_id in rows]


# ---- the consents panel -------------------------------------------------------------------------------------

@dataclass
class ConsentPanel:
    member: Member
    consents: list[Consent]
    support_persons: list[SupportPerson]
    on: date
    disclosures: list[Disclosure] = field(default_factory=list)  # plan staff and the member only

    def in_force(self, consent: Consent) -> bool:
        return policy.in_force(consent.terms(), self.on)

    @property
    def current_support_persons(self) -> list[SupportPerson]:
        return [p for p in self.support_persons if p.end_date is None or p.end_date >= self.on]


def status(consent: Consent, on: date) -> str:
    """In force, revoked, expired or not yet in force, as a short phrase."""
    if consent.revoked_on is not None and consent.revoked_on <= on:
        return f"Revoked {consent.revoked_on:%Y-%m-%d}"
    if consent.expires_on is not None and consent.expires_on < on:
        return f"Expired {consent.expires_on:%Y-%m-%d}"
    if consent.effective_on > on:
        return f"From {consent.effective_on:%Y-%m-%d}"
    if consent.expires_on is not None:
        left = (consent.expires_on - on).days
        if left <= int(storage.config()["EXPIRING_SOON_DAYS"]):
            return f"In force, expires in {left} day{'s' if left != 1 else ''}" if left else "In force, expires today"
    return "In force"


def _label(choices: type, value: str) -> str:
    return dict(choices.choices).get(value, value)  # type: ignore[attr-defined]


def _annotate(consents: list[Consent], on: date) -> None:
    """Labels the panel shows: status, and recipient NPIs with their network names (one query)."""
    npis = sorted({n for c in consents for n in c.recipient_npis or ()})
    names = dict(ProviderOrganization.objects.filter(npi__in=npis).values_list("npi", "name")) if npis else {}
    for c in consents:
        c.status_label = status(c, on)  # type: ignore[attr-defined]
        c.is_in_force = policy.in_force(c.terms(), on)  # type: ignore[attr-defined]
        c.covers_labels = [_label(Category, v) for v in c.categories or ()] + [  # type: ignore[attr-defined]
            _label(Channel, v) for v in c.channels or ()]
        c.recipient_labels = [f"{names.get(n, 'NPI')} ({n})" for n in c.recipient_npis or ()]  # type: ignore[attr-defined]


def _visible_consents(user: User, member: Member, on: date) -> list[Consent]:
    rows = list(Consent.objects.filter(member=member).select_related("recorded_by", "revoked_by"))
    if not user.is_provider_staff:
        return rows
    npis = set(organization_npis(user.organization_id))
    treating = _treating(member.person_id, npis, on)
    return [c for c in rows
            if not c.covers_part2 or policy.names_recipient(c.terms(), npis, treating=treating)]


def consent_panel(user: User, member: Member, *, route: str, on: date | None = None) -> ConsentPanel:
    """The consents and support persons of a member the caller already may see (members.selectors.audited_member),
    recorded as a READ with exactly which rows were shown."""
    on = on or today()
    consents = _visible_consents(user, member, on)
    _annotate(consents, on)
    people = list(SupportPerson.objects.filter(member=member).select_related("authorization"))
    for p in people:
        p.receives_labels = [_label(Receives, v) for v in p.receives]  # type: ignore[attr-defined]
    disclosures = [] if user.is_provider_staff else part2_disclosures(member)
    record(actor=user, action=Action.READ, object_type="Consent", person_id=member.person_id, route=route,
           detail={"consents": [c.pk for c in consents], "support_persons": [p.pk for p in people],
                   "disclosures": len(disclosures)})
    return ConsentPanel(member=member, consents=consents, support_persons=people, on=on, disclosures=disclosures)


def visible_consent(user: User, member: Member, consent_id: int, on: date | None = None) -> Consent | None:
    """One consent of the member if the user may see it (not audited: callers record what they do with it)."""
    return next((c for c in _visible_consents(user, member, on or today()) if c.pk == consent_id), None)


def audited_form(user: User, member: Member, consent_id: int, *, route: str) -> tuple[Consent, bytes] | None:
    """The signed form of a consent the user may see, recorded as a READ; None when there is none to give."""
    consent = visible_consent(user, member, consent_id)
    if consent is None or not consent.has_form:
        return None
    try:
        data = storage.read(consent.form_path, consent.form_sha256)
    except storage.FormError:
        return None
    record(actor=user, action=Action.READ, object_type="ConsentForm", object_id=str(consent.pk),
           person_id=member.person_id, route=route, detail={"sha256": consent.form_sha256})
    return consent, data
