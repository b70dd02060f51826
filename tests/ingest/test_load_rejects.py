"""Bad input: the load is rejected with a message naming the file, the line or row and the problem, and the
database and the warehouse are exactly as they were."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from carehub.cli import app
from carehub.ingest.loader import LoadRejected, load_folder
from ingest.plans import base_plan, db_snapshot, warehouse_snapshot, write_csv, write_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path):
    """A first good load, so 'nothing changed' is checked against real rows and a live warehouse version."""
    load_folder(write_plan(tmp_path / "good", base_plan()))
    return db_snapshot(), warehouse_snapshot()


def rejected(folder, loaded) -> str:
    with pytest.raises(LoadRejected) as info:
        load_folder(folder)
    assert db_snapshot() == loaded[0]
    assert warehouse_snapshot() == loaded[1]
    return info.value.report()


def test_missing_required_column(tmp_path, loaded):
    plan = base_plan()
    for row in plan["eligibility"]:
        del row["birth_date"]
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "eligibility.csv line 1: missing required column birth_date" in report


def test_date_that_does_not_exist(tmp_path, loaded):
    plan = base_plan()
    plan["eligibility"][1]["birth_date"] = "2024-02-31"
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "eligibility.csv line 3: birth_date is not a real date in the form YYYY-MM-DD" in report
    assert "2024-02-31" not in report  # values of member fields are never echoed


def test_unknown_person_id(tmp_path, loaded):
    plan = base_plan()
    plan["medical_claim"][2]["person_id"] = "P999"
    plan["housing_status"][0]["person_id"] = "P998"
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "housing_status.csv line 2: person_id is not in eligibility" in report
    assert "medical_claim.csv line 4: person_id is not in eligibility" in report
    assert "2 problems" in report


def test_truncated_parquet_file(tmp_path, loaded):
    folder = write_plan(tmp_path / "bad", base_plan(), fmt="parquet")
    data = (folder / "medical_claim.parquet").read_bytes()
    (folder / "medical_claim.parquet").write_bytes(data[: len(data) // 2])
    report = rejected(folder, loaded)
    assert "medical_claim.parquet: not a readable Parquet file" in report


def test_zero_byte_file(tmp_path, loaded):
    folder = write_plan(tmp_path / "bad", base_plan())
    (folder / "housing_status.csv").write_bytes(b"")
    report = rejected(folder, loaded)
    assert "housing_status.csv: the file is empty (0 bytes)" in report


def test_huge_field(tmp_path, loaded):
    plan = base_plan()
    plan["eligibility"][0]["first_name"] = "A" * 10_000_000
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "eligibility.csv line 2: first_name is too long (10000000 characters; at most 100)" in report
    assert len(report) < 2000


def test_bad_enumerated_value(tmp_path, loaded):
    plan = base_plan()
    plan["program_enrollment"][1]["program"] = "FOSTERCARE"
    plan["incarceration"][0]["facility_type"] = "CAMP"
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "program_enrollment.csv line 3: program 'FOSTERCARE' is not one of 30 listed values" in report
    assert "incarceration.csv line 2: facility_type 'CAMP' is not one of PRISON, JAIL, YOUTH" in report


def test_malformed_icd10_and_other_codes(tmp_path, loaded):
    plan = base_plan()
    plan["medical_claim"][0]["diagnosis_code_1"] = "Z59.0.1"
    plan["medical_claim"][1]["hcpcs_code"] = "9921"
    plan["medical_claim"][2]["revenue_center_code"] = "45"
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "medical_claim.csv line 2: diagnosis_code_1 is not a well-formed ICD-10-CM code" in report
    assert "medical_claim.csv line 3: hcpcs_code is not a HCPCS/CPT code (5 characters)" in report
    assert "medical_claim.csv line 4: revenue_center_code is not a revenue code (4 digits)" in report


def test_npi_failing_luhn(tmp_path, loaded):
    plan = base_plan()
    plan["provider"][0]["npi"] = "1245319598"
    plan["program_enrollment"][0]["detail"] = "1245319598"
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "provider.csv line 2: npi is not a valid NPI (10 digits with a Luhn check digit)" in report
    assert "program_enrollment.csv line 2: detail is not a valid NPI" in report


def test_duplicate_natural_key(tmp_path, loaded):
    plan = base_plan()
    plan["assessment"].append(dict(plan["assessment"][0], value="6"))
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    assert "assessment.csv line 4: same person_id + kind + assessed_on as line 2" in report


def test_more_than_twenty_errors_shows_twenty_and_a_count(tmp_path, loaded):
    plan = base_plan()
    template = plan["medical_claim"][0]
    plan["medical_claim"] = [dict(template, claim_line_number=str(i), claim_start_date="2024-13-01")
                             for i in range(1, 26)]
    report = rejected(write_plan(tmp_path / "bad", plan), loaded)
    lines = report.splitlines()
    assert lines[0].startswith("Load rejected: 25 problems")
    assert sum("claim_start_date is not a real date" in line for line in lines) == 20
    assert lines[1].strip().startswith("medical_claim.csv line 2:")
    assert lines[-1].strip() == "... and 5 more problems"


def test_missing_eligibility_and_mixed_part_files(tmp_path, loaded):
    plan = base_plan()
    del plan["eligibility"]
    folder = write_plan(tmp_path / "bad", plan)
    write_csv(folder / "pharmacy_claim" / "part-1.csv", base_plan()["pharmacy_claim"])
    (folder / "pharmacy_claim" / "part-2.txt").write_text("x")
    report = rejected(folder, loaded)
    assert "eligibility: the folder has no eligibility table" in report
    assert "pharmacy_claim/: part files must all be .csv or all be .parquet" in report


def test_cli_prints_the_report_and_exits_non_zero(tmp_path, loaded):
    plan = base_plan()
    plan["eligibility"][1]["enrollment_start_date"] = "2024-02-31"
    result = CliRunner().invoke(app, ["load", str(write_plan(tmp_path / "bad", plan))])
    assert result.exit_code == 1
    assert "eligibility.csv line 3: enrollment_start_date is not a real date" in result.output
    assert "Traceback" not in result.output
    assert db_snapshot() == loaded[0] and warehouse_snapshot() == loaded[1]


def test_a_database_that_was_never_migrated_is_named_before_any_work(tmp_path):
    """A new data directory whose database has no tables: the load says to run `carehub migrate`, at once, and
    writes no warehouse version (the command runs as a user would run it, in its own process)."""
    import os
    import subprocess
    import sys

    folder = write_plan(tmp_path / "plan", base_plan())
    env = {k: v for k, v in os.environ.items() if k != "CAREHUB_DATABASE_URL"}
    env["CAREHUB_DATA_DIR"] = str(tmp_path / "fresh")
    result = subprocess.run([sys.executable, "-m", "carehub.cli", "load", str(folder)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    said = " ".join((result.stdout + result.stderr).split())  # the console wraps long lines
    assert "not set up for this version of CareHub" in said and "run `carehub migrate` first" in said
    assert "Traceback" not in said
    assert not list((tmp_path / "fresh").glob("warehouse/v-*"))
