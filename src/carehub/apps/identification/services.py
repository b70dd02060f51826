"""Storing identification runs in the operational database (the only writes of this app).

`store_run` takes the rows of one run (from the DuckDB connection the runner left them on, or from the output
CSV, whichever engine wrote it) and stores them in one transaction: one run record, the rows in bulk (PostgreSQL
COPY through psycopg 3; SQLite executemany in large batches, no model instances), the comparison with the previous
run, the counts, and one audit event with counts only.

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
from carehub.apps.identification.models import (
    Change,
    IdentificationRun,
    IdentifiedPopulation,
    RunSource,
    RunStatus,
)
from carehub.apps.members.models import Member
from carehub.domain.populations.runner import OUTPUT_TABLE, Versions, load_rules, value_set_files

# The order of a stored row as the writers receive it (database column names of IdentifiedPopulation).
ROW_COLUMNS = ("person_id", "cin", "population", "criteria", "evidence", "excluded", "exclusion_reason",
               "continuity", "priority", "county", "score", "priority_factors")
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


# ---- reading the runner's output --------------------------------------------------------------------------------

def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "1", "yes")
    return bool(value)


def _normalized(row: Row) -> Row:
    (person_id, cin, population, criteria, evidence, excluded, reason, continuity, priority, county, score,
     factors) = row
    return (str(person_id), cin or "", population, criteria or "", evidence or "", _flag(excluded), reason or "",
            _flag(continuity), int(priority), county or "", float(score) if score not in (None, "") else None,
            factors or "")


def rows_from_connection(con: duckdb.DuckDBPyConnection, batch: int = BATCH) -> Iterator[Row]:
    """The output rows of `identify` on this connection, with the county of the person on the as-of date and the
    priority score and factors when the runner left its `def_person` and `priority` tables there."""
    present = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name IN ('def_person', 'priority')").fetchall()}
    county = "p.county" if "def_person" in present else "NULL"
    score, factors = ("r.score", "r.factors") if "priority" in present else ("NULL", "NULL")
    joins = ("LEFT JOIN def_person p ON p.person_id = i.person_id " if "def_person" in present else "") + (
        "LEFT JOIN priority r ON r.person_id = i.person_id" if "priority" in present else "")
    cursor = con.execute(
        f"SELECT i.person_id, i.member_id, i.population, i.criteria, i.evidence, i.excluded, i.exclusion_reason, "
        f"i.continuity, i.priority, {county}, {score}, {factors} FROM {OUTPUT_TABLE} i {joins}")
    while chunk := cursor.fetchmany(batch):
        yield from (_normalized(row) for row in chunk)


def rows_from_csv(path: Path) -> Iterator[Row]:
    """The rows of an output CSV (spec/input-layout.md output contract). The CSV carries neither county nor score:
    county is filled from the member record when stored, score and factors stay empty."""
    with Path(path).open(newline="") as f:
        for r in csv.DictReader(f):
            yield _normalized((r["person_id"], r["member_id"], r["population"], r["criteria"], r["evidence"],
                               r["excluded"], r["exclusion_reason"], r["continuity"], r["priority"], "", None, ""))


# ---- writing ----------------------------------------------------------------------------------------------------

def _table() -> str:
    return connection.ops.quote_name(IdentifiedPopulation._meta.db_table)


def _insert(run_id: int, rows: Iterable[Row]) -> int:
    """Insert rows in bulk; returns how many. `change` and `lead` get placeholders, set by `_compare` after."""
    count = 0
    full = ((run_id, *row, Change.NEW.value, False) for row in rows)
    columns = ", ".join(connection.ops.quote_name(c) for c in INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_table()} ({columns}) FROM STDIN") as copy:
                for row in full:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {_table()} ({columns}) VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})"
        while chunk := list(islice(full, BATCH)):
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def previous_run(run: IdentificationRun) -> IdentificationRun | None:
    """The run to compare with: the most recently finished complete run of the latest earlier as-of date."""
    return (IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of__lt=run.as_of)
            .order_by("-as_of", "-finished_at").first())


def _compare(run: IdentificationRun) -> None:
    """Set each row's change (NEW / STILL against the previous run) and the lead flag (the person's first NEW row
    by population), then the run's counts. Three statements over indexed lookups; no rows come into Python."""
    previous = previous_run(run)
    run.previous_run = previous
    table = _table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET change = CASE WHEN EXISTS (SELECT 1 FROM {table} p WHERE p.run_id = %s "
            f"AND p.person_id = {table}.person_id AND p.population = {table}.population) "
            f"THEN %s ELSE %s END WHERE run_id = %s",
            [previous.pk if previous else -1, Change.STILL.value, Change.NEW.value, run.pk])
        cursor.execute(
            f"UPDATE {table} SET lead = (change = %s AND NOT EXISTS (SELECT 1 FROM {table} o "
            f"WHERE o.run_id = {table}.run_id AND o.person_id = {table}.person_id AND o.change = %s "
            f"AND o.population < {table}.population)) WHERE run_id = %s",
            [Change.NEW.value, Change.NEW.value, run.pk])
        no_longer: dict[str, int] = {}
        if previous is not None:
            cursor.execute(
                f"SELECT p.population, count(*) FROM {table} p WHERE p.run_id = %s AND NOT EXISTS "
                f"(SELECT 1 FROM {table} c WHERE c.run_id = %s AND c.person_id = p.person_id "
                f"AND c.population = p.population) GROUP BY p.population", [previous.pk, run.pk])
            no_longer = dict(cursor.fetchall())
    rows = IdentifiedPopulation.objects.filter(run=run)
    counts: dict[str, dict[str, int]] = {}
    for item in rows.values("population", "change", "excluded").annotate(n=Count("id")).order_by():
        entry = counts.setdefault(item["population"], {"rows": 0, "excluded": 0, "NEW": 0, "STILL": 0,
                                                       "NO_LONGER": 0})
        entry["rows"] += item["n"]
        entry[item["change"]] += item["n"]
        entry["excluded"] += item["n"] if item["excluded"] else 0
    for population, n in no_longer.items():
        counts.setdefault(population, {"rows": 0, "excluded": 0, "NEW": 0, "STILL": 0, "NO_LONGER": 0})
        counts[population]["NO_LONGER"] = n
    people = rows.aggregate(people=Count("member", distinct=True),
                            excluded=Count("member", distinct=True, filter=Q(excluded=True)),
                            new=Count("member", distinct=True, filter=Q(lead=True)))
    run.counties = sorted(c for c in rows.values_list("county", flat=True).distinct().order_by() if c)
    run.counts = dict(sorted(counts.items()))
    run.rows = sum(c["rows"] for c in counts.values())
    run.people, run.excluded_people, run.new_people = people["people"], people["excluded"], people["new"]
    run.save(update_fields=["previous_run", "counties", "counts", "rows", "people", "excluded_people", "new_people"])


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
    with transaction.atomic():
        run, created = IdentificationRun.objects.select_for_update().get_or_create(
            as_of=as_of, rule_version=rule_version, value_set_version=value_set_version,
            defaults={"started_at": started_at or now, "finished_at": now, "source": source,
                      "versions": {"rules": versions.rules, "value_sets": versions.value_sets}})
        if not created:
            IdentifiedPopulation.objects.filter(run=run).delete()
            run.started_at, run.finished_at, run.source = started_at or now, now, source
            run.status, run.times_stored = RunStatus.COMPLETE, run.times_stored + 1
            run.save(update_fields=["started_at", "finished_at", "source", "status", "times_stored"])
        _insert(run.pk, rows)
        _fill_county(run)
        _compare(run)
        following = (IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of__gt=as_of)
                     .order_by("as_of").values_list("as_of", flat=True).first())
        if following is not None:
            for later in IdentificationRun.objects.filter(status=RunStatus.COMPLETE, as_of=following):
                _compare(later)
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
