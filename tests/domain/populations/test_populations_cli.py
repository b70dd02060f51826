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


def test_a_plans_value_set_is_read_as_csv_and_a_malformed_one_is_named_with_its_line(plan: Plan):
    """A plan edits a value set in a spreadsheet: a description holding a comma and quotes, quoted as CSV quotes
    it, is read as written; an unquoted one is refused naming the file and line, without a traceback."""
    from carehub.domain.populations.runner import VALUE_SETS_DIR

    plan.person("1", "1980-05-01")
    for day in ["2024-03-01", "2024-04-10", "2024-05-20", "2024-06-30", "2024-08-31"]:
        plan.ed("1", day, dx="J02.9")
    folder = plan.write()
    shipped = (VALUE_SETS_DIR / "diagnoses.csv").read_text().splitlines()
    number = next(i for i, line in enumerate(shipped) if line.startswith("AVOIDABLE_ED,J02,"))
    good, bad = plan.root / "good", plan.root / "bad"
    for folder_, line in ((good, 'AVOIDABLE_ED,J02,false,"pharyngitis (""strep throat"": J02, J03)"'),
                          (bad, 'AVOIDABLE_ED,J02,false,pharyngitis ("strep throat": J02, J03)')):
        folder_.mkdir()
        (folder_ / "diagnoses.csv").write_text("\n".join([*shipped[:number], line, *shipped[number + 1:]]) + "\n")

    def identify(value_sets):
        out = plan.root / f"{value_sets.name}.csv"
        result = CliRunner().invoke(app, ["identify", "--as-of", "2024-08-31", "--data", str(folder), "--out",
                                          str(out), "--no-store", "--value-sets", str(value_sets)])
        return result, out

    result, out = identify(good)
    assert result.exit_code == 0, result.output
    with out.open() as f:
        assert [r["population"] for r in csv.DictReader(f)] == ["ADULT_AVOIDABLE_UTILIZATION"]
    result, _ = identify(bad)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # a clean exit, not an error
    message = "".join(result.output.split())  # the console wraps long lines, anywhere in a path
    assert "".join(f"bad/diagnoses.csv, line {number + 1}: 5 fields where the header has 4".split()) in message
    assert "Traceback" not in result.output


def test_identify_refuses_a_plan_folder_that_a_load_would_refuse(plan: Plan):
    """`--data` reads the folder directly: it gets the load's checks, so a bad date is named with its file and line
    instead of the member silently dropping out of every population."""
    plan.person("1", "1980-05-01")
    plan.person("2", "1980-02-30")  # no such day
    for pid in ("1", "2"):
        for day in ["2024-03-01", "2024-04-10", "2024-05-20", "2024-06-30", "2024-08-31"]:
            plan.ed(pid, day)
    folder = plan.write()
    out = plan.root / "identified.csv"
    result = CliRunner().invoke(app, ["identify", "--as-of", "2024-08-31", "--data", str(folder), "--out", str(out),
                                      "--no-store"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    message = " ".join(result.output.split())
    assert "Identification refused: 1 problem" in message
    assert "eligibility.csv line 3: birth_date is not a real date" in message
    assert not out.exists()
