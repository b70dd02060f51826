"""One generated plan per format, shared by the synth tests (generation is the slow part)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from carehub.synth.plan import generate_plan

AS_OF = date(2026, 10, 31)
MEMBERS = 4000
SEED = 7


def quiet() -> Console:
    return Console(file=io.StringIO())


def table_source(folder: Path, table: str) -> str:
    """A DuckDB source expression for a table of the layout (single file or folder of parts)."""
    if (folder / table).is_dir():
        ext = next((folder / table).iterdir()).suffix
        pattern = f"{folder / table}/*{ext}"
    else:
        pattern = str(next(folder.glob(f"{table}.*")))
    if pattern.endswith(".csv"):
        return f"read_csv('{pattern}', header=true, all_varchar=true)"
    return f"read_parquet('{pattern}')"


class Plan:
    """A generated plan and a DuckDB connection with one view per table (and `truth`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = duckdb.connect()
        for table in ("eligibility", "medical_claim", "pharmacy_claim", "program_enrollment", "housing_status",
                      "incarceration", "assessment", "provider"):
            self.db.execute(f"create view {table} as select * from {table_source(folder, table)}")
        self.db.execute(f"create view truth as select * from read_csv('{folder}/_truth/populations.csv', "
                        "header=true, all_varchar=true)")

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.db.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self.rows(sql, params)[0][0]


@pytest.fixture(scope="session")
def parquet_plan(tmp_path_factory) -> Plan:
    folder = tmp_path_factory.mktemp("plan-parquet")
    generate_plan(out=folder, members=MEMBERS, seed=SEED, fmt="parquet", as_of=AS_OF, console=quiet())
    return Plan(folder)
