"""Benchmark `carehub load`: load a plan folder into a fresh data directory and report lines per second.

    .venv/bin/python bench/load_bench.py /tmp/plan1m                      # SQLite (embedded)
    .venv/bin/python bench/load_bench.py /tmp/plan1m --pg postgresql://postgres@127.0.0.1:5432/carehub_bench
    .venv/bin/python bench/load_bench.py /tmp/fakeplan --make-fake 1000000  # a quick stand-in plan, see below
    .venv/bin/python bench/load_bench.py /tmp/plan1m --reload             # also time a second, no-change load

`--make-fake N` writes a minimal stand-in plan (Parquet, 40 claim lines per member, random but well-formed
codes) with DuckDB, for when `carehub synth` is not available. Real plans from `carehub synth` have richer
columns; use them for the figures in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

FAKE_SQL = {
    "eligibility": """
        SELECT 'P' || lpad(i::VARCHAR, 8, '0') AS person_id, '9' || lpad(i::VARCHAR, 7, '0') || 'A' AS member_id,
               DATE '1950-01-01' + (i % 25000)::INT AS birth_date, DATE '2024-01-01' AS enrollment_start_date,
               NULL::DATE AS enrollment_end_date, 'First' || (i % 977) AS first_name, 'Last' || (i % 3001) AS last_name,
               (['Los Angeles', 'Orange', 'Fresno', 'Kern'])[1 + i % 4] AS county, 'medi-cal' AS payer, 'A' AS plan,
               CASE WHEN i % 3 = 0 THEN '1234567893' END AS pcp_npi
        FROM range({n}) t(i)""",
    "medical_claim": """
        SELECT 'C' || (i // 4)::VARCHAR AS claim_id, (i % 4 + 1)::BIGINT AS claim_line_number,
               CASE WHEN i % 10 = 0 THEN 'institutional' ELSE 'professional' END AS claim_type,
               'P' || lpad(((i * 7919) % {n})::VARCHAR, 8, '0') AS person_id,
               DATE '2024-11-01' + (i % 700)::INT AS claim_start_date,
               DATE '2024-11-01' + (i % 700)::INT AS claim_end_date,
               CASE WHEN i % 10 <> 0 THEN '11' END AS place_of_service_code,
               CASE WHEN i % 10 = 0 THEN '0131' END AS bill_type_code,
               CASE WHEN i % 10 = 0 THEN '0450' END AS revenue_center_code,
               CASE WHEN i % 10 <> 0 THEN (['99213', '99214', 'G9008', 'T1016', '99283'])[1 + i % 5] END AS hcpcs_code,
               '1245319599' AS billing_npi, ((i % 50000) / 100.0)::DECIMAL(18, 2) AS paid_amount,
               (['Z5901', 'I10', 'E119', 'F1020', 'J449', 'Z59.02'])[1 + i % 6] AS diagnosis_code_1,
               CASE WHEN i % 2 = 0 THEN 'E785' END AS diagnosis_code_2,
               CASE WHEN i % 5 = 0 THEN 'F329' END AS diagnosis_code_3
        FROM range({n} * 40) t(i)""",
    "pharmacy_claim": """
        SELECT 'R' || i::VARCHAR AS claim_id, 1::BIGINT AS claim_line_number,
               'P' || lpad(((i * 104729) % {n})::VARCHAR, 8, '0') AS person_id,
               DATE '2024-11-01' + (i % 700)::INT AS dispensing_date, '00002143380' AS ndc_code, 30 AS days_supply
        FROM range({n} * 4) t(i)""",
}


def make_fake(folder: Path, members: int) -> None:
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    for table, sql in FAKE_SQL.items():
        out = folder / table
        out.mkdir(exist_ok=True)
        con.execute(f"COPY ({sql.format(n=members)}) TO '{out}' "
                    f"(FORMAT parquet, PER_THREAD_OUTPUT true, OVERWRITE_OR_IGNORE true)")
    con.close()


def run_load(folder: Path) -> tuple[float, int]:
    """One `load_folder` in this process; returns wall seconds and claim lines read."""
    from django.core.management import call_command
    from rich.console import Console

    from carehub.ingest.loader import load_folder

    call_command("migrate", interactive=False, verbosity=0)
    started, cpu = time.monotonic(), time.process_time()
    result = load_folder(folder, console=Console(stderr=True))
    seconds = time.monotonic() - started
    # CPU seconds of this process (all threads): a figure less sensitive to other work on a shared machine.
    print(f"CPU: {time.process_time() - cpu:.1f} s for {seconds:.1f} s wall")
    print(result.summary())
    print("phases (wall seconds):")
    for phase, phase_seconds in result.phases.items():
        print(f"  {phase:<22} {phase_seconds:8.1f}")
    return seconds, result.claim_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--pg", help="PostgreSQL URL (database is used as is; run on an empty one)")
    parser.add_argument("--make-fake", type=int, metavar="MEMBERS", help="first write a stand-in plan")
    parser.add_argument("--reload", action="store_true", help="load a second time and time it too")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    if args.make_fake:
        started = time.monotonic()
        make_fake(args.folder, args.make_fake)
        print(f"fake plan written in {time.monotonic() - started:.1f} s")
    data = Path(tempfile.mkdtemp(prefix="carehub-bench-"))
    os.environ["CAREHUB_DATA_DIR"] = str(data)
    if args.pg:
        os.environ["CAREHUB_DATABASE_URL"] = args.pg
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.web.settings")
    import django

    django.setup()
    try:
        runs = [("first load", *run_load(args.folder))]
        if args.reload:
            runs.append(("reload (no change)", *run_load(args.folder)))
        db = "PostgreSQL" if args.pg else "SQLite"
        for label, seconds, lines in runs:
            print(f"{label} [{db}]: {seconds:.1f} s wall, {lines:,} claim lines, {lines / seconds:,.0f} lines/s")
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
