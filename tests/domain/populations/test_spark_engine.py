"""The Spark engine: the same rule files, transpiled with sqlglot, give the same output rows as DuckDB."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from plan_builder import Plan

from carehub.domain.populations.cli import identify_to_csv
from carehub.domain.populations.engine import spark_session
from carehub.domain.populations.runner import write_claim_events

pytest.importorskip("pyspark")
pytest.importorskip("sqlglot")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def _small_plan(plan: Plan) -> None:
    """A few members covering claims-based, program-based and excluded populations."""
    plan.person("homeless", "1970-01-01")
    plan.housing("homeless", "UNSHELTERED", "2024-01-01")
    plan.claim("homeless", "2024-03-01", dx=("E11.9",), hcpcs="99213")
    plan.person("ed", "1980-05-05", county="Fresno")
    for day in ("2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"):
        plan.ed("ed", day, dx="J06.9")
    plan.stay("ed", "2024-06-10", "2024-06-14", dx="I50.9")
    plan.person("smh", "1990-01-01")
    plan.program("smh", "SMHS", "2023-10-01")
    plan.housing("smh", "DOUBLED_UP", "2024-01-01")
    plan.ed("smh", "2024-02-02", dx="F20.9")
    plan.ed("smh", "2024-05-02", dx="F20.9")
    plan.person("foster", "2012-01-01", race="black or african american")
    plan.program("foster", "FOSTER_CARE", "2020-01-01")
    plan.program("foster", "HOSPICE", "2024-01-01")
    plan.person("reentry", "1985-01-01")
    plan.incarceration("reentry", "JAIL", "2024-03-01")
    plan.claim("reentry", "2024-04-01", dx=("F32.9",))
    plan.person("pregnant", "2000-01-01", race="black or african american")
    plan.claim("pregnant", "2024-05-01", dx=("Z34.90",))
    plan.housing("pregnant", "SHELTERED", "2024-02-01", minors=True)
    plan.person("nobody", "1960-01-01")
    plan.claim("nobody", "2024-05-01", dx=("S72.001A",))


@pytest.mark.slow
def test_spark_and_duckdb_write_identical_rows(plan: Plan, tmp_path: Path) -> None:
    _small_plan(plan)
    folder = plan.write()
    as_of = date(2024, 6, 30)
    duck, spark = tmp_path / "duckdb.csv", tmp_path / "spark.csv"
    # the operational outreach outcomes (UNRESPONSIVE): one inside the look-back, one before it
    outreach = tmp_path / "outreach_outcome.csv"
    outreach.write_text("person_id,outcome,outcome_date\ned,UNREACHABLE,2024-05-20\nsmh,DECLINED,2023-06-01\n")
    duck_counts, *_ = identify_to_csv(as_of=as_of, folder=folder, out=duck, engine="duckdb", outreach=outreach)
    spark_counts, *_ = identify_to_csv(as_of=as_of, folder=folder, out=spark, engine="spark", outreach=outreach)
    # the run's views stayed in its own session: a later run in this process cannot read them as its inputs
    assert not spark_session().catalog.tableExists("outreach_outcome")
    duck_rows, spark_rows = _rows(duck), _rows(spark)
    assert {r["person_id"] for r in duck_rows} >= {"homeless", "ed", "smh", "foster", "reentry", "pregnant"}
    assert any(r["excluded"] == "true" for r in duck_rows)
    assert {r["exclusion_reason"] for r in duck_rows if r["person_id"] == "ed"} == {"UNRESPONSIVE"}
    assert {r["exclusion_reason"] for r in duck_rows if r["person_id"] == "smh"} == {""}
    assert spark_rows == duck_rows
    assert spark_counts == duck_counts


@pytest.mark.slow
def test_spark_reads_a_warehouse_claim_events_like_duckdb(plan: Plan, tmp_path: Path) -> None:
    """On a folder carrying stored claim events (condition facts, whole claims) Spark reads them with text person
    ids while DuckDB joins on hashed ids: the same rows."""
    _small_plan(plan)
    stored = tmp_path / "warehouse"
    shutil.copytree(plan.write(), stored)
    assert write_claim_events(stored) > 0
    as_of = date(2024, 6, 30)
    duck, spark = tmp_path / "duckdb.csv", tmp_path / "spark.csv"
    identify_to_csv(as_of=as_of, folder=stored, out=duck, engine="duckdb")
    identify_to_csv(as_of=as_of, folder=stored, out=spark, engine="spark")
    duck_rows = _rows(duck)
    assert {r["person_id"] for r in duck_rows} >= {"homeless", "ed", "smh", "foster", "reentry", "pregnant"}
    assert _rows(spark) == duck_rows
