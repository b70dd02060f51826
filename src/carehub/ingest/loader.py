"""`carehub load`: validate every table of a plan data folder, then load it, all or nothing.

Order of work: (1) open and validate every table in DuckDB, collecting problems; any problem rejects the load
before anything is written. (2) Write every table into a new, unpublished warehouse version (in a worker thread)
while (3) the operational tables are applied in one database transaction; the transaction waits for (2) and
adds one audit event before it commits. (4) After the commit, publish the warehouse version (atomic switch of
CURRENT). A failure at (2) or (3) removes the new version; the database transaction rolls back; the live
warehouse and the database stay exactly as they were.
"""

from __future__ import annotations

import fcntl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from rich.console import Console
from rich.progress import Progress

from carehub import warehouse
from carehub.ingest.canonical import create_canonical_view, extract_storable, warehouse_rows_sql
from carehub.ingest.check import (
    LoadRejected,
    by_kind,
    connect_duckdb,
    layout_findings,
    progress_bar,
    reject,
    validate_tables,
)
from carehub.ingest.layout import TABLES, TableFiles, discover
from carehub.ingest.operational import TARGETS, apply_targets, prepare_targets, tune_connection
from carehub.ingest.sources import SourceSet, duckdb_reason
from carehub.ingest.validate import Findings
from carehub.paths import data_dir


@dataclass
class LoadResult:
    """What a successful load did."""

    folder: Path
    rows: dict[str, int]
    changes: dict[str, dict[str, int]]
    warehouse: dict[str, int]
    version: str
    seconds: float
    duplicates: dict[str, int] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # wall seconds per phase (bench/load_bench.py)

    @property
    def claim_lines(self) -> int:
        return sum(self.rows.get(t, 0) for t in warehouse.CLAIM_TABLES)

    def summary(self) -> str:
        out = [f"Loaded {self.folder} in {self.seconds:.1f} s"]
        out += [f"  {name}: {n:,} rows read" for name, n in self.rows.items()]
        for label, c in self.changes.items():
            parts = ", ".join(f"{v:,} {k}" for k, v in c.items())
            out.append(f"  {label}: {parts}")
        for table, n in self.warehouse.items():
            dupes = self.duplicates.get(table, 0)
            note = f" ({dupes:,} repeated lines in the extract dropped)" if dupes else ""
            out.append(f"  warehouse {table}: {n:,} lines{note}")
        out.append(f"  warehouse version: {self.version}")
        if self.ignored:
            out.append(f"  ignored (not a table of the input layout): {', '.join(self.ignored)}")
        return "\n".join(out)


@contextmanager
def load_lock() -> Iterator[None]:
    """One load (or warehouse compaction) at a time per data directory (the warehouse switch and the upsert
    assume it)."""
    root = warehouse.warehouse_dir()
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".load.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _schema_problem() -> str | None:
    """Checked before any work: a database without CareHub's tables (or an older schema) would refuse the load
    only minutes later, at the database write, with a driver error."""
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"the database cannot be read ({type(exc).__name__}); check CAREHUB_DATABASE_URL"
    if pending:
        return (f"the database is not set up for this version of CareHub ({len(pending)} migrations not "
                "applied): run `carehub migrate` first")
    return None


def load_folder(folder: Path, console: Console | None = None) -> LoadResult:
    """Validate and load a plan data folder (spec/input-layout.md). Raises LoadRejected; changes nothing then."""
    started = time.monotonic()
    folder = Path(folder)
    if not folder.is_dir():
        raise reject(folder, "not a folder")
    schema = _schema_problem()
    if schema:
        raise reject(folder, schema)
    tables, layout_problems, ignored = discover(folder)
    findings = layout_findings(layout_problems)
    progress = progress_bar(console)
    steps = len(tables) * 2 + len([t for t in TARGETS if t.needs in tables]) + 1
    con = connect_duckdb()
    try:
        with progress, load_lock():
            task = progress.add_task("validating", total=steps)
            src = SourceSet(con, folder)
            opened: dict[str, str] = {}
            others, claims = by_kind(tables)
            validate_tables(src, others, findings, opened, progress, task)
            if not findings.ok:  # rejected whatever the claims hold: validate them too, to report everything
                validate_tables(src, claims, findings, opened, progress, task)
                raise LoadRejected(folder, findings.shown, findings.total)
            for name in opened:
                create_canonical_view(con, TABLES[name], src.typed[name])
            phases = {"validation (other tables)": time.monotonic() - started}
            result = _write(con, folder, src, opened, claims, progress, task, started, ignored, phases)
    finally:
        con.close()
    if warehouse.as_extract_tables(warehouse.warehouse_dir() / result.version):
        # After the load lock is released: the job takes it (and may run at once, in tests).
        from carehub.ingest.tasks import compact_warehouse_job

        compact_warehouse_job.enqueue()
    return result


def _write_warehouse(con: duckdb.DuckDBPyConnection, version: Path, previous: Path | None, src: SourceSet,
                     present: set[str], written: dict[str, int], duplicates: dict[str, int],
                     phases: dict[str, float]) -> None:
    """Every input-layout table into the new version: claims merged over the previous version, the other tables
    as this extract's snapshot (carried over when absent). Runs in a worker thread on its own DuckDB cursor."""
    mark = time.monotonic()
    for table in TABLES:
        sql = None
        if table in present and TABLES[table].claims and extract_storable(con, TABLES[table], src.files[table]):
            # Clean Parquet claims: kept as they are (with the stored lines they do not replace), rewritten later
            # by a background job.
            carried = warehouse.store_as_extract(con, version, table, [Path(f) for f in src.files[table]], previous)
            written[table], duplicates[table] = src.rows[table] + carried, 0
            continue
        if table in present:
            sql, dupes = warehouse_rows_sql(con, TABLES[table], src.present[table])
            if TABLES[table].claims:
                duplicates[table] = dupes
        if TABLES[table].claims:
            written[table] = warehouse.write_table(con, version, table, sql, previous)
        else:
            warehouse.write_snapshot(con, version, table, sql, previous)
    phases["warehouse write"] = time.monotonic() - mark
    if "medical_claim" not in warehouse.as_extract_tables(version):
        # Medical claims kept as the extract get their events from the compaction job, with their rewrite.
        mark = time.monotonic()
        warehouse.write_claim_events(version)
        phases["claim events"] = time.monotonic() - mark


def _write(con: duckdb.DuckDBPyConnection, folder: Path, src: SourceSet, opened: dict[str, str],
           claims: list[TableFiles], progress: Progress, task: int, started: float, ignored: list[str],
           phases: dict[str, float]) -> LoadResult:
    previous = warehouse.current_version_dir()
    version = warehouse.new_version()
    written: dict[str, int] = {}
    duplicates: dict[str, int] = {}
    failure: list[BaseException] = []
    claim_findings = Findings()

    def run() -> None:
        cursor = con.cursor()  # DuckDB releases the GIL: this runs beside the database write
        try:
            mark = time.monotonic()
            wsrc = SourceSet(cursor, folder)
            for attr in ("rows", "present", "typed", "files"):
                getattr(wsrc, attr).update(getattr(src, attr))
            validate_tables(wsrc, claims, claim_findings, opened, progress, task)
            phases["validation (claims)"] = time.monotonic() - mark
            if not claim_findings.ok:
                return
            for tf in claims:
                create_canonical_view(cursor, tf.table, wsrc.typed[tf.table.name])
            _write_warehouse(cursor, version, previous, wsrc, set(opened), written, duplicates, phases)
            for attr in ("rows", "present", "typed", "files"):
                getattr(src, attr).update(getattr(wsrc, attr))
        except BaseException as exc:  # re-raised in the main thread, before the database commits
            failure.append(exc)
        finally:
            cursor.close()

    # Claims validation and the warehouse write (DuckDB) run beside the operational database write (one core,
    # mostly Python and SQLite); the database transaction commits only once the claims proved valid and the
    # warehouse version is complete, so a rejection still changes nothing.
    # The warehouse and the operational database are independent until the final switch: write both at once.
    present = set(opened)  # the tables of the operational database (claims are added by the worker)
    worker = threading.Thread(target=run, name="carehub-load-warehouse")
    tmp = tempfile.TemporaryDirectory(prefix="stage-", dir=data_dir() / "tmp")
    try:
        try:
            progress.update(task, description="preparing the operational tables")
            mark = time.monotonic()
            prepared = prepare_targets(con, present, Path(tmp.name))
            phases["operational prepare"] = time.monotonic() - mark
            progress.update(task, description="writing the warehouse and the operational database")
            worker.start()
            tune_connection()
            with transaction.atomic():
                changes = apply_targets(prepared, progress=lambda _label: progress.advance(task), phases=phases)
                mark = time.monotonic()
                worker.join()
                phases["waiting for warehouse"] = time.monotonic() - mark
                if failure:
                    raise failure[0]
                if not claim_findings.ok:
                    raise LoadRejected(folder, claim_findings.shown, claim_findings.total)
                progress.advance(task, len(warehouse.CLAIM_TABLES))
                mark = time.monotonic()
                _audit(folder, src.rows, changes, written)
            phases["audit + commit"] = time.monotonic() - mark
        finally:
            if worker.ident is not None:
                worker.join()  # a database failure: let the warehouse writer finish before removing its files
            tmp.cleanup()
    except duckdb.Error as exc:
        warehouse.discard(version)
        raise reject(folder, f"the warehouse could not be written ({duckdb_reason(exc)[1]})") from None
    except DatabaseError as exc:
        warehouse.discard(version)
        # The driver's message can quote row values; name only the kind of failure.
        raise reject(folder, f"the database refused the load ({type(exc).__name__})") from None
    except BaseException:
        warehouse.discard(version)
        raise
    mark = time.monotonic()
    warehouse.publish(version)
    phases["publish"] = time.monotonic() - mark
    progress.advance(task)
    return LoadResult(folder=folder, rows=dict(src.rows), changes=changes, warehouse=written,
                      version=version.name, seconds=time.monotonic() - started,
                      duplicates={k: v for k, v in duplicates.items() if v}, ignored=ignored, phases=phases)


def _audit(folder: Path, rows: dict[str, int], changes: dict[str, dict[str, int]], written: dict[str, int]) -> None:
    from carehub.apps.audit.models import Action
    from carehub.apps.audit.services import JobActor, record

    record(actor=JobActor("load"), action=Action.LOAD, object_type="plan_data_folder",
           object_id=folder.name[:64], purpose="load plan data",
           detail={"folder": str(folder.resolve()), "rows_read": rows, "changes": changes,
                   "warehouse_lines": written})
