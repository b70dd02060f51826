"""Reading identification results, scoped like member records (members.selectors.visible_members): plan staff see
every identified member, provider staff only members related to their organization, members only themselves.

The worklist (members newly identified, still eligible, or no longer eligible: NoLongerEligible) is keyset-paginated
on priority (one rank per person, so one line per person is a strict order) and each page is one indexed range scan
plus one small query for the page's populations, whatever the run's size. Where a member may have several rows in
the list (still eligible without a population filter), the scan reads enough rows for a page of members.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from carehub import warehouse
from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.identification.models import (
    Change,
    IdentificationRun,
    IdentifiedPopulation,
    NoLongerEligible,
    RunStatus,
)
from carehub.apps.members.models import CareRelationship, Member
from carehub.apps.members.selectors import (
    SCOPING_KINDS,
    current_relationship,
    organization_npis,
    part2_consent,
    today,
    visible_members,
)
from carehub.domain.part2 import REDISCLOSURE_NOTICE, WITHHELD_PLACEHOLDER, is_part2_claim_line
from carehub.domain.populations.labels import (
    CRITERIA,
    EXCLUSIONS,
    PART2_CRITERIA,
    POPULATIONS,
    Evidence,
    label,
    parse_evidence,
    parse_factors,
    short_factors,
    split_codes,
)
from carehub.domain.populations.leaving import DISCONTINUATION, describe, reason_code
from carehub.domain.populations.leaving import LABELS as LEAVING_LABELS

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# The two row models keyed by member that the worklist reads (scoping and filters work on both).
Scoped = TypeVar("Scoped", IdentifiedPopulation, NoLongerEligible)


def latest_runs(limit: int = 24) -> list[IdentificationRun]:
    """The most recent complete runs, newest first."""
    return list(IdentificationRun.objects.filter(status=RunStatus.COMPLETE)
                .select_related("previous_run").order_by("-as_of", "-finished_at")[:limit])


def latest_run() -> IdentificationRun | None:
    return (IdentificationRun.objects.filter(status=RunStatus.COMPLETE).select_related("previous_run")
            .order_by("-as_of", "-finished_at").first())


@dataclass(frozen=True)
class VersionChanges:
    """The rule files and value sets whose content differs between two runs (added or dropped ones included), by
    the hashes each run recorded: why counts may shift between two months beyond the members' own data."""

    rules: list[str]
    value_sets: list[str]
    known: bool = True  # False when either run recorded no hashes (stored before they were kept)

    @property
    def any(self) -> bool:
        return bool(self.rules or self.value_sets)


def version_changes(run: IdentificationRun, other: IdentificationRun) -> VersionChanges:
    mine, theirs = run.versions or {}, other.versions or {}
    if not mine.get("rules") or not theirs.get("rules"):
        return VersionChanges([], [], known=False)

    def changed(kind: str) -> list[str]:
        a, b = mine.get(kind, {}), theirs.get(kind, {})
        return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))

    return VersionChanges(changed("rules"), changed("value_sets"))


def superseding_runs(runs: list[IdentificationRun]) -> dict[int, IdentificationRun]:
    """For each run of `runs` that a later-finished complete run of the same as-of date replaces (the worklist and
    the next month's comparison use the later one), that later run. One query."""
    latest = {}
    for newer in (IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of__in={r.as_of for r in runs})
                  .order_by("as_of", "finished_at")):
        latest[newer.as_of] = newer
    return {r.pk: latest[r.as_of] for r in runs if latest.get(r.as_of) and latest[r.as_of].pk != r.pk}


def run_by_id(run_id: int) -> IdentificationRun | None:
    return IdentificationRun.objects.filter(pk=run_id, status=RunStatus.COMPLETE).select_related("previous_run").first()


def scoped_rows(user: User, run: IdentificationRun) -> QuerySet[IdentifiedPopulation]:
    """The run's rows the user may see: all for plan staff, otherwise only rows of visible members."""
    return _scoped(user, IdentifiedPopulation.objects.filter(run=run))


def _scoped(user: User, rows: QuerySet[Scoped]) -> QuerySet[Scoped]:
    """Rows of a model keyed by member (IdentifiedPopulation, NoLongerEligible) the user may see."""
    if user.is_plan_staff:
        return rows
    if user.is_provider_staff:
        # The rule of visible_members (a current care relationship with one of the organization's NPIs), read
        # straight from the relationships: going through the member table made PostgreSQL scan all of it.
        npis = organization_npis(user.organization_id)
        related = CareRelationship.objects.filter(current_relationship(today()), provider_npi__in=npis,
                                                  kind__in=SCOPING_KINDS)
        return rows.filter(member_id__in=related.values("member_id"))
    return rows.filter(member_id__in=visible_members(user).values("person_id"))


# ---- the worklist ---------------------------------------------------------------------------------------------

# What a worklist shows (WorklistFilter.change): the members new to a population this run (the default), those
# identified in both runs, and those the previous run identified for a population this run does not.
CHANGES = ((Change.NEW.value, "Newly identified"), (Change.STILL.value, "Still eligible"),
           (Change.NO_LONGER.value, "No longer eligible"))


@dataclass(frozen=True)
class WorklistFilter:
    """What the coordinator chose: which change (new, still eligible, no longer eligible), a county, a
    population, whether to include excluded members, and the page start (the last priority shown on the previous
    page)."""

    county: str = ""
    population: str = ""
    include_excluded: bool = False
    after: int = 0
    change: str = Change.NEW.value
    why: str = ""  # no longer eligible: members with this reason (domain.populations.leaving.Leaving)
    exclusion: str = ""  # only the members excluded for this reason (labels.EXCLUSIONS); implies include_excluded

    def __post_init__(self) -> None:
        if self.exclusion:
            object.__setattr__(self, "include_excluded", True)  # frozen: set once, as constructed

    def as_audit(self) -> dict[str, object]:
        return {"change": self.change, "county": self.county, "population": self.population,
                "include_excluded": self.include_excluded, "after": self.after, "why": self.why,
                "exclusion": self.exclusion}

    def query(self, run: IdentificationRun) -> str:
        """The query string of this list of `run` (the worklist's and the download's links; `after` included)."""
        params: dict[str, object] = {"run": run.pk, "change": self.change}
        params.update({k: v for k, v in (("county", self.county), ("population", self.population),
                                         ("why", self.why if self.change == Change.NO_LONGER else "")) if v})
        if self.include_excluded:
            params["excluded"] = self.exclusion or 1  # one choice on the form: leave out, include, or only a reason
        if self.after:
            params["after"] = self.after
        return urlencode(params)


@dataclass
class WorklistLine:
    person_id: str
    cin: str
    name: str
    county: str
    priority: int  # in the run listed: the previous run's for members no longer eligible
    score: float | None
    excluded: bool
    exclusion_reason: str
    continuity: bool
    populations: list[tuple[str, str]]  # (code, label): the populations new, still, or no longer met
    in_database: bool
    still_identified: bool = False  # no longer eligible for these populations, but still identified for another
    # no longer eligible: why, one (code, words) per distinct reason: ("NOT_ENROLLED:2026-10-15", "Medi-Cal
    # eligibility ended 2026-10-15"); none for runs stored before the reasons were kept
    leaving: list[tuple[str, str]] = field(default_factory=list)
    # no longer eligible, for plan staff: the member's ECM assignment is open; the discontinuation the reason calls
    # for (reason code, evidence) when it is one (died, Medi-Cal ended); one already waiting for review
    in_ecm: bool = False
    discontinue: tuple[str, str] | None = None
    discontinuation_id: int | None = None
    # why this priority: (`NAME=value`, short text, full label); none for members no longer eligible
    factors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def exclusion_label(self) -> str:
        """The exclusion in a coordinator's words (the list shows it; the CSV and the API keep the code)."""
        return label(EXCLUSIONS, self.exclusion_reason) if self.exclusion_reason else ""


@dataclass
class WorklistPage:
    run: IdentificationRun | None
    lines: list[WorklistLine]
    next_after: int | None
    filters: WorklistFilter

    @property
    def person_ids(self) -> list[str]:
        return [line.person_id for line in self.lines]

    @property
    def query(self) -> str:
        """This list from its first page (the download's link)."""
        return replace(self.filters, after=0).query(self.run) if self.run else ""

    @property
    def next_query(self) -> str:
        return replace(self.filters, after=self.next_after).query(self.run) if self.run and self.next_after else ""


_LINE_FIELDS = ("member_id", "cin", "county", "priority", "score", "excluded", "exclusion_reason", "continuity",
                "member__first_name", "member__last_name", "member__id")  # member__person_id is the row's own column
_FACTORS = "priority_factors"  # identified rows only: a NoLongerEligible row keeps no factors


def _filtered(rows: QuerySet[Scoped], filters: WorklistFilter) -> QuerySet[Scoped]:
    if filters.population:
        rows = rows.filter(population=filters.population)
    if filters.county:
        rows = rows.filter(county=filters.county)
    if not filters.include_excluded:
        rows = rows.filter(excluded=False)
    if filters.after:
        rows = rows.filter(priority__gt=filters.after)
    if filters.why and rows.model is NoLongerEligible:
        rows = rows.filter(reason=filters.why)
    if filters.exclusion:
        rows = rows.filter(excluded=True, exclusion_reason=filters.exclusion)
    return rows


def _page_rows(rows: QuerySet[Scoped], page_size: int,
               one_row_each: bool) -> tuple[list[dict[str, Any]], bool]:
    """The first page_size people of `rows` by priority (one rank per person), and whether more follow. Where a
    person may have several rows (one per population), enough rows are read to hold page_size + 1 people."""
    limit = (page_size + 1) * (1 if one_row_each else len(POPULATIONS))
    people: dict[int, dict[str, Any]] = {}
    fields = (*_LINE_FIELDS, _FACTORS) if rows.model is IdentifiedPopulation else _LINE_FIELDS
    for row in rows.order_by("priority", "population").values(*fields)[:limit]:
        people.setdefault(row["priority"], row)
    page = list(people.values())
    return page[:page_size], len(page) > page_size


def worklist(user: User, run: IdentificationRun | None, filters: WorklistFilter,
             page_size: int = PAGE_SIZE) -> WorklistPage:
    """A run's members of one kind of change, most urgent first, one line per member with the populations of that
    change: newly identified (no row for that person and population in the previous run), still eligible (a row
    in both), or no longer eligible (a row in the previous run only; listed by the previous run's priority).
    With a population filter, members of that change in that population. Two queries (three for no longer
    eligible): the page (joined to the member for the name) and the page's populations."""
    if run is None:
        return WorklistPage(None, [], None, filters)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    if filters.change == Change.NO_LONGER:
        return _no_longer_page(user, run, filters, page_size)
    rows = scoped_rows(user, run).filter(change=filters.change)
    one_row_each = bool(filters.population) or filters.change == Change.NEW
    if filters.change == Change.NEW and not filters.population:
        rows = rows.filter(lead=True)  # the person's first new row: one line each, on a partial index
    page, has_more = _page_rows(_filtered(rows, filters), page_size, one_row_each)
    populations: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if page:
        for person_id, population in (IdentifiedPopulation.objects
                                      .filter(run=run, change=filters.change,
                                              member_id__in=[r["member_id"] for r in page])
                                      .order_by("population").values_list("member_id", "population")):
            populations[person_id].append((population, label(POPULATIONS, population)))
    lines = [_line(r, populations[r["member_id"]]) for r in page]
    return WorklistPage(run, lines, page[-1]["priority"] if has_more else None, filters)


def _no_longer_page(user: User, run: IdentificationRun, filters: WorklistFilter, page_size: int) -> WorklistPage:
    """Members the previous run identified for a population this run does not (NoLongerEligible, written when
    the run was stored), by the previous run's priority, county and exclusion."""
    rows = _scoped(user, NoLongerEligible.objects.filter(run=run))
    page, has_more = _page_rows(_filtered(rows, filters), page_size, bool(filters.population))
    people = [r["member_id"] for r in page]
    populations: dict[str, list[tuple[str, str]]] = defaultdict(list)
    reasons: dict[str, list[tuple[str, str, date | None]]] = defaultdict(list)
    still: set[str] = set()
    if page:
        for person_id, population, reason, on in (NoLongerEligible.objects.filter(run=run, member_id__in=people)
                                                  .order_by("population")
                                                  .values_list("member_id", "population", "reason", "reason_date")):
            populations[person_id].append((population, label(POPULATIONS, population)))
            reasons[person_id].append((population, reason, on))
        still = set(IdentifiedPopulation.objects.filter(run=run, member_id__in=people)
                    .values_list("member_id", flat=True).distinct())
    lines = [replace(_line(r, populations[r["member_id"]]), still_identified=r["member_id"] in still,
                     leaving=_leaving(reasons[r["member_id"]])) for r in page]
    if page and user.is_plan_staff:
        lines = _with_ecm(run, lines, reasons)
    return WorklistPage(run, lines, page[-1]["priority"] if has_more else None, filters)


def _with_ecm(run: IdentificationRun, lines: list[WorklistLine],
              reasons: dict[str, list[tuple[str, str, date | None]]]) -> list[WorklistLine]:
    """Which of the page's members are in ECM (an open assignment) and, for those who died or lost Medi-Cal, the
    discontinuation to record (or the one already waiting). Two queries."""
    from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
    from carehub.apps.discontinuation.models import Discontinuation, Status

    people = [line.person_id for line in lines]
    in_ecm = set(Assignment.objects.filter(member_id__in=people, status__in=OPEN_STATUSES)
                 .values_list("member_id", flat=True))
    waiting = dict(Discontinuation.objects.filter(member_id__in=people, status=Status.REQUESTED)
                   .values_list("member_id", "pk"))
    out = []
    for line in lines:
        ends = [(DISCONTINUATION[reason], describe(reason, on, population))
                for population, reason, on in reasons[line.person_id] if reason in DISCONTINUATION]
        discontinue = (ends[0][0], f"Identification run of {run.as_of.isoformat()}: {ends[0][1]}") if ends else None
        out.append(replace(line, in_ecm=line.person_id in in_ecm, discontinuation_id=waiting.get(line.person_id),
                           discontinue=discontinue if line.person_id in in_ecm else None))
    return out


def _leaving(reasons: list[tuple[str, str, date | None]]) -> list[tuple[str, str]]:
    """The distinct reasons of a member's rows no longer eligible, as (code, words)."""
    return list(dict.fromkeys((reason_code(reason, on), describe(reason, on, population))
                              for population, reason, on in reasons if reason))


def _line(row: dict[str, Any], populations: list[tuple[str, str]]) -> WorklistLine:
    return WorklistLine(
        person_id=row["member_id"], cin=row["cin"],
        name=f"{row['member__first_name'] or ''} {row['member__last_name'] or ''}".strip(),
        county=row["county"], priority=row["priority"], score=row["score"], excluded=row["excluded"],
        exclusion_reason=row["exclusion_reason"], continuity=row["continuity"], populations=populations,
        in_database=row["member__id"] is not None, factors=short_factors(row.get(_FACTORS)))


def audited_worklist(user: User, run: IdentificationRun | None, filters: WorklistFilter, *, route: str,
                     page_size: int = PAGE_SIZE) -> WorklistPage:
    """The worklist page, recorded as a SEARCH with exactly the person_ids shown."""
    page = worklist(user, run, filters, page_size)
    record(actor=user, action=Action.SEARCH, object_type="IdentifiedPopulation", object_id=str(run.pk if run else ""),
           route=route, detail={"filters": filters.as_audit(), "person_ids": page.person_ids,
                                "has_more": page.next_after is not None})
    return page


def export_lines(user: User, run: IdentificationRun, filters: WorklistFilter) -> Iterator[WorklistLine]:
    """Every line of the worklist with these filters (the CSV download), the same as its pages but from one
    streamed query: the rows of that change by priority, a person's rows together (130,000 members still eligible
    at a million members, where paging took 30 s). The caller records the export (`record_export`)."""
    gone = filters.change == Change.NO_LONGER
    rows: QuerySet[Any]
    if gone:
        in_run = IdentifiedPopulation.objects.filter(run=run, member_id=OuterRef("member_id"))
        rows = _scoped(user, NoLongerEligible.objects.filter(run=run)).annotate(still=Exists(in_run))
        fields = (*_LINE_FIELDS, "population", "still", "reason", "reason_date")
    else:
        rows = scoped_rows(user, run).filter(change=filters.change)
        fields = (*_LINE_FIELDS, "population", _FACTORS)
    # every population of the change is listed, so the population and why filters pick people, not rows
    rows = _filtered(rows, replace(filters, population="", why="", after=0))
    ordered = rows.order_by("priority", "population").values(*fields).iterator(chunk_size=5000)
    for _, group in groupby(ordered, key=itemgetter("priority")):
        people = list(group)
        codes = [row["population"] for row in people]
        if filters.population and filters.population not in codes:
            continue
        if gone and filters.why and filters.why not in {row["reason"] for row in people}:
            continue
        line = _line(people[0], [(code, label(POPULATIONS, code)) for code in codes])
        if gone:
            line = replace(line, still_identified=bool(people[0]["still"]),
                           leaving=_leaving([(r["population"], r["reason"], r["reason_date"]) for r in people]))
        yield line


def record_export(user: User, run: IdentificationRun, filters: WorklistFilter, person_ids: list[str], *,
                  route: str) -> None:
    """The download, recorded as one EXPORT with exactly the person_ids written."""
    record(actor=user, action=Action.EXPORT, object_type="IdentifiedPopulation", object_id=str(run.pk), route=route,
           detail={"filters": filters.as_audit(), "person_ids": person_ids})


def filter_choices(run: IdentificationRun | None) -> tuple[list[tuple[str, str]], list[str]]:
    """Populations (code, label) and counties present in the run (stored on the run record; no query)."""
    if run is None:
        return [], []
    return [(code, label(POPULATIONS, code)) for code in run.counts], list(run.counties)


# ---- the member page section -----------------------------------------------------------------------------------

@dataclass
class PopulationExplanation:
    """Why a member meets (or no longer meets) one population."""

    population: str
    label: str
    change: str
    criteria: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    evidence: list[Evidence] = field(default_factory=list)
    # 42 CFR Part 2: for provider staff without consent, the placeholder shown in every population that may
    # rest on substance use (whatever this member's own criteria), so that it reveals nothing.
    part2_placeholder: str = ""
    leaving: str = ""  # no longer met: why ("Medi-Cal eligibility ended 2026-10-15"), as the run stored it
    leaving_code: str = ""  # the same as a code: NOT_ENROLLED:2026-10-15


@dataclass
class MemberPopulations:
    run: IdentificationRun | None
    populations: list[PopulationExplanation]
    no_longer: list[PopulationExplanation]
    excluded: bool = False
    exclusion_reason: str = ""
    exclusion_label: str = ""
    exclusion_evidence: Evidence | None = None  # what proves it (none from a CSV-stored run)
    continuity: bool = False
    priority: int | None = None
    score: float | None = None
    factors: list[tuple[str, str, str]] = field(default_factory=list)
    part2_withheld: bool = False  # provider staff without a Part 2 consent (the same for every member)
    part2_shared: bool = False  # provider staff seeing Part 2 evidence under a consent: show the notice

    @property
    def part2_placeholder(self) -> str:
        return WITHHELD_PLACEHOLDER if self.part2_withheld else ""

    @property
    def redisclosure_notice(self) -> str:
        return REDISCLOSURE_NOTICE if self.part2_shared else ""

    @property
    def any(self) -> bool:
        return bool(self.populations or self.no_longer)


# Claims cited as evidence lie within the rules' longest look-back (12 months) before the as-of date.
EVIDENCE_CLAIM_DAYS = 400
EVIDENCE_CLAIM_LIMIT = 2000


_PART2 = "_part2"  # on a cited claim's first line: whether any of its lines is a Part 2 record


def _claims_cited(person_id: str, rows: list[IdentifiedPopulation], as_of: date) -> dict[str, dict[str, Any]]:
    """The warehouse's lines of the claims the rows cite, by claim id (first line), so evidence shows dates and
    codes: one warehouse read of this person's row groups, only when a claim is cited."""
    cited = {ref[len("claim:"):] for r in rows for ref in split_codes(r.evidence) if ref.startswith("claim:")}
    if not cited:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for line in warehouse.recent_medical_claims(person_id, as_of - timedelta(days=EVIDENCE_CLAIM_DAYS),
                                                EVIDENCE_CLAIM_LIMIT):
        claim_id = str(line["claim_id"])
        if claim_id in cited:
            first = found.setdefault(claim_id, {**line, _PART2: False})
            first[_PART2] = first[_PART2] or is_part2_claim_line(line)  # any line of the claim makes it Part 2
    return found


def _with_claim(evidence: Evidence, claims: dict[str, dict[str, Any]]) -> Evidence:
    line = claims.get(evidence.detail) if evidence.kind == "claim" else None
    if line is None:
        return evidence
    on = line.get("claim_start_date")
    on = on.date() if isinstance(on, datetime) else on
    codes = [line.get(k) for k in ("place_of_service_code", "bill_type_code", "hcpcs_code", "revenue_center_code",
                                   "diagnosis_code_1")]
    return replace(evidence, on=on, note=" · ".join(str(c) for c in codes if c))


def _sud_claim(evidence: Evidence, claims: dict[str, dict[str, Any]]) -> bool:
    """A cited claim that shows substance use treatment, or that cannot be checked (not in the warehouse, or
    outside the lines read): 42 CFR Part 2 withholds what it cannot clear."""
    if evidence.kind != "claim":
        return False
    line = claims.get(evidence.detail)
    return line is None or bool(line[_PART2])


def _explain(row: IdentifiedPopulation, change: str, show_part2: bool,
             claims: dict[str, dict[str, Any]] | None = None) -> PopulationExplanation:
    claims = claims or {}
    codes = split_codes(row.criteria)
    references = [_with_claim(parse_evidence(ref), claims) for ref in split_codes(row.evidence)]
    # Provider staff without a Part 2 consent: no Drug Medi-Cal spans, no claims showing SUD treatment, and no
    # claims at all behind a criterion that itself says substance use (a secondary diagnosis may be the SUD one).
    # In a population that may rest on substance use, no criteria or evidence at all: what is left (or missing)
    # would tell whether the member qualified through substance use.
    sud_population = not show_part2 and "SUD" in row.population.upper()
    hide_claims = not show_part2 and any(code in PART2_CRITERIA for code in codes)
    shown = [e for e in references
             if show_part2 or not (sud_population or e.is_part2 or _sud_claim(e, claims)
                                   or (hide_claims and e.kind == "claim"))]
    if not show_part2:
        codes = [] if sud_population else [c for c in codes if c not in PART2_CRITERIA]
    shown.sort(key=lambda e: (e.on or date.min, e.kind, e.detail), reverse=True)
    placeholder = WITHHELD_PLACEHOLDER if sud_population else ""
    return PopulationExplanation(population=row.population, label=label(POPULATIONS, row.population), change=change,
                                 criteria=[(c, label(CRITERIA, c)) for c in codes], evidence=shown,
                                 part2_placeholder=placeholder)


def _cites_part2(rows: list[IdentifiedPopulation], claims: dict[str, dict[str, Any]]) -> bool:
    """Whether the rows show Part 2 information: a SUD criterion, a Drug Medi-Cal span, a SUD claim (in the
    evidence of a population or of the exclusion)."""
    for row in rows:
        if any(code in PART2_CRITERIA for code in split_codes(row.criteria)):
            return True
        references = [*split_codes(row.evidence), *split_codes(row.exclusion_evidence)]
        if any(e.is_part2 or _sud_claim(e, claims) for e in map(parse_evidence, references)):
            return True
    return False


def member_populations(user: User, member: Member) -> MemberPopulations:
    """The member's rows in the latest run and the previous one: what they meet now (new or still eligible) with
    criteria and evidence, what they no longer meet and why, and any exclusion. The caller has already decided the
    user may see this member (members.selectors.audited_member). Three queries, a fourth when they no longer meet
    one."""
    run = latest_run()
    if run is None:
        return MemberPopulations(None, [], [])
    run_ids = [run.pk] + ([run.previous_run_id] if run.previous_run_id else [])
    rows = list(IdentifiedPopulation.objects.filter(member_id=member.person_id, run_id__in=run_ids)
                .order_by("population"))
    current = [r for r in rows if r.run_id == run.pk]
    before = {r.population: r for r in rows if r.run_id != run.pk}
    consent = part2_consent(user, member) if user.is_provider_staff else None
    show_part2 = not user.is_provider_staff or consent is not None
    claims = _claims_cited(member.person_id, current, run.as_of)
    if consent is not None and _cites_part2(current, claims):
        from carehub.apps.consents.selectors import record_part2_disclosure

        record_part2_disclosure(user, member, consent, what="identification criteria and evidence")
    gone = sorted(set(before) - {r.population for r in current})
    why = {population: (describe(reason, on, population), reason_code(reason, on))
           for population, reason, on in (
               NoLongerEligible.objects.filter(run=run, member_id=member.person_id, population__in=gone)
               .exclude(reason="").values_list("population", "reason", "reason_date"))} if gone else {}
    result = MemberPopulations(
        run=run, populations=[_explain(r, r.change, show_part2, claims) for r in current],
        no_longer=[replace(_explain(before[p], Change.NO_LONGER, show_part2), leaving=why.get(p, ("", ""))[0],
                           leaving_code=why.get(p, ("", ""))[1]) for p in gone],
        part2_withheld=not show_part2, part2_shared=show_part2 and user.is_provider_staff)
    if current:
        first = current[0]
        result.excluded, result.exclusion_reason = first.excluded, first.exclusion_reason
        result.exclusion_label = label(EXCLUSIONS, first.exclusion_reason) if first.exclusion_reason else ""
        proof = parse_evidence(first.exclusion_evidence) if first.exclusion_evidence else None
        result.exclusion_evidence = proof if proof is not None and (show_part2 or not proof.is_part2) else None
        result.continuity, result.priority, result.score = first.continuity, first.priority, first.score
        result.factors = parse_factors(first.priority_factors)
    return result


def audited_member_populations(user: User, member: Member, *, route: str) -> MemberPopulations:
    """The member page section, recorded as a READ of the member's identification rows (nothing is recorded before
    any run exists: then nothing was read)."""
    section = member_populations(user, member)
    if section.run is None:
        return section
    record(actor=user, action=Action.READ, object_type="IdentifiedPopulation",
           object_id=str(section.run.pk if section.run else ""), person_id=member.person_id, route=route,
           detail={"populations": [p.population for p in section.populations],
                   "no_longer": [p.population for p in section.no_longer]})
    return section


# ---- run summary ------------------------------------------------------------------------------------------------

@dataclass
class SummaryLine:
    """One line of the run summary (a population or a county) with its counts, and the worklist query of each
    list it counts (every member, the excluded included, as the counts are)."""

    label: str
    members: int
    excluded: int
    new: int
    still: int
    no_longer: int
    list_query: str = ""  # the newly identified list, as the worklist opens (excluded left out)
    new_query: str = ""
    still_query: str = ""
    no_longer_query: str = ""


def _summary_line(run: IdentificationRun, label_text: str, counts: dict[str, int], members: int,
                  **filters: str) -> SummaryLine:
    def query(change: Change, include_excluded: bool = True) -> str:
        return WorklistFilter(change=change.value, include_excluded=include_excluded, **filters).query(run)

    return SummaryLine(label=label_text, members=members, excluded=counts.get("excluded", 0),
                       new=counts.get("NEW", 0), still=counts.get("STILL", 0), no_longer=counts.get("NO_LONGER", 0),
                       list_query=query(Change.NEW, include_excluded=False), new_query=query(Change.NEW),
                       still_query=query(Change.STILL), no_longer_query=query(Change.NO_LONGER))


def run_summary(run: IdentificationRun) -> list[SummaryLine]:
    """Counts by population (rows: person and population) for the run summary page (stored on the run; no
    query)."""
    return [_summary_line(run, label(POPULATIONS, code), c, c.get("rows", 0), population=code)
            for code, c in run.counts.items()]


@dataclass(frozen=True)
class LeavingLine:
    label: str
    members: int
    query: str  # the list of the members no longer eligible for this reason


def leaving_summary(run: IdentificationRun) -> list[LeavingLine]:
    """Members no longer eligible by why (a member with two reasons counts under each), for the run summary. One
    grouped query of the run's rows no longer eligible."""
    counts = dict(NoLongerEligible.objects.filter(run=run).exclude(reason="").order_by().values("reason")
                  .annotate(people=Count("member", distinct=True)).values_list("reason", "people"))
    return [LeavingLine(LEAVING_LABELS[code], counts[code],
                        WorklistFilter(change=Change.NO_LONGER.value, include_excluded=True, why=code).query(run))
            for code in LEAVING_LABELS if counts.get(code)]


@dataclass(frozen=True)
class ExclusionLine:
    code: str
    label: str
    members: int  # excluded for this reason (one reason per person: exclusion.sql)
    new: int
    still: int
    new_query: str  # the lists of the members excluded for this reason, newly identified and still eligible
    still_query: str


def exclusion_summary(run: IdentificationRun) -> list[ExclusionLine]:
    """Members excluded by reason, newly identified and still eligible, in the order of the spec's table, for the
    run summary (spec "Exclusions": reported, never silently dropped). One grouped query of the run's excluded
    rows."""
    counts = {code: (people, new, still) for code, people, new, still in (
        IdentifiedPopulation.objects.filter(run=run, excluded=True).order_by().values("exclusion_reason")
        .annotate(people=Count("member", distinct=True),
                  new=Count("member", distinct=True, filter=Q(change=Change.NEW)),
                  still=Count("member", distinct=True, filter=Q(change=Change.STILL)))
        .values_list("exclusion_reason", "people", "new", "still"))}

    def query(change: Change, code: str) -> str:
        return WorklistFilter(change=change.value, exclusion=code).query(run)

    known = [code for code in EXCLUSIONS if code in counts] + sorted(set(counts) - set(EXCLUSIONS))
    return [ExclusionLine(code, label(EXCLUSIONS, code), *counts[code], query(Change.NEW, code),
                          query(Change.STILL, code))
            for code in known]


def county_summary(run: IdentificationRun) -> list[SummaryLine]:
    """Members by county for the run summary page, as the worklist's lists count them (stored on the run; no
    query)."""
    return [_summary_line(run, county or "Unknown county", c, c.get("people", 0), county=county)
            for county, c in run.county_counts.items()]
