"""Storing identification runs in the operational database (the only writes of this app).

`store_run` takes the rows of one run (from the DuckDB connection the runner left them on, or from the output
CSV, whichever engine wrote it) and stores them in one transaction: one run record, the rows in bulk (PostgreSQL
COPY through psycopg 3; SQLite executemany in large batches, no model instances), the comparison with the previous
run (each row new or still eligible, and the previous run's rows this run lacks as NoLongerEligible), the counts,
and one audit event with counts only.

Idempotency: a run is identified by (as-of date, rule version, value-set version). Storing the same run again
REPLACES that run's rows (the plan data may have been corrected and reloaded in between) and keeps its record,
counting how often it was stored; it never creates a second run for the same as-of and versions.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import duckdb
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import JobActor, record
from carehub.apps.engagement.models import Enrollment, EnrollmentStatus
from carehub.apps.identification.models import (
    Change,
    IdentificationRun,
    IdentifiedPopulation,
    NoLongerEligible,
    RunSource,
    RunStatus,
)
from carehub.apps.members.models import EligibilitySpan, Member
from carehub.domain.populations.leaving import MemberFacts, leaving, member_facts
from carehub.domain.populations.runner import OUTPUT_TABLE, VALUE_SETS_DIR, Versions, load_rules, value_set_files
from carehub.domain.populations.valueset_diff import plan_differences

# The order of a stored row as the writers receive it (database column names of IdentifiedPopulation).
ROW_COLUMNS = ("person_id", "cin", "population", "criteria", "evidence", "excluded", "exclusion_reason",
               "continuity", "priority", "county", "score", "priority_factors", "exclusion_evidence")
INSERT_COLUMNS = ("run_id", *ROW_COLUMNS, "change", "lead")
BATCH = 20_000

Row = tuple[Any, ...]


# ---- versions ---------------------------------------------------------------------------------------------------

def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def current_versions(value_sets: Path | None = None) -> Versions:
    """The content hashes of the rule files and of the value sets a run with `value_sets` would use (the same
    per-file hashes the runner reports)."""
    return Versions(rules={r.name: _digest(r.sql.encode()) for r in load_rules()},
                    value_sets={name: _digest(path.read_bytes()) for name, path in value_set_files(value_sets).items()})


def combined(hashes: dict[str, str]) -> str:
    """One version string for a set of files: a hash over their names and hashes."""
    return _digest(";".join(f"{name}={digest}" for name, digest in sorted(hashes.items())).encode())


# ---- what identification needs from the operational database ---------------------------------------------------

def write_outreach_outcomes(out: Path) -> int:
    """Write, as the runner's `outreach_outcome` table (CSV: person_id, outcome, outcome_date), each member's
    latest ECM enrollment when it ended UNREACHABLE or DECLINED (seed 004 VI.C.1.d, "unresponsive to outreach
    attempts"): a later enrollment of the member (outreach started again) supersedes it. Returns the rows written;
    one audit event records the read, with the count only."""
    latest: dict[str, tuple[date, str, date | None]] = {}  # person -> (latest date, status, date it ended so)
    fields = ("assignment__member_id", "status", "outreach_started_on", "enrolled_on", "declined_on",
              "unreachable_on", "stopped_on", "discontinued_on")
    for person_id, status, *dates in Enrollment.objects.values_list(*fields).iterator(chunk_size=BATCH):
        _started, _enrolled, declined, unreachable, _stopped, _discontinued = dates
        known = [d for d in dates if d is not None]
        if known and (person_id not in latest or max(known) > latest[person_id][0]):
            ended = {EnrollmentStatus.UNREACHABLE: unreachable, EnrollmentStatus.DECLINED: declined}.get(status)
            latest[person_id] = (max(known), status, ended)
    rows = [(person_id, status, ended) for person_id, (_last, status, ended) in sorted(latest.items())
            if ended is not None]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("person_id", "outcome", "outcome_date"))
        writer.writerows((person_id, status, ended.isoformat()) for person_id, status, ended in rows)
    record(actor=JobActor("identify"), action=Action.READ, object_type="Enrollment",
           purpose="identification: the UNRESPONSIVE exclusion", detail={"outreach_outcomes": len(rows)})
    return len(rows)


# ---- reading the runner's output --------------------------------------------------------------------------------

def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "1", "yes")
    return bool(value)


def _normalized(row: Row) -> Row:
    (person_id, cin, population, criteria, evidence, excluded, reason, continuity, priority, county, score,
     factors, exclusion_evidence) = row
    return (str(person_id), cin or "", population, criteria or "", evidence or "", _flag(excluded), reason or "",
            _flag(continuity), int(priority), county or "", float(score) if score not in (None, "") else None,
            factors or "", exclusion_evidence or "")


def rows_from_connection(con: duckdb.DuckDBPyConnection, batch: int = BATCH) -> Iterator[Row]:
    """The output rows of `identify` on this connection, with the county of the person on the as-of date, the
    priority score and factors and the exclusion's evidence, which the output table keeps beside the CSV contract's
    columns."""
    cursor = con.execute(
        "SELECT person_id, member_id, population, criteria, evidence, excluded, exclusion_reason, continuity, "
        f"priority, county, score, factors, exclusion_evidence FROM {OUTPUT_TABLE} "
        "ORDER BY priority, person_id, population")
    while chunk := cursor.fetchmany(batch):
        yield from (_normalized(row) for row in chunk)


def rows_from_csv(path: Path) -> Iterator[Row]:
    """The rows of an output CSV (spec/input-layout.md output contract). The CSV carries neither county nor score:
    county is filled from the member record when stored; score, factors and exclusion evidence stay empty."""
    with Path(path).open(newline="") as f:
        for r in csv.DictReader(f):
            yield _normalized((r["person_id"], r["member_id"], r["population"], r["criteria"], r["evidence"],
                               r["excluded"], r["exclusion_reason"], r["continuity"], r["priority"], "", None, "", ""))


# ---- writing ----------------------------------------------------------------------------------------------------

def _table() -> str:
    return connection.ops.quote_name(IdentifiedPopulation._meta.db_table)


def _insert(rows: Iterable[Row], table: str | None = None, names: tuple[str, ...] = INSERT_COLUMNS) -> int:
    """Insert complete rows (`names` order; by default identified rows in INSERT_COLUMNS order) in bulk; returns
    how many."""
    count = 0
    table = table or _table()
    columns = ", ".join(connection.ops.quote_name(c) for c in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
        iterator = iter(rows)
        while chunk := list(islice(iterator, BATCH)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _empty_counts() -> dict[str, int]:
    return {"rows": 0, "excluded": 0, "NEW": 0, "STILL": 0, "NO_LONGER": 0}


class _Comparison:
    """Compares rows with the previous run while they stream to the database, so each row is written once with
    its final `change` and `lead`, and the counts need no second pass. Holds the previous run's (person,
    population) pairs in memory: a few hundred thousand at a million members."""

    def __init__(self, run_id: int, previous: IdentificationRun | None) -> None:
        self.run_id = run_id
        self.previous: set[tuple[str, str]] = set()
        if previous is not None:
            self.previous = set(IdentifiedPopulation.objects.filter(run=previous)
                                .values_list("member_id", "population").iterator(chunk_size=BATCH))
        self.current: set[tuple[str, str]] = set()
        self.counts: dict[str, dict[str, int]] = {}
        self.people: set[str] = set()
        self.excluded: set[str] = set()
        self.led: set[str] = set()
        self.counties: set[str] = set()
        self.missing_county = False
        self.gone: set[tuple[str, str]] = set()  # the previous run's pairs this run lacks (after finish)

    def annotate(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            person_id, population, excluded, county = row[0], row[2], row[5], row[9]
            pair = (person_id, population)
            change = Change.STILL if pair in self.previous else Change.NEW
            lead = change == Change.NEW and person_id not in self.led
            if lead:
                self.led.add(person_id)
            self.current.add(pair)
            self.people.add(person_id)
            if excluded:
                self.excluded.add(person_id)
            if county:
                self.counties.add(county)
            else:
                self.missing_county = True
            entry = self.counts.setdefault(population, _empty_counts())
            entry["rows"] += 1
            entry["excluded"] += int(excluded)
            entry[change.value] += 1
            yield (self.run_id, *row, change.value, lead)

    def finish(self, run: IdentificationRun) -> None:
        self.gone = self.previous - self.current
        for _, population in self.gone:
            self.counts.setdefault(population, _empty_counts())["NO_LONGER"] += 1
        run.counts = dict(sorted(self.counts.items()))
        run.rows = sum(c["rows"] for c in self.counts.values())
        run.people, run.excluded_people, run.new_people = len(self.people), len(self.excluded), len(self.led)
        run.counties = sorted(self.counties)


def previous_run(run: IdentificationRun) -> IdentificationRun | None:
    """The run to compare with: the most recently finished complete run of the latest earlier as-of date."""
    return (IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of__lt=run.as_of)
            .order_by("-as_of", "-finished_at").first())


def _compare_again(run: IdentificationRun) -> None:
    """Compare a stored run anew with its previous run (for the rare run whose previous month was stored after
    it): its rows are read back, deleted and re-inserted through the same `_Comparison` as a fresh store."""
    rows = list(IdentifiedPopulation.objects.filter(run=run).order_by("priority", "member_id", "population")
                .values_list("member_id", *ROW_COLUMNS[1:]).iterator(chunk_size=BATCH))
    IdentifiedPopulation.objects.filter(run=run).delete()
    run.previous_run = previous_run(run)
    comparison = _Comparison(run.pk, run.previous_run)
    _insert(comparison.annotate(rows))
    comparison.finish(run)
    _record_no_longer(run, comparison.gone)
    _count_by_county(run)
    run.save(update_fields=["previous_run", "counties", "counts", "county_counts", "rows", "people",
                            "excluded_people", "new_people"])


# What NoLongerEligible keeps of the previous run's row (the same column names in both tables).
_NO_LONGER_COLUMNS = ("person_id", "population", "cin", "priority", "county", "score", "excluded", "exclusion_reason",
                      "continuity")


def _record_no_longer(run: IdentificationRun, gone: set[tuple[str, str]]) -> None:
    """Write the run's NoLongerEligible rows anew from the (person, population) pairs of the previous run that this
    run lacks (the comparison knows them): one read of the previous run's rows, keeping those pairs. Neither one
    INSERT ... NOT EXISTS nor lookups by person: right after the COPY, PostgreSQL's statistics do not know the
    runs, and it planned nested loops over whole runs (minutes at a million members)."""
    NoLongerEligible.objects.filter(run=run).delete()
    if run.previous_run_id is None or not gone:
        return
    fields = ["member_id" if c == "person_id" else c for c in _NO_LONGER_COLUMNS]
    previous = (IdentifiedPopulation.objects.filter(run_id=run.previous_run_id).order_by()
                .values_list(*fields).iterator(chunk_size=BATCH))
    kept = [row for row in previous if (row[0], row[1]) in gone]  # read before the COPY: one connection
    facts = _member_facts(sorted({row[0] for row in kept}), run.as_of)
    rows = [(run.pk, *row, *leaving(row[1], run.as_of, facts.get(row[0]))) for row in kept]
    _insert(rows, connection.ops.quote_name(NoLongerEligible._meta.db_table),
            ("run_id", *_NO_LONGER_COLUMNS, "reason", "reason_date"))


def _member_facts(person_ids: list[str], as_of: date) -> dict[str, MemberFacts]:
    """What the operational record says of these members on `as_of` (leaving.member_facts): two reads per 2,000
    members, by their indexed person_id."""
    facts: dict[str, MemberFacts] = {}
    for start in range(0, len(person_ids), 2000):
        chunk = person_ids[start:start + 2000]
        spans: dict[str, list[tuple[date, date | None]]] = {}
        for person_id, begins, ends in (EligibilitySpan.objects.filter(member_id__in=chunk).order_by()
                                        .values_list("member_id", "start_date", "end_date")):
            spans.setdefault(person_id, []).append((begins, ends))
        for person_id, birth_date, death_date in (Member.objects.filter(person_id__in=chunk)
                                                  .values_list("person_id", "birth_date", "death_date")):
            facts[person_id] = member_facts(birth_date, death_date, spans.get(person_id, []), as_of)
    return facts


def _count_by_county(run: IdentificationRun) -> None:
    """Members by county, as the worklist's lists count them: people, excluded, newly identified, still eligible
    (one or more rows of that change) and no longer eligible (by the previous run's county). Two grouped reads."""
    by_county: dict[str, dict[str, int]] = {}
    member = Count("member", distinct=True)
    for row in (IdentifiedPopulation.objects.filter(run=run).order_by().values("county")
                .annotate(people=member, excluded=Count("member", distinct=True, filter=Q(excluded=True)),
                          new=Count("pk", filter=Q(lead=True)),
                          still=Count("member", distinct=True, filter=Q(change=Change.STILL)))):
        by_county[row["county"]] = {"people": row["people"], "excluded": row["excluded"], "NEW": row["new"],
                                    "STILL": row["still"], "NO_LONGER": 0}
    for row in NoLongerEligible.objects.filter(run=run).order_by().values("county").annotate(people=member):
        by_county.setdefault(row["county"], {"people": 0, "excluded": 0, "NEW": 0, "STILL": 0,
                                             "NO_LONGER": 0})["NO_LONGER"] = row["people"]
    run.county_counts = dict(sorted(by_county.items()))


def _analyze() -> None:
    """PostgreSQL: refresh the planner's statistics of the run tables. Until autovacuum gets to it, the planner
    does not know the new run and the pages read it by poor plans: at a million members the worklist took
    100-900 ms and the member page section 130 ms instead of 3-17 ms (bench/README.md). ANALYZE inside the
    transaction counts its own new rows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (IdentifiedPopulation, NoLongerEligible):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _fill_county(run: IdentificationRun) -> None:
    """Rows without a county (a CSV-stored run) take the member's county from the operational record."""
    table = _table()
    members = connection.ops.quote_name(Member._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET county = coalesce((SELECT m.county FROM {members} m "
            f"WHERE m.person_id = {table}.person_id), '') WHERE run_id = %s AND county = ''", [run.pk])


def store_run(rows: Iterable[Row], *, as_of: date, source: str = RunSource.FOLDER,
              versions: Versions | None = None, value_sets: Path | None = None,
              started_at: datetime | None = None, actor: Any = None) -> IdentificationRun:
    """Store one identification run and its rows, replacing the rows of an identical earlier store (same as-of,
    rule and value-set versions). Compares with the previous run (new / still / no longer eligible), refreshes
    the comparison of the run after it when an earlier month is stored late, and records one audit event."""
    versions = versions if versions is not None and versions.rules else current_versions(value_sets)
    rule_version, value_set_version = combined(versions.rules), combined(versions.value_sets)
    actor = actor or JobActor("identify")
    now = timezone.now()
    # how the plan's own value sets differ from the shipped ones, narrowing or not (the run summary says)
    differences = ([d.as_dict() for d in plan_differences(value_set_files(value_sets), VALUE_SETS_DIR)]
                   if value_sets else [])
    with transaction.atomic():
        run, created = IdentificationRun.objects.select_for_update().get_or_create(
            as_of=as_of, rule_version=rule_version, value_set_version=value_set_version,
            defaults={"started_at": started_at or now, "finished_at": now, "source": source,
                      "versions": {"rules": versions.rules, "value_sets": versions.value_sets,
                                   "plan_differences": differences}})
        if not created:
            IdentifiedPopulation.objects.filter(run=run).delete()
            run.started_at, run.finished_at, run.source = started_at or now, now, source
            run.status, run.times_stored = RunStatus.COMPLETE, run.times_stored + 1
            run.save(update_fields=["started_at", "finished_at", "source", "status", "times_stored"])
        run.previous_run = previous_run(run)
        comparison = _Comparison(run.pk, run.previous_run)
        _insert(comparison.annotate(rows))
        comparison.finish(run)
        _record_no_longer(run, comparison.gone)
        if comparison.missing_county:
            _fill_county(run)
            run.counties = sorted(c for c in IdentifiedPopulation.objects.filter(run=run)
                                  .values_list("county", flat=True).distinct().order_by() if c)
        _count_by_county(run)
        run.save(update_fields=["previous_run", "counties", "counts", "county_counts", "rows", "people",
                                "excluded_people", "new_people"])
        following = (IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of__gt=as_of)
                     .order_by("as_of").values_list("as_of", flat=True).first())
        if following is not None:
            for later in IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of=following):
                _compare_again(later)
        _analyze()
        record(actor=actor, action=Action.CREATE if created else Action.UPDATE, object_type="IdentificationRun",
               object_id=str(run.pk),
               detail={"as_of": as_of.isoformat(), "rule_version": rule_version,
                       "value_set_version": value_set_version, "source": source, "replaced": not created,
                       "rows": run.rows, "people": run.people, "excluded_people": run.excluded_people,
                       "new_people": run.new_people,
                       "populations": {p: c["rows"] for p, c in run.counts.items()}})
    return run


def store_from_connection(con: duckdb.DuckDBPyConnection, *, as_of: date, versions: Versions | None = None,
                          source: str = RunSource.FOLDER, value_sets: Path | None = None,
                          started_at: datetime | None = None) -> IdentificationRun:
    """Store the run `identify` left on a DuckDB connection (with county, score and factors)."""
    return store_run(rows_from_connection(con), as_of=as_of, source=source, versions=versions,
                     value_sets=value_sets, started_at=started_at)


def store_from_csv(path: Path, *, as_of: date, source: str = RunSource.FOLDER, value_sets: Path | None = None,
                   started_at: datetime | None = None) -> IdentificationRun:
    """Store a run from its output CSV (what `carehub identify` wrote, whichever engine ran it)."""
    return store_run(rows_from_csv(path), as_of=as_of, source=source, value_sets=value_sets,
                     started_at=started_at)
