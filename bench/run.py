"""`./run bench NAME [ARGS]` runs bench/NAME_bench.py with ARGS; without NAME, lists the benchmarks."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = sorted(p.name.removesuffix("_bench.py") for p in HERE.glob("*_bench.py"))
    if not argv or argv[0] not in names:
        print("usage: ./run bench NAME [ARGS]   (NAME: " + ", ".join(names) + "; see bench/README.md)")
        return 2
    sys.argv = [str(HERE / f"{argv[0]}_bench.py"), *argv[1:]]
    runpy.run_path(sys.argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
