"""The operational-database half of `carehub load` alone: compute the operational rows of a plan folder (members,
eligibility spans, PCP assignments, programs, housing, incarcerations, assessments, care relationships,
providers) with DuckDB and write them into a fresh, migrated embedded SQLite database, as a first load does,
without the claims validation and the warehouse write that run beside it in a real load.

    .venv/bin/python bench/operational_bench.py /tmp/plan1m

Prints wall and CPU seconds of the prepare step (DuckDB) and of the database write (one transaction), the rows
per target and the slowest statements.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", type=Path)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="carehub-opbench-"))
    os.environ["CAREHUB_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.web.settings")
    import django

    django.setup()
    import duckdb
    from django.core.management import call_command
    from django.db import connection, transaction

    from carehub.ingest.canonical import create_canonical_view
    from carehub.ingest.layout import TABLES, discover
    from carehub.ingest.operational import apply_targets, prepare_targets, tune_connection
    from carehub.ingest.sources import SourceSet

    try:
        call_command("migrate", verbosity=0)
        con = duckdb.connect(config={"memory_limit": "4GB", "temp_directory": str(data)})
        tables, _, _ = discover(args.plan)
        present = {name for name in tables if not TABLES[name].claims}
        src = SourceSet(con, args.plan)
        for name in present:
            src.open_table(tables[name])
            create_canonical_view(con, TABLES[name], src.typed[name])
        wall, cpu = time.perf_counter(), time.process_time()
        prepared = prepare_targets(con, present, data)
        print(f"prepare (DuckDB): {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
        tune_connection()
        connection.force_debug_cursor = True  # statement timings for the list below
        wall, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            changes = apply_targets(prepared)
        print(f"database write ({connection.vendor}, one transaction): {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU")
        for label, counts in changes.items():
            print(f"  {label:<28} {counts.get('inserted', 0):>10,} rows")
        print("slowest statements (s):")
        for query in sorted(connection.queries, key=lambda q: -float(q["time"]))[:8]:
            print(f"  {float(query['time']):6.2f}  {query['sql'][:100]}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
