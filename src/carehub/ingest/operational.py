"""Bulk upsert of the operational tables from the validated extract (DuckDB) into the Django database.

Per table: DuckDB computes every row with `row_key` (md5 of the natural key) and `row_hash` (md5 of the content);
the rows go into a temp staging table in one bulk write (PostgreSQL COPY, SQLite executemany); then three SQL
statements apply the snapshot: DELETE rows whose key is gone, INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE
the hash differs. Unchanged rows are never rewritten, so a reload keeps ids and content. Members and providers
that something else still refers to (an assignment, a portal account, a referral) are kept even when gone from
the extract. A target with nothing stored yet (first load) is written straight into its table. Runs inside the
caller's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import duckdb
import pyarrow as pa
from django.db import connection, models

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
from carehub.apps.providers.models import ProviderOrganization, ProviderSite
from carehub.ingest.layout import NPI_DETAIL_PROGRAMS

BATCH = 50_000


def _t(text: str) -> str:
    return f"coalesce(CAST({text} AS VARCHAR), '')"


def _d(text: str) -> str:
    return f"CAST({text} AS VARCHAR)"


def _json_list(text: str) -> str:
    items = f"list_transform(string_split(coalesce({text}, ''), ';'), lambda x: trim(x))"
    return f"to_json(list_filter({items}, lambda x: x <> ''))"


@dataclass(frozen=True)
class Target:
    """One operational table written by the load."""

    label: str
    model: type[models.Model]
    sql: str  # DuckDB SELECT of the content columns (named as the model's db columns)
    key: tuple[str, ...] = ()  # natural key hashed into row_key; empty: the model's own unique column
    unique: str = "row_key"
    needs: str = "eligibility"  # the input table this target is derived from
    scope: str = "1=1"  # which existing rows `t` belong to the load (others are never deleted)


_LATEST_SPAN = ("(SELECT * FROM c_eligibility QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY "
                "enrollment_start_date DESC, enrollment_end_date DESC NULLS FIRST, _file DESC, _line DESC) = 1)")
_PCP = ("SELECT person_id, pcp_npi, enrollment_start_date AS start_date, "
        "CASE WHEN bool_or(enrollment_end_date IS NULL) THEN NULL ELSE max(enrollment_end_date) END AS end_date "
        "FROM c_eligibility WHERE pcp_npi IS NOT NULL GROUP BY ALL")
_NPI_PROGRAMS = ", ".join(f"'{p}'" for p in NPI_DETAIL_PROGRAMS)

TARGETS: tuple[Target, ...] = (
    Target("members", Member, f"""
        SELECT person_id, {_t('member_id')} AS member_id, {_t('first_name')} AS first_name,
               {_t('last_name')} AS last_name, {_d('birth_date')} AS birth_date, {_d('death_date')} AS death_date,
               {_t('gender')} AS gender, {_t('race')} AS race, {_t('ethnicity')} AS ethnicity,
               {_t('preferred_language')} AS preferred_language, {_t('county')} AS county,
               {_t('address')} AS address, {_t('city')} AS city, {_t('state')} AS state,
               {_t('zip_code')} AS zip_code, {_t('phone')} AS phone, {_t('email')} AS email,
               {_t('aid_code')} AS aid_code, {_t('pcp_npi')} AS pcp_npi
        FROM {_LATEST_SPAN}""", unique="person_id"),
    Target("providers", ProviderOrganization, f"""
        SELECT npi, name, kind, {_t('provider_type')} AS provider_type, {_t('tin')} AS tin, {_t('phone')} AS phone,
               {_t('email')} AS email, {_t('address')} AS address, {_json_list('counties')} AS counties,
               {_json_list('populations')} AS populations, {_json_list('supports')} AS supports,
               {_json_list('languages')} AS languages, capacity
        FROM c_provider""", unique="npi", needs="provider"),
    Target("eligibility_spans", EligibilitySpan, f"""
        SELECT person_id, {_d('enrollment_start_date')} AS start_date, {_d('enrollment_end_date')} AS end_date,
               {_t('payer')} AS payer, {_t('plan')} AS plan, {_t('county')} AS county, {_t('aid_code')} AS aid_code,
               {_t('pcp_npi')} AS pcp_npi, {_t('dual_status_code')} AS dual_status_code,
               {_t('data_source')} AS data_source
        FROM c_eligibility""", key=("person_id", "start_date", "payer", "plan")),
    Target("pcp_assignments", PcpAssignment, f"""
        SELECT person_id, pcp_npi, {_d('start_date')} AS start_date, {_d('end_date')} AS end_date
        FROM ({_PCP})""", key=("person_id", "pcp_npi", "start_date")),
    Target("program_enrollments", ProgramEnrollment, f"""
        SELECT person_id, program, {_d('start_date')} AS start_date, {_d('end_date')} AS end_date,
               {_t('source')} AS source, {_t('detail')} AS detail
        FROM c_program_enrollment""", key=("person_id", "program", "start_date"), needs="program_enrollment"),
    Target("housing_episodes", HousingEpisode, f"""
        SELECT person_id, status, {_d('start_date')} AS start_date, {_d('end_date')} AS end_date,
               {_t('source')} AS source, household_with_minors
        FROM c_housing_status""", key=("person_id", "status", "start_date"), needs="housing_status"),
    Target("incarcerations", Incarceration, f"""
        SELECT person_id, facility_type, {_d('admission_date')} AS admission_date,
               {_d('release_date')} AS release_date, {_d('expected_release_date')} AS expected_release_date,
               {_t('source')} AS source
        FROM c_incarceration""", key=("person_id", "facility_type", "admission_date"), needs="incarceration"),
    Target("assessments", Assessment, f"""
        SELECT person_id, kind, {_t('value')} AS value, {_d('assessed_on')} AS assessed_on,
               {_t('source')} AS source
        FROM c_assessment""", key=("person_id", "kind", "assessed_on"), needs="assessment"),
    Target("care_relationships_pcp", CareRelationship, f"""
        SELECT person_id, pcp_npi AS provider_npi, 'PCP' AS kind, {_d('start_date')} AS start_date,
               {_d('end_date')} AS end_date, 'eligibility' AS source
        FROM ({_PCP})""", key=("person_id", "kind", "provider_npi", "start_date"), scope="t.kind = 'PCP'"),
    Target("care_relationships_program", CareRelationship, f"""
        SELECT person_id, detail AS provider_npi, 'PROGRAM' AS kind, {_d('start_date')} AS start_date,
               CASE WHEN bool_or(end_date IS NULL) THEN NULL ELSE {_d('max(end_date)')} END AS end_date,
               'program:' || min(program) AS source
        FROM c_program_enrollment WHERE program IN ({_NPI_PROGRAMS}) AND detail IS NOT NULL
        GROUP BY person_id, detail, start_date""", key=("person_id", "kind", "provider_npi", "start_date"),
           needs="program_enrollment", scope="t.kind = 'PROGRAM'"),
)


def _hash(columns: list[str]) -> str:
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), chr(0))" for c in columns)
    return f"md5(concat_ws(chr(31), {parts}))"


def stage_query(con: duckdb.DuckDBPyConnection, target: Target) -> tuple[str, list[str]]:
    """The full DuckDB query for a target's staged rows, and its column names (content, row_key, row_hash)."""
    content = [d[0] for d in con.execute(f"DESCRIBE {target.sql}").fetchall()]
    extra = [f"{_hash(content)} AS row_hash"]
    if target.key:
        key = _hash([f"'{target.model._meta.db_table}'", *target.key])
        extra.insert(0, f"{key} AS row_key")
    names = content + (["row_key"] if target.key else []) + ["row_hash"]
    # In the order of the unique column: the database's unique index then grows at its end instead of taking
    # random inserts (measured alone on SQLite: about half the time for 1M members and 1.3M spans that arrive in
    # random order; bench/README.md).
    return f"SELECT *, {', '.join(extra)} FROM ({target.sql}) ORDER BY {target.unique}", names


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _referenced_elsewhere(model: type[models.Model], alias: str, loaded: set[type[models.Model]]) -> str:
    """SQL: the row `alias` is referred to by a model the load does not manage (assignments, accounts, ...)."""
    clauses = []
    for rel in model._meta.related_objects:
        if rel.related_model in loaded or not hasattr(rel.field, "column"):
            continue
        other = rel.related_model._meta.db_table
        target_col = rel.field.target_field.column
        clauses.append(
            f"EXISTS (SELECT 1 FROM {_q(other)} r WHERE r.{_q(rel.field.column)} = {alias}.{_q(target_col)})")
    return " OR ".join(clauses) or "1=0"


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    kept: int = 0  # gone from the extract but still referenced elsewhere

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if v or k != "kept"}


@dataclass
class Prepared:
    """A target's rows computed by DuckDB ahead of the database write: an Arrow table (SQLite) or a CSV file
    (PostgreSQL COPY). Computed before the warehouse thread starts, so the database write never waits for
    DuckDB's thread pool, which the warehouse write keeps busy."""

    target: Target
    names: list[str]
    rows: pa.Table | None = None
    csv: Path | None = None


def prepare_targets(con: duckdb.DuckDBPyConnection, present: set[str], tmp: Path) -> list[Prepared]:
    """Compute the rows of every target whose input table is present."""
    out = []
    for target in TARGETS:
        if target.needs not in present:
            continue
        query, names = stage_query(con, target)
        if connection.vendor == "postgresql":
            path = tmp / f"{target.label}.csv"
            con.execute(f"COPY ({query}) TO '{path}' (FORMAT csv, HEADER true)")
            out.append(Prepared(target, names, csv=path))
        else:
            out.append(Prepared(target, names, rows=con.sql(query).to_arrow_table()))
    return out


def _fill_stage(prepared: Prepared, stage: str) -> None:
    raw = connection.connection
    names = prepared.names
    cols = ", ".join(_q(n) for n in names)
    if prepared.csv is not None:
        with raw.cursor() as cur, cur.copy(f"COPY {stage} ({cols}) FROM STDIN (FORMAT csv, HEADER true)") as cp, \
                prepared.csv.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                cp.write(chunk)
        with raw.cursor() as cur:
            cur.execute(f"ANALYZE {stage}")
        return
    assert prepared.rows is not None
    # Several rows per INSERT: SQLite's per-statement work (and the AUTOINCREMENT bookkeeping Django's id column
    # has) is paid once per statement, not per row: about 25% less time than one row per statement (bench/README).
    # 999 parameters per statement works on every SQLite build.
    per = max(1, 999 // len(names))
    row = f"({', '.join('?' for _ in names)})"
    insert_many = f"INSERT INTO {stage} ({cols}) VALUES {', '.join([row] * per)}"
    insert_one = f"INSERT INTO {stage} ({cols}) VALUES {row}"
    cur = raw.cursor()
    for batch in prepared.rows.to_batches(BATCH):
        rows = list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
        full = len(rows) - len(rows) % per
        cur.executemany(insert_many, (tuple(chain.from_iterable(rows[i:i + per])) for i in range(0, full, per)))
        cur.executemany(insert_one, rows[full:])


@contextmanager
def _secondary_indexes_deferred(cur, table: str, empty: bool) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """SQLite, into an empty table: drop its secondary indexes and build them again after the insert (a sort per
    index instead of a random B-tree insert per row and index; the members table has five). The unique column
    stays (the rows arrive in its order, see stage_query). Inside the load's transaction, so a failure restores
    them. Not on PostgreSQL: there DROP INDEX locks the table for readers until the load commits."""
    if connection.vendor != "sqlite" or not empty:
        yield
        return
    cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table])
    indexes = cur.fetchall()
    for name, _sql in indexes:
        cur.execute(f"DROP INDEX {_q(name)}")
    yield
    for _name, sql in indexes:
        cur.execute(sql)


def tune_connection() -> None:
    """SQLite: a bigger page cache (256 MB) and in-memory temp tables for the staging tables and their indexes.
    Call outside a transaction (SQLite refuses to change temp_store inside one)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size = -262144")
        if not connection.in_atomic_block:
            cur.execute("PRAGMA temp_store = MEMORY")


def apply_targets(prepared: list[Prepared], progress: Callable[[str], None] = lambda _label: None,
                  phases: dict[str, float] | None = None) -> dict[str, dict[str, int]]:
    """Stage and apply the prepared targets. Returns counts per target; wall seconds of staging and upsert go
    to `phases` when given."""
    phases = {} if phases is None else phases
    mark = time.monotonic()
    loaded = {t.model for t in TARGETS} | {ProviderSite}
    counts: dict[str, Counts] = {}
    with connection.cursor() as cur:
        staged: list[tuple[Target, str, list[str]]] = []
        for item in prepared:
            target, names = item.target, item.names
            table = _q(target.model._meta.db_table)
            cur.execute(f"SELECT 1 FROM {table} t WHERE {target.scope} LIMIT 1")
            if cur.fetchone() is None and target.model is not ProviderOrganization:
                # Nothing of this target stored yet (first load): every row is an insert; write the table
                # directly instead of through a staging table.
                cur.execute(f"SELECT 1 FROM {table} LIMIT 1")
                with _secondary_indexes_deferred(cur, target.model._meta.db_table, cur.fetchone() is None):
                    _fill_stage(item, table)
                cur.execute(f"SELECT count(*) FROM {table} t WHERE {target.scope}")
                counts[target.label] = Counts(inserted=cur.fetchone()[0])
                progress(target.label)
                continue
            stage = f"stage_{target.label}"
            cols = ", ".join(_q(n) for n in names)
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
            cur.execute(f"CREATE TEMP TABLE {stage} AS SELECT {cols} FROM {table} WHERE 1=0")
            _fill_stage(item, stage)
            cur.execute(f"CREATE INDEX {stage}_key ON {stage} ({_q(target.unique)})")
            staged.append((target, stage, names))
            progress(target.label)
        phases["operational staging"] = time.monotonic() - mark
        mark = time.monotonic()
        for target, stage, _names in staged:
            table, key = _q(target.model._meta.db_table), _q(target.unique)
            c = counts[target.label] = Counts()
            cur.execute(f"SELECT count(*) FROM {stage} s "
                        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})")
            c.inserted = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM {stage} s JOIN {table} t ON t.{key} = s.{key} "
                        f"WHERE t.row_hash <> s.row_hash")
            c.updated = cur.fetchone()[0]
        if any(t.model is ProviderOrganization for t, _, _ in staged):
            _drop_changed_primary_sites(cur)
        # Deletes, children first; then inserts/updates, parents first.
        for target, stage, _names in reversed(staged):
            table, key = _q(target.model._meta.db_table), _q(target.unique)
            gone = f"{target.scope} AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.{key} = t.{key})"
            if target.model in (Member, ProviderOrganization):
                # The rows gone from the extract are found first, on their own (a hash anti-join), and only they
                # are tested for references. In one WHERE, PostgreSQL multiplied the selectivities of the ~16
                # reference tests down to a handful of rows and planned a nested loop against the 1M-row stage:
                # a reload of the 1M plan with no change ran for over 18 minutes; this way ~2 s.
                gone_rows = (f"WITH gone AS MATERIALIZED (SELECT t.* FROM {table} t WHERE {gone}) "
                             "SELECT t.id FROM gone t")
                if target.model is ProviderOrganization:
                    cur.execute(f"DELETE FROM {_q(ProviderSite._meta.db_table)} WHERE provider_id IN "
                                f"({gone_rows} WHERE NOT ({_referenced_elsewhere(target.model, 't', loaded)}))")
                cur.execute(f"SELECT count(*) FROM {table} t WHERE {gone}")
                total_gone = cur.fetchone()[0]
                unreferenced = f"NOT ({_referenced_elsewhere(target.model, 't', loaded - {ProviderSite})})"
                cur.execute(f"DELETE FROM {table} WHERE id IN ({gone_rows} WHERE {unreferenced})")
                counts[target.label].deleted = cur.rowcount
                counts[target.label].kept = total_gone - cur.rowcount
            else:
                cur.execute(f"DELETE FROM {table} WHERE id IN (SELECT t.id FROM {table} t WHERE {gone})")
                counts[target.label].deleted = cur.rowcount
        for target, stage, names in staged:
            table, key = _q(target.model._meta.db_table), _q(target.unique)
            cols = ", ".join(_q(n) for n in names)
            sets = ", ".join(f"{_q(n)} = excluded.{_q(n)}" for n in names if n != target.unique)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} WHERE 1=1 "
                        f"ON CONFLICT ({key}) DO UPDATE SET {sets} WHERE {table}.row_hash <> excluded.row_hash")
        if any(t.model is ProviderOrganization for t, _, _ in staged):
            _insert_primary_sites(cur)
        for _target, stage, _names in staged:
            cur.execute(f"DROP TABLE {stage}")
        cur.execute("DROP TABLE IF EXISTS changed_providers")
    phases["operational upsert"] = time.monotonic() - mark
    return {label: c.as_dict() for label, c in counts.items()}


def _drop_changed_primary_sites(cur) -> None:  # type: ignore[no-untyped-def]
    """Providers that are new or changed get their primary site rebuilt from their address."""
    prov, site = _q(ProviderOrganization._meta.db_table), _q(ProviderSite._meta.db_table)
    cur.execute("DROP TABLE IF EXISTS changed_providers")
    cur.execute(f"CREATE TEMP TABLE changed_providers AS SELECT s.npi, s.name, s.address, s.phone, s.counties "
                f"FROM stage_providers s LEFT JOIN {prov} t ON t.npi = s.npi "
                f"WHERE t.id IS NULL OR t.row_hash <> s.row_hash")
    cur.execute(f"DELETE FROM {site} WHERE is_primary AND provider_id IN "
                f"(SELECT t.id FROM {prov} t JOIN changed_providers c ON c.npi = t.npi)")


def _insert_primary_sites(cur) -> None:  # type: ignore[no-untyped-def]
    prov, site = _q(ProviderOrganization._meta.db_table), _q(ProviderSite._meta.db_table)
    cur.execute(f"INSERT INTO {site} (provider_id, name, address, county, phone, is_primary) "
                f"SELECT t.id, c.name, c.address, '', c.phone, {'true' if connection.vendor == 'postgresql' else '1'} "
                f"FROM changed_providers c JOIN {prov} t ON t.npi = c.npi WHERE c.address <> ''")
