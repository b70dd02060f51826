"""`carehub identify` writes the output contract and tells the analyst how many members met each population."""

from __future__ import annotations

import csv

from plan_builder import Plan
from typer.testing import CliRunner

from carehub.cli import app


def test_identify_command_writes_sorted_csv_and_prints_counts(plan: Plan):
    plan.person("2", "1980-05-01")
    plan.person("1", "2012-01-01")
    plan.program("1", "FOSTER_CARE", "2020-01-01")
    for day in ["2024-03-01", "2024-04-10", "2024-05-20", "2024-06-30", "2024-08-31"]:
        plan.ed("2", day)
    folder = plan.write()
    out = plan.root / "result" / "identified.csv"
    result = CliRunner().invoke(app, ["identify", "--as-of", "2024-08-31", "--data", str(folder), "--out", str(out),
                                      "--no-store"])
    assert result.exit_code == 0, result.output
    assert "ADULT_AVOIDABLE_UTILIZATION" in result.output and "CHILD_WELFARE" in result.output
    with out.open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["priority"], r["person_id"], r["population"]) for r in rows] == [
        ("1", "2", "ADULT_AVOIDABLE_UTILIZATION"), ("2", "1", "CHILD_WELFARE")]


def test_identify_command_rejects_a_bad_date_and_a_missing_folder(plan: Plan):
    folder = plan.write()
    bad_date = CliRunner().invoke(app, ["identify", "--as-of", "31/08/2024", "--data", str(folder), "--out", "x.csv"])
    missing = CliRunner().invoke(app, ["identify", "--as-of", "2024-08-31", "--data", str(folder / "nope"),
                                       "--out", "x.csv"])
    assert bad_date.exit_code == 2 and missing.exit_code == 2
