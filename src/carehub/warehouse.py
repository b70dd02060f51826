"""The claims warehouse: Parquet files under <data dir>/warehouse, queried with DuckDB.

Layout (docs/data-formats.md): `warehouse/CURRENT` names the live version directory; each version holds every
input-layout table as a folder of Parquet files, laid out exactly like a plan folder (`medical_claim/`,
`pharmacy_claim/`, `eligibility/`, `program_enrollment/`, ...), so `carehub identify` reads it as it reads one.
Claims merge across extracts (below); the other tables are the latest extract's snapshot.
A load writes a complete new version
beside the live one and switches CURRENT with an atomic rename (temp file + os.replace) only after the
operational database has committed, so readers never see half a load and a failed load leaves the live version
untouched. The previous version is kept (a reader that opened it keeps working); older ones are removed.

Physical layout, chosen for the one-member lookup at 40M lines: each table is written sorted by
`person_hash` = DuckDB hash(person_id), a stored UBIGINT column, so all lines of a person sit together and
Parquet row-group min/max statistics on person_hash let DuckDB read one row group (~120k lines) instead of the
whole table. Sorting on a fixed-width integer is a radix sort, measured about 1.5x a plain copy; sorting on the
person_id text cost about 2.5x, and hive partitioning into 64 hash buckets about 1.6x with a coarser prune.
hash() may change between DuckDB releases, so each version records the DuckDB version that wrote it
(`MANIFEST.json`); a reader with another DuckDB falls back to filtering on person_id alone (still correct, slower).
Only columns present in some extract are stored: readers use union_by_name and treat a missing column as empty.
zstd level 1: on 3.6M lines 14% less CPU than the default level 3 and smaller files than snappy.

Derived, rule-ready facts: each version also holds `_claim_events/` (written by the load from the version's
medical claims with the shipped value sets; see domain/populations/runner.write_claim_events): the event lines
(ED, stay, crisis, delivery), the office-visit days and the distinct line diagnoses, with the key of the SQL and
value sets that made them. `carehub identify` reads these narrow files instead of scanning every claim line when
the key matches, and scans the claims otherwise (a plan's own code or diagnosis value sets).

Merge rule for claims: rows of the new extract replace stored rows with the same claim_id + claim_line_number; stored
claims absent from the new extract are kept, so claims history accumulates across extracts.

Stored as the extract: a load whose claim files are Parquet of the layout's types, with no repeated line and no
blank-padded key, keeps those files as they are (copied, not decoded and re-encoded; the stored lines they do not
replace go beside them as canonical rows): the sorted rewrite cost about half of a 1M-member load's CPU.
MANIFEST.json lists such tables under `as_extract`; they are neither normalized nor sorted by person_hash, so they
are read through `table_sql` (canonical values, see carehub.ingest.canonical.canonical_sql), and the member lookup
filters on the raw person_id. A background job (carehub.ingest.compact) then rewrites them into the layout above
and publishes that as a new version.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from carehub.paths import warehouse_dir

CLAIM_TABLES = ("medical_claim", "pharmacy_claim")
CLAIM_KEY = ("claim_id", "claim_line_number")
VERSION_PREFIX = "v-"
MANIFEST = "MANIFEST.json"


def current_version_dir(root: Path | None = None) -> Path | None:
    """The live version directory, or None when nothing has been loaded."""
    root = root or warehouse_dir()
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    version = pointer.read_text().strip()
    path = root / version
    return path if version and path.is_dir() else None


def table_glob(table: str, root: Path | None = None) -> str | None:
    """A glob DuckDB can read for one warehouse table, or None when the table has no files."""
    version = current_version_dir(root)
    return None if version is None else stored_glob(version, table)


def _columns(con: duckdb.DuckDBPyConnection, glob: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}', union_by_name=true)").fetchall()}


def manifest(version: Path) -> dict[str, Any]:
    try:
        data = json.loads((version / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _same_hash(version: Path) -> bool:
    """True when this DuckDB computes person_hash as the writer of `version` did."""
    return manifest(version).get("duckdb") == duckdb.__version__


def as_extract_tables(version: Path) -> set[str]:
    """The tables of `version` stored as the extract's files (see the module docstring)."""
    return set(manifest(version).get("as_extract", []))


def stored_glob(version: Path, table: str) -> str | None:
    folder = version / table
    if not folder.is_dir() or not any(folder.glob("**/*.parquet")):
        return None
    return str(folder / "**" / "*.parquet")


def table_sql(con: duckdb.DuckDBPyConnection, version: Path, table: str, where: str = "") -> str | None:
    """SQL of the canonical rows of a stored table (without person_hash), or None when it has no files. `where`
    filters the stored rows before they are normalized (a filter DuckDB can push into the Parquet scan)."""
    from carehub.ingest.canonical import canonical_sql
    from carehub.ingest.layout import TABLES

    glob = stored_glob(version, table)
    if glob is None:
        return None
    source = f"read_parquet('{glob}', union_by_name=true)"
    if where:
        source = f"(SELECT * FROM {source} WHERE {where})"
    if table in as_extract_tables(version):
        schema = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{glob}', "
                                                  "union_by_name=true)").fetchall() if r[0] != "person_hash"}
        return canonical_sql(TABLES[table], source, schema)
    # COLUMNS(...) rather than EXCLUDE: a version written before person_hash existed has no such column.
    return f"SELECT COLUMNS(lambda c: c <> 'person_hash') FROM {source}"


# Every diagnosis column, not only the first: the Part 2 check of a line (domain.part2.is_part2_claim_line) must see
# a substance use diagnosis in any position, or the line is shown to those who may not see it.
RECENT_COLUMNS = ("claim_id", "claim_line_number", "claim_type", "claim_start_date", "claim_end_date",
                  "place_of_service_code", "bill_type_code", "revenue_center_code", "hcpcs_code",
                  *(f"diagnosis_code_{i}" for i in range(1, 26)), "billing_npi", "paid_amount")


def recent_medical_claims(person_id: str, since: date, limit: int = 200,
                          root: Path | None = None) -> list[dict[str, Any]]:
    """A member's medical claim lines since a date, newest first (for the member page): every line of each claim
    that has one of the newest `limit` lines, so whether a claim is a 42 CFR Part 2 record is decided on all its
    lines (a substance use line past the limit let the claim's other lines through: found by an audit of the
    API). Reads the row groups of that person only (see the module docstring)."""
    version = current_version_dir(root)
    glob = table_glob("medical_claim", root)
    if version is None or glob is None:
        return []
    con = duckdb.connect()
    try:
        present = _columns(con, glob)
        select = ", ".join(c if c in present else f"NULL AS {c}" for c in RECENT_COLUMNS)
        prune = "person_hash = hash(?::VARCHAR) AND " if _same_hash(version) and "person_hash" in present else ""
        params: list[Any] = [person_id] * (2 if prune else 1)
        # Stored as the extract, person_id is stored unpadded (checked by the load), so the raw filter is exact.
        rows = table_sql(con, version, "medical_claim", where=f"{prune}person_id = ?")
        cursor = con.execute(
            f"""
            WITH person AS ({rows}),
            recent AS (
                SELECT claim_id FROM person WHERE claim_start_date >= ?
                ORDER BY claim_start_date DESC, claim_id, claim_line_number LIMIT ?
            )
            SELECT {select}
            FROM person
            WHERE claim_id IN (SELECT claim_id FROM recent)
            ORDER BY claim_start_date DESC, claim_id, claim_line_number
            """,
            [*params, since, limit],
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def new_version(root: Path | None = None) -> Path:
    """Create an empty version directory beside the live one (not yet visible to readers)."""
    root = root or warehouse_dir()
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = root / f"{VERSION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    (path / MANIFEST).write_text(json.dumps({"duckdb": duckdb.__version__, "person_hash": "hash(person_id)"}))
    return path


def write_table(con: duckdb.DuckDBPyConnection, version: Path, table: str, new_rows_sql: str | None,
                previous: Path | None) -> int:
    """Write one claims table into `version`: the new extract's rows (a SQL query over canonical columns incl.
    person_id) merged over the previous version's rows. Returns the row count written."""
    target = version / table
    old_glob = stored_glob(previous, table) if previous else None
    if new_rows_sql is None:
        if old_glob is None:
            return 0
        # Table not in this extract: the new version shares the old files (immutable) through hard links.
        shutil.copytree(previous / table, target, copy_function=os.link)  # type: ignore[operator]
        if table in as_extract_tables(previous):  # type: ignore[arg-type]
            _mark_as_extract(version, table)
        return int(con.execute(f"SELECT count(*) FROM read_parquet('{old_glob}')").fetchone()[0])
    key = ", ".join(CLAIM_KEY)
    con.execute(f"CREATE OR REPLACE TEMP VIEW wh_new AS {new_rows_sql}")
    if old_glob:
        old = table_sql(con, previous, table)  # type: ignore[arg-type]
        merged = f"SELECT * FROM wh_new UNION ALL BY NAME (SELECT o.* FROM ({old}) o ANTI JOIN wh_new n USING ({key}))"
    else:
        merged = "SELECT * FROM wh_new"
    target.mkdir()
    # person_hash: see the module docstring. Files of ~1M lines keep each one a manageable size.
    con.execute(
        f"COPY (SELECT *, hash(person_id) AS person_hash FROM ({merged}) ORDER BY person_hash) "
        f"TO '{target}/part.parquet' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ROW_GROUP_SIZE 122880)")
    return int(con.execute(f"SELECT count(*) FROM read_parquet('{target}/*.parquet')").fetchone()[0])


def _mark_as_extract(version: Path, table: str) -> None:
    data = manifest(version)
    data["as_extract"] = sorted({*data.get("as_extract", []), table})
    (version / MANIFEST).write_text(json.dumps(data))


def store_as_extract(con: duckdb.DuckDBPyConnection, version: Path, table: str, files: list[Path],
                     previous: Path | None) -> int:
    """Store a claims table as the extract's own Parquet files (copied: a later change to the plan folder cannot
    reach the warehouse), plus the previous version's lines the extract does not replace (the merge rule), as
    canonical rows in `carried.parquet`. The caller proved the files storable (carehub.ingest.canonical), so
    their claim_id needs no trimming to be compared. Returns the lines carried over."""
    target = version / table
    target.mkdir()
    for number, path in enumerate(files, start=1):
        shutil.copyfile(path, target / f"extract-{number:04d}.parquet")
    _mark_as_extract(version, table)
    old = table_sql(con, previous, table) if previous is not None else None
    if old is None:
        return 0
    new = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    con.execute(f"CREATE OR REPLACE TEMP TABLE wh_carried AS SELECT claim_id, claim_line_number FROM "
                f"(SELECT claim_id, claim_line_number FROM ({old})) ANTI JOIN (SELECT claim_id, "
                f"CAST(claim_line_number AS BIGINT) AS claim_line_number FROM read_parquet([{new}], "
                f"union_by_name=true)) USING (claim_id, claim_line_number)")
    carried = int(con.execute("SELECT count(*) FROM wh_carried").fetchone()[0])
    if carried:  # the old lines' other columns are read only when some survive (none on a reload)
        con.execute(f"COPY (SELECT o.* FROM ({old}) o SEMI JOIN wh_carried USING (claim_id, claim_line_number)) "
                    f"TO '{target}/carried.parquet' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)")
    con.execute("DROP TABLE wh_carried")
    return carried


def write_snapshot(con: duckdb.DuckDBPyConnection, version: Path, table: str, rows_sql: str | None,
                   previous: Path | None) -> None:
    """Write a non-claims input table into `version` as this extract's snapshot, or carry the previous
    version's files over (hard links) when the extract does not have the table."""
    target = version / table
    if rows_sql is None:
        if previous is not None and any((previous / table).glob("**/*.parquet")):
            shutil.copytree(previous / table, target, copy_function=os.link)
        return
    target.mkdir()
    con.execute(f"COPY ({rows_sql}) TO '{target}/part.parquet' (FORMAT parquet, COMPRESSION zstd)")


def write_claim_events(version: Path) -> int:
    """Store the narrow claim-events table identification reads (`_claim_events/`, see
    domain/populations/runner.write_claim_events) in an unpublished version, from its medical claims."""
    from carehub.domain.populations.runner import write_claim_events
    from carehub.paths import data_dir

    spill = data_dir() / "tmp"
    spill.mkdir(exist_ok=True)
    con = duckdb.connect(config={"temp_directory": str(spill), "memory_limit": "2GB"})
    try:
        return write_claim_events(version, con)
    finally:
        con.close()


def publish(version: Path, root: Path | None = None) -> None:
    """Make `version` the live one (atomic), then keep only it and the version it replaced."""
    root = root or warehouse_dir()
    previous = current_version_dir(root)
    tmp = root / f".CURRENT.{uuid.uuid4().hex[:8]}"
    tmp.write_text(version.name + "\n")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, root / "CURRENT")
    keep = {version.name} | ({previous.name} if previous else set())
    for entry in root.iterdir():
        if entry.is_dir() and entry.name.startswith(VERSION_PREFIX) and entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


def discard(version: Path) -> None:
    """Remove a version that was never published (failed load)."""
    shutil.rmtree(version, ignore_errors=True)
