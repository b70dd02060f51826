"""Reading member records, scoped to who is asking (DESIGN.md "Access and audit").

Plan staff see every member; provider staff see the members their organization has a current care relationship
with; a member sees only their own record. Views and the API read members only through these functions, so a
record outside the user's scope is simply not found. Part 2 (substance use) rows are removed here too.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import CharField, Exists, Func, OuterRef, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThan
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
    RelationshipKind,
)
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain.part2 import (
    REDISCLOSURE_NOTICE,
    WITHHELD_EXPLANATION,
    WITHHELD_PLACEHOLDER,
    is_part2_claim_line,
    is_part2_program,
)

PAGE_SIZE = 50
UTILIZATION_MONTHS = 12
UTILIZATION_LIMIT = 50
PART2_NOTE = f"{WITHHELD_PLACEHOLDER}. {WITHHELD_EXPLANATION}"


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


def sees_part2(user: User, member: Member | str | None = None, on: date | None = None) -> bool:
    """Whether the user may see the member's 42 CFR Part 2 (substance use disorder) records. Plan staff and the
    member themself do; provider staff only under a consent in force that names their organization (by NPI or
    as part of the member's care team): carehub.apps.consents.selectors. Without a member, provider staff don't."""
    if not user.is_provider_staff:
        return True
    return member is not None and part2_consent(user, member, on) is not None


def part2_consent(user: User, member: Member | str, on: date | None = None) -> Any:
    """The consent (consents.models.Consent) under which a provider user sees the member's Part 2 records, or
    None. Asked afresh each time (two queries), so a revocation takes effect on the next read."""
    from carehub.apps.consents.selectors import part2_consent_for_user  # the consents app reads members too

    return part2_consent_for_user(user, member, on)


# The relationships that let a provider's staff see a member (DESIGN "Access and audit").
SCOPING_KINDS = (RelationshipKind.ASSIGNED, RelationshipKind.REFERRED)


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
        # DESIGN "Access and audit": currently assigned or referred. A PCP or program relationship from the plan's
        # load alone opened the full record, claims included (found by an audit of the API).
        related = CareRelationship.objects.filter(
            current_relationship(on or today()), member_id=OuterRef("person_id"), provider_npi__in=npis,
            kind__in=SCOPING_KINDS)
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


class CodePoint(Func):
    """A name column compared by code point, whatever the database's collation: PostgreSQL `name COLLATE "C"`
    (matched by the index member_name_cp_idx, migration members 0003); SQLite already compares by code point."""

    template = "%(expressions)s"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template='(%(expressions)s COLLATE "C")', **extra)


def _prefix_range(field_name: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written as a range by code point (prefix <= field < prefix with its last
    character bumped), which is exactly "starts with" and which the planner reads straight off the name index, in
    order and stopping at the page size. Not a range in the database's collation plus a LIKE, as it was: under a
    linguistic collation (en_US) the range alone takes in "Reyes" for "REYE", and PostgreSQL counted the two
    filters as independent, 367 rows for 19,958 "Reye%" at 1M members, then walked every match probing a
    provider's care relationships (bench/README.md, "Member search on true counts")."""
    if not prefix:
        return Q()
    if ord(prefix[-1]) == sys.maxunicode:  # no character above it to bound the range with
        return Q(GreaterThanOrEqual(CodePoint(field_name), prefix), **{f"{field_name}__startswith": prefix})
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(GreaterThanOrEqual(CodePoint(field_name), prefix), LessThan(CodePoint(field_name), upper))


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
        if not last:  # ", Ana": nothing before the comma; search what follows as typed text
            return _alternatives(first) if first and "," not in first else []
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


_ORDER = (CodePoint("last_name"), CodePoint("first_name"), "person_id")  # as member_name_cp_idx
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
    # Provider staff without a Part 2 consent: True whether or not the member has any Part 2 records, so that
    # the page says the same thing either way (no counts, no "none shown").
    part2_withheld: bool = False
    # Provider staff who see Part 2 records under a consent: that consent (the page shows the redisclosure notice).
    part2_consent: Any = None

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
        return PART2_NOTE if self.part2_withheld else ""

    @property
    def part2_placeholder(self) -> str:
        return WITHHELD_PLACEHOLDER if self.part2_withheld else ""

    @property
    def part2_explanation(self) -> str:
        return WITHHELD_EXPLANATION if self.part2_withheld else ""

    @property
    def redisclosure_notice(self) -> str:
        return REDISCLOSURE_NOTICE if self.part2_consent is not None else ""

    def is_part2_program(self, program: ProgramEnrollment) -> bool:
        return is_part2_program(program.program)


def _since(on: date, months: int) -> date:
    return on - timedelta(days=round(months * 30.44))


def member_record(user: User, member: Member) -> MemberRecord:
    """The member page's content, a fixed number of queries whatever the member's history. Part 2 records
    (Drug Medi-Cal programs, claim lines showing substance use treatment) are left out for provider staff
    without a consent in force naming their organization (sees_part2)."""
    consent = part2_consent(user, member) if user.is_provider_staff else None
    show_part2 = not user.is_provider_staff or consent is not None
    programs = list(ProgramEnrollment.objects.filter(member=member))
    # The member's Drug Medi-Cal providers (program detail): any claim they billed is a Part 2 record too.
    part2_npis = {p.detail for p in programs if is_part2_program(p.program) and p.detail}
    if not show_part2:
        programs = [p for p in programs if not is_part2_program(p.program)]
    since = _since(today(), UTILIZATION_MONTHS)
    claims = warehouse.recent_medical_claims(member.person_id, since, UTILIZATION_LIMIT)
    # a claim is a Part 2 record when any of its lines is (a substance use service billed on its second line)
    part2_claims = {c["claim_id"] for c in claims if is_part2_claim_line(c) or c.get("billing_npi") in part2_npis}
    if not show_part2:
        claims = [c for c in claims if c["claim_id"] not in part2_claims]
    if consent is not None and (any(is_part2_program(p.program) for p in programs)
                                or any(c["claim_id"] in part2_claims for c in claims)):
        from carehub.apps.consents.selectors import record_part2_disclosure

        record_part2_disclosure(user, member, consent, what="member record: programs and claims")
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
        part2_withheld=not show_part2,
        part2_consent=consent,
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


def member_by_person_id_or_cin(user: User, text: str) -> Member | None:
    """The member a reviewer names by person id (P...) or by CIN (the Medi-Cal member id, any case), if the user
    may see them; None both when they may not and when there is no such member. Staff copy whichever the page in
    front of them shows: member search and the referral show the CIN."""
    text = text.strip()[:64]
    if not text:
        return None
    members = visible_members(user)
    return members.filter(person_id=text).first() or members.filter(member_id=text.upper()).first()
