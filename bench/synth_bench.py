"""Benchmark `carehub synth`: generate a plan (default 1,000,000 members as Parquet) and report wall time, peak
RSS, claim lines and bytes written.

    .venv/bin/python bench/synth_bench.py                     # 1M members into a temporary folder (deleted after)
    .venv/bin/python bench/synth_bench.py /tmp/plan1m         # keep the plan (e.g. for bench/load_bench.py)
    .venv/bin/python bench/synth_bench.py /tmp/p --members 100000 --format csv
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console

from carehub.synth.plan import generate_plan


def rows_in(folder: Path, table: str) -> int:
    """Row count of a table of the layout (Parquet footers, or CSV lines minus headers)."""
    files = sorted((folder / table).glob("part-*")) if (folder / table).is_dir() else sorted(folder.glob(f"{table}.*"))
    total = 0
    for path in files:
        if path.suffix == ".parquet":
            total += pq.ParquetFile(path).metadata.num_rows
        else:
            with path.open("rb") as handle:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda h=handle: h.read(1 << 24), b"")) - 1
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, help="folder to write (default: a temporary one, removed)")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 10, 31))
    args = parser.parse_args()
    temporary = args.out is None
    out = Path(tempfile.mkdtemp(prefix="synth-bench-")) if temporary else args.out
    try:
        started = time.perf_counter()
        summary = generate_plan(out=out, members=args.members, seed=args.seed, fmt=args.format, as_of=args.as_of,
                                console=Console(stderr=True))
        wall = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        lines = rows_in(out, "medical_claim")
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(summary)
        print(f"members          {args.members:,} ({args.format}, seed {args.seed}, as of {args.as_of})")
        print(f"wall time        {wall:,.1f} s ({args.members / wall:,.0f} members/s, {lines / wall:,.0f} lines/s)")
        print(f"peak RSS         {peak_mib:,.0f} MiB")
        print(f"claim lines      {lines:,} ({lines / args.members:.1f} per member)")
        print(f"bytes written    {size:,} ({size / 2**30:.2f} GiB) in {out}")
    finally:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
