"""What `carehub identify` does: open a plan folder (or the live warehouse version), identify on DuckDB or Spark,
write the CSV, summarise by population."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
from rich.table import Table

from carehub.domain.populations.engine import DuckDBEngine, Engine, SparkEngine, spark_session
from carehub.domain.populations.runner import (
    OUTPUT_COLUMNS,
    OUTPUT_ORDER,
    OUTPUT_TABLE,
    RULE_WORKERS,
    identify_on,
    write_csv,
)
from carehub.domain.populations.sources import OUTREACH_TABLE, open_folder

ENGINES = ("duckdb", "spark")


def source_folder(data: Path | None) -> Path:
    """The folder to read: `data` when given, else the live warehouse version (laid out like a plan folder)."""
    if data is not None:
        if not Path(data).is_dir():
            raise FileNotFoundError(f"plan data folder not found: {data}")
        return Path(data)
    from carehub.warehouse import current_version_dir

    version = current_version_dir()
    if version is None:
        raise FileNotFoundError("no claims warehouse loaded yet: run `carehub load FOLDER` or pass --data")
    return version


def _write_rows(engine: Engine, out: Path) -> dict[str, int]:
    """Write the output table with the engine's rows (for engines without a CSV writer of their own)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = engine.rows(f"SELECT {', '.join(OUTPUT_COLUMNS)} FROM {OUTPUT_TABLE} ORDER BY {OUTPUT_ORDER}")
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        for row in rows:
            writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row])
    counts = engine.rows(f"SELECT population, count(*) FROM {OUTPUT_TABLE} GROUP BY population ORDER BY population")
    return {population: count for population, count in counts}


ConnectionHook = Callable[[duckdb.DuckDBPyConnection], None]


def _open(runner: Engine, folder: Path, outreach: Path | None) -> None:
    open_folder(runner, folder)
    if outreach is not None:
        runner.read_files(OUTREACH_TABLE, "csv", [outreach])


def identify_to_csv(*, as_of: date, folder: Path, out: Path, value_sets: Path | None = None,
                    engine: str = "duckdb", with_connection: ConnectionHook | None = None,
                    outreach: Path | None = None) -> tuple[dict[str, int], int, int]:
    """Identify on the chosen engine and write the output CSV; return rows by population, members, excluded.
    On DuckDB, `with_connection` is called with the open connection after the run, so a caller can read what the
    CSV contract leaves out (the priority score and factors, the county, the exclusion's evidence) without
    running the rules again.
    `outreach`: a CSV of ECM outreach outcomes (person_id, outcome, outcome_date) from the operational database,
    for the UNRESPONSIVE exclusion; without it nobody is excluded so."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    summary = (f"SELECT count(DISTINCT person_id), count(DISTINCT CASE WHEN excluded THEN person_id END) "
               f"FROM {OUTPUT_TABLE}")
    if engine == "spark":
        # a session of its own (the JVM and context are shared): temporary views of an earlier run in this
        # process, e.g. an input table this folder lacks, must not be read as this run's
        spark = spark_session().newSession()
        with tempfile.TemporaryDirectory(prefix="carehub-spark-") as workdir:
            runner: Engine = SparkEngine(spark, workdir)
            _open(runner, folder, outreach)
            identify_on(runner, as_of, value_sets)
            counts = _write_rows(runner, Path(out))
            people, excluded = runner.rows(summary)[0]
        return counts, people, excluded
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        runner = DuckDBEngine(con, RULE_WORKERS)
        _open(runner, folder, outreach)
        identify_on(runner, as_of, value_sets)
        counts = write_csv(con, Path(out))
        people, excluded = runner.rows(summary)[0]
        if with_connection is not None:
            with_connection(con)
    finally:
        con.close()
    return counts, people, excluded


def run_identify(*, as_of: date, data: Path | None, out: Path, value_sets: Path | None = None,
                 engine: str = "duckdb", with_connection: ConnectionHook | None = None,
                 outreach: Path | None = None) -> Table:
    """Run identification on a plan data folder (or, without one, the live warehouse version) and write the
    output CSV; return the counts as a table."""
    counts, people, excluded = identify_to_csv(as_of=as_of, folder=source_folder(data), out=out,
                                               value_sets=value_sets, engine=engine,
                                               with_connection=with_connection, outreach=outreach)
    table = Table(title=f"Populations of Focus on {as_of.isoformat()} -> {out}")
    table.add_column("population")
    table.add_column("rows", justify="right")
    for population, rows in counts.items():
        table.add_row(population, f"{rows:,}")
    table.add_row("[b]members[/b]", f"{people:,} ({excluded:,} excluded)")
    return table
