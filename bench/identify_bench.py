"""Identification benchmark: the full run (all rules, exclusions, priority, CSV out) on a plan data folder, its
wall time and peak memory, and, in the same process, one DuckDB pass over the same claims as the floor (the median of
three such passes):
`SELECT person_id, count(*) FROM read_parquet(medical_claim) GROUP BY 1`.

    .venv/bin/python bench/identify_bench.py PLAN_DIR [--as-of 2026-10-31] [--memory-limit 1.5GB] [--threads N]
    .venv/bin/python bench/identify_bench.py PLAN_DIR --engine spark     (pyspark local[2]; JVM memory not in RSS)
    .venv/bin/python bench/identify_bench.py DATA_DIR/warehouse/v-...    (a loaded warehouse version)

A warehouse version written by `carehub load` carries the stored claim events (`_claim_events/`), which the run
reads instead of scanning the claim lines ("claim lines from: events"); a plan folder is scanned ("scan").

Peak memory is the process's peak resident set (ru_maxrss), which includes DuckDB's buffers.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from carehub.domain.populations.cli import identify_to_csv
from carehub.domain.populations.runner import identify_folder, write_csv


def _claims_source(folder: Path) -> str:
    table = folder / "medical_claim"
    if table.is_dir():
        files = sorted(p for p in table.rglob("*.parquet") if not p.name.startswith(("_", ".")))
        return "read_parquet([" + ", ".join(f"'{p}'" for p in files) + "])"
    if (folder / "medical_claim.parquet").exists():
        return f"read_parquet('{folder / 'medical_claim.parquet'}')"
    return f"read_csv('{folder / 'medical_claim.csv'}', all_varchar = true)"


def _connect(memory_limit: str | None, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--as-of", default="2026-10-31")
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)

    con = _connect(args.memory_limit, args.threads)
    # three passes, the median kept: one pass moves by half from run to run on a noisy machine
    passes = []
    floor_sql = f"SELECT person_id, count(*) AS n FROM {_claims_source(args.plan)} GROUP BY 1"
    for _ in range(3):
        start = time.perf_counter()
        lines, people = con.execute(f"SELECT sum(n), count(*) FROM ({floor_sql})").fetchone() or (0, 0)
        passes.append(time.perf_counter() - start)
    floor = sorted(passes)[1]
    con.close()
    floor_peak = _peak_mb()

    if args.engine == "spark":
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            counts, people, _ = identify_to_csv(as_of=as_of, folder=args.plan, out=Path(tmp) / "out.csv",
                                                engine="spark")
            full = time.perf_counter() - start
        print(f"floor  (one DuckDB GROUP BY pass over medical_claim): {floor:7.2f} s")
        print(f"Spark local[2] identification (session start, rules, CSV): {full:7.2f} s  ({people:,} members)")
        print(f"ratio full / floor: {full / floor:.1f}x")
        return
    con = _connect(args.memory_limit, args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        con, _ = identify_folder(args.plan, as_of, con=con)
        counts = write_csv(con, Path(tmp) / "identified.csv")
        full = time.perf_counter() - start
        members = con.execute("SELECT count(*) FROM def_person").fetchone()
        claim_source = con.execute("SELECT source FROM stg_claim_source").fetchone()
    con.close()

    print(f"plan {args.plan}: {lines:,} claim lines, {people:,} people with claims, "
          f"{members[0] if members else 0:,} members considered on {as_of}")
    print(f"floor  (one DuckDB GROUP BY pass over medical_claim): {floor:7.2f} s   peak RSS {floor_peak:,.0f} MB"
          f"   (median of {', '.join(f'{p:.2f}' for p in passes)})")
    print(f"full identification (rules, exclusions, priority, CSV): {full:7.2f} s   peak RSS {_peak_mb():,.0f} MB"
          f"   claim lines from: {claim_source[0] if claim_source else '?'}")
    print(f"ratio full / floor: {full / floor:.1f}x")
    for population, rows in counts.items():
        print(f"  {population:<30} {rows:>9,}")


if __name__ == "__main__":
    main()
