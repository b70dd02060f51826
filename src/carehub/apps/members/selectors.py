"""Reading member records, scoped to who is asking (DESIGN.md "Access and audit").

Plan staff see every member; provider staff see the members their organization has a current care relationship
with; a member sees only their own record. Views and the API read members only through these functions, so a
record outside the user's scope is simply not found. Part 2 (substance use) rows are removed here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from carehub import warehouse
from carehub.apps.accounts.models import Organization, User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.models import (
    Assessment,
    CareRelationship,
    EligibilitySpan,
    HousingEpisode,
    Incarceration,
    Member,
    PcpAssignment,
    ProgramEnrollment,
)
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain.part2 import is_part2_program, is_sud_diagnosis

PAGE_SIZE = 50
UTILIZATION_MONTHS = 12
UTILIZATION_LIMIT = 50
PART2_NOTE = ("Some substance use disorder treatment information is not shown. Federal rules (42 CFR Part 2) "
              "allow it to be shared with providers only with the member's written consent, and no consent is "
              "on file.")


def today() -> date:
    return timezone.localdate()


def current_relationship(on: date) -> Q:
    """A care relationship in force on a day: started, and not yet ended (an open end date counts as current)."""
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def organization_npis(organization_id: int | None) -> list[str]:
    """The NPIs a provider organization acts under: its own and those of its linked network records (one query)."""
    if organization_id is None:
        return []
    rows = Organization.objects.filter(pk=organization_id).values_list("npi", "providers__npi")
    return sorted({npi for row in rows for npi in row if npi})


def sees_part2(user: User) -> bool:
    """Provider users never see Part 2 information until a consent model exists; plan staff and the member do."""
    return not user.is_provider_staff


def visible_members(user: User, on: date | None = None) -> QuerySet[Member]:
    """Every member the user may see. Unknown or missing roles see nobody."""
    if user.is_plan_staff:
        return Member.objects.all()
    if user.is_member:
        return Member.objects.filter(pk=user.member_id) if user.member_id else Member.objects.none()
    if user.is_provider_staff:
        npis = organization_npis(user.organization_id)
        if not npis:
            return Member.objects.none()
        related = CareRelationship.objects.filter(
            current_relationship(on or today()), member_id=OuterRef("person_id"), provider_npi__in=npis)
        return Member.objects.filter(Exists(related))
    return Member.objects.none()


# ---- search ------------------------------------------------------------------------------------------------

_CIN = re.compile(r"^[A-Za-z0-9-]*\d[A-Za-z0-9-]*$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class MemberQuery:
    """What the user typed: a name ("Last", "Last, First" or "First Last"), a CIN, and/or a date of birth."""

    text: str = ""
    birth_date: date | None = None

    @property
    def is_empty(self) -> bool:
        return not self.text and self.birth_date is None

    def as_audit(self) -> dict[str, str]:
        return {"text": self.text, "birth_date": self.birth_date.isoformat() if self.birth_date else ""}


def parse_date(value: str) -> date | None:
    value = value.strip()
    match = _US_DATE.match(value)
    try:
        if match:
            return date(int(match[3]), int(match[1]), int(match[2]))
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _prefix_range(field_name: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written as a range (prefix <= field < prefix with its last character bumped)
    so that the planner reads it straight off the b-tree, the (last_name, first_name) index included, in order
    and stopping at the page size; the LIKE keeps the meaning exact under a linguistic collation."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": upper, f"{field_name}__startswith": prefix})


def _variants(prefix: str) -> list[str]:
    """The usual spellings of what was typed ("garcia" -> garcia, Garcia, GARCIA): tried one by one instead of
    UPPER(name), which no index covers."""
    return sorted({prefix, prefix.title(), prefix.upper(), prefix[:1].upper() + prefix[1:]})


def _any_case(field_name: str, prefix: str) -> Q:
    q = Q()
    for variant in _variants(prefix):
        q |= _prefix_range(field_name, variant)
    return q


def _alternatives(text: str) -> list[Q]:
    """What the text may mean, each alternative one ordered index range, so each is its own cheap query (an OR of
    ranges would make the database collect and sort every match, 50k rows for a common name)."""
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        return [_prefix_range("last_name", v) & (_any_case("first_name", first) if first else Q())
                for v in _variants(last)]
    if _CIN.match(text):
        return [Q(member_id=text) | Q(member_id=text.upper()) | Q(person_id=text)]
    alternatives = [_prefix_range("last_name", v) for v in _variants(text)]
    tokens = text.split()
    if len(tokens) > 1:
        alternatives += [_prefix_range("last_name", v) & _any_case("first_name", tokens[0])
                         for v in _variants(" ".join(tokens[1:]))]
    return alternatives


@dataclass(frozen=True)
class SearchPage:
    members: list[Member]
    has_more: bool

    @property
    def person_ids(self) -> list[str]:
        return [m.person_id for m in self.members]


_ORDER = ("last_name", "first_name", "person_id")
_SHOWN = ("person_id", "member_id", "first_name", "last_name", "birth_date", "county", "city")


def search_members(user: User, query: MemberQuery, limit: int = PAGE_SIZE) -> SearchPage:
    """At most `limit` matching members the user may see, by name. Every lookup is an indexed one (exact CIN or
    person_id, birth date, last-name prefix as an index range), so a search stays quick with a million members.
    A name search runs one small query per spelling variant (at most a handful) and merges them."""
    if query.is_empty:
        return SearchPage([], False)
    qs = visible_members(user)
    text = query.text.strip()
    birth_date = query.birth_date
    if text and birth_date is None and (as_date := parse_date(text)) is not None:
        text, birth_date = "", as_date
    if birth_date is not None:
        qs = qs.filter(birth_date=birth_date)
    qs = qs.order_by(*_ORDER).only(*_SHOWN)
    found: dict[str, Member] = {}
    for alternative in _alternatives(text) if text else [Q()]:
        for member in qs.filter(alternative)[: limit + 1]:
            found[member.person_id] = member
    rows = sorted(found.values(), key=lambda m: (m.last_name, m.first_name, m.person_id))
    return SearchPage(rows[:limit], len(rows) > limit)


def member_for(user: User, person_id: str) -> Member | None:
    """The member if the user may see them; None both when they may not and when no such member exists."""
    return visible_members(user).filter(person_id=person_id).first()


# ---- the member page ---------------------------------------------------------------------------------------

@dataclass
class MemberRecord:
    """Everything the member page shows, already filtered for the user."""

    member: Member
    eligibility: list[EligibilitySpan]
    pcp_assignments: list[PcpAssignment]
    provider_names: dict[str, str]
    programs: list[ProgramEnrollment]
    housing: list[HousingEpisode]
    incarceration: list[Incarceration]
    assessments: list[Assessment]
    claims: list[dict[str, Any]]
    claims_since: date
    part2_hidden: dict[str, int] = field(default_factory=dict)

    @property
    def current_eligibility(self) -> EligibilitySpan | None:
        on = today()
        for span in self.eligibility:
            if span.start_date <= on and (span.end_date is None or span.end_date >= on):
                return span
        return None

    @property
    def current_pcp_npi(self) -> str:
        on = today()
        for row in self.pcp_assignments:
            if row.start_date <= on and (row.end_date is None or row.end_date >= on):
                return row.pcp_npi
        return self.member.pcp_npi

    @property
    def current_pcp_name(self) -> str:
        return self.provider_names.get(self.current_pcp_npi, "")

    @property
    def part2_note(self) -> str:
        return PART2_NOTE if any(self.part2_hidden.values()) else ""


def _since(on: date, months: int) -> date:
    return on - timedelta(days=round(months * 30.44))


def member_record(user: User, member: Member) -> MemberRecord:
    """The member page's content, a fixed number of queries whatever the member's history."""
    show_part2 = sees_part2(user)
    programs = list(ProgramEnrollment.objects.filter(member=member))
    hidden_programs = 0 if show_part2 else sum(is_part2_program(p.program) for p in programs)
    if not show_part2:
        programs = [p for p in programs if not is_part2_program(p.program)]
    since = _since(today(), UTILIZATION_MONTHS)
    claims = warehouse.recent_medical_claims(member.person_id, since, UTILIZATION_LIMIT)
    hidden_claims = 0 if show_part2 else sum(is_sud_diagnosis(c.get("diagnosis_code_1")) for c in claims)
    if not show_part2:
        claims = [c for c in claims if not is_sud_diagnosis(c.get("diagnosis_code_1"))]
    pcps = list(PcpAssignment.objects.filter(member=member))
    npis = {p.pcp_npi for p in pcps} | {member.pcp_npi} | {c["billing_npi"] for c in claims if c.get("billing_npi")}
    npis.discard("")
    names = dict(ProviderOrganization.objects.filter(npi__in=sorted(npis)).values_list("npi", "name")) if npis else {}
    for claim in claims:
        for key, value in claim.items():
            if isinstance(value, datetime):
                claim[key] = value.date()
        claim["billing_provider"] = names.get(claim.get("billing_npi") or "", "")
    return MemberRecord(
        member=member,
        eligibility=list(EligibilitySpan.objects.filter(member=member)),
        pcp_assignments=pcps,
        provider_names=names,
        programs=programs,
        housing=list(HousingEpisode.objects.filter(member=member)),
        incarceration=list(Incarceration.objects.filter(member=member)),
        assessments=list(Assessment.objects.filter(member=member)[:50]),
        claims=claims,
        claims_since=since,
        part2_hidden={"programs": hidden_programs, "claims": hidden_claims},
    )


# ---- audited reads: what views and the API call ------------------------------------------------------------

def audited_search(user: User, query: MemberQuery, *, route: str, limit: int = PAGE_SIZE) -> SearchPage:
    """Search, and record the query and exactly which members were shown."""
    page = search_members(user, query, limit)
    if not query.is_empty:
        record(actor=user, action=Action.SEARCH, object_type="Member", route=route,
               detail={"query": query.as_audit(), "person_ids": page.person_ids, "has_more": page.has_more})
    return page


def audited_member(user: User, person_id: str, *, route: str) -> Member | None:
    """The member for a page or API read (recorded as READ), or None (recorded as DENIED): the caller answers
    404 either way, so nobody learns whether a member they may not see exists."""
    member = member_for(user, person_id)
    if member is None:
        record(actor=user, action=Action.DENIED, object_type="Member", person_id=person_id[:64], route=route,
               detail={"reason": "not in the user's scope or not found"})
        return None
    record(actor=user, action=Action.READ, object_type="Member", object_id=person_id, person_id=person_id,
           route=route)
    return member
