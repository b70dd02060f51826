"""A first load keeps clean, typed Parquet claim files as they are; readers still see canonical values; a
background job rewrites them into the warehouse's layout; a later load merges over them correctly."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

from carehub import warehouse
from carehub.apps.audit.models import AuditEvent
from carehub.domain.populations.sources import EVENTS_FOLDER
from carehub.ingest.compact import compact_current
from carehub.ingest.loader import load_folder
from carehub.warehouse import current_version_dir, recent_medical_claims
from ingest.plans import base_plan, warehouse_rows, write_plan

pytestmark = pytest.mark.django_db


def _plan():
    plan = base_plan()
    plan["medical_claim"][0].update(diagnosis_code_1="z59.01", hcpcs_code="g9008")  # as a plan may spell them
    return plan


def _identified(version) -> tuple[str, list[tuple]]:
    """Where identification took the claim lines from, and its answer, on a warehouse version."""
    from carehub.domain.populations import identify_folder
    from carehub.domain.populations.sources import CLAIM_SOURCE

    con, result = identify_folder(version, date(2024, 12, 31))
    rows = result.fetchall()
    source = con.execute(f"SELECT source FROM {CLAIM_SOURCE}").fetchone()[0]
    con.close()
    return ("events" if source == "events" else "scan"), rows


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stored(table: str) -> list[tuple]:
    """The live version's files read as they are (no normalization)."""
    con = duckdb.connect()
    glob = warehouse.table_glob(table)
    rows = con.execute(f"SELECT diagnosis_code_1, hcpcs_code FROM read_parquet('{glob}', union_by_name=true) "
                       "WHERE claim_id = 'C1' AND claim_line_number = 1").fetchall()
    con.close()
    return rows


def test_first_load_keeps_the_claim_files_and_readers_see_canonical_values(tmp_path, queued_jobs):
    from django_tasks_db.models import DBTaskResult

    csv_folder = write_plan(tmp_path / "csv", _plan())
    load_folder(csv_folder)  # the rewrite path, for the expected content
    expected = {t: warehouse_rows(t) for t in warehouse.CLAIM_TABLES}
    lookup = recent_medical_claims("P1", date(2024, 1, 1))

    folder = write_plan(tmp_path / "typed", _plan(), fmt="typed")
    warehouse.publish(warehouse.new_version())  # an empty live version: this is a first load of claims
    load_folder(folder)
    version = current_version_dir()
    assert warehouse.as_extract_tables(version) == {"medical_claim", "pharmacy_claim"}
    stored = list((version / "medical_claim").glob("*.parquet"))
    assert [_digest(p) for p in stored] == [_digest(folder / "medical_claim.parquet")]  # the file, as it came
    assert _stored("medical_claim") == [("z59.01", "g9008")]
    assert {t: warehouse_rows(t) for t in warehouse.CLAIM_TABLES} == expected  # read as canonical values
    assert recent_medical_claims("P1", date(2024, 1, 1)) == lookup
    first_line = next(c for c in lookup if c["claim_line_number"] == 1)
    assert (first_line["diagnosis_code_1"], first_line["hcpcs_code"]) == ("Z5901", "G9008")
    assert [t.task_path.rsplit(".", 1)[-1] for t in DBTaskResult.objects.all()] == ["compact_warehouse_job"]

    assert not (version / EVENTS_FOLDER).exists()  # left to the job with the rewrite
    source, before = _identified(version)
    assert source == "scan" and before  # identification scans the kept claim lines meanwhile

    done = compact_current()
    assert done is not None and done.replaced == version.name and current_version_dir().name == done.version
    assert (current_version_dir() / EVENTS_FOLDER / "KEY").is_file()
    assert _identified(current_version_dir()) == ("events", before)  # from the stored events now, same answer
    assert warehouse.as_extract_tables(current_version_dir()) == set()
    assert _stored("medical_claim") == [("Z5901", "G9008")]  # rewritten: normalized, sorted by person_hash
    assert {t: warehouse_rows(t) for t in warehouse.CLAIM_TABLES} == expected
    assert recent_medical_claims("P1", date(2024, 1, 1)) == lookup
    assert AuditEvent.objects.filter(object_type="warehouse_version", object_id=done.version).count() == 1

    live, events = current_version_dir(), AuditEvent.objects.count()
    assert compact_current() is None  # nothing left to rewrite: nothing changes
    assert current_version_dir() == live and AuditEvent.objects.count() == events


@pytest.mark.parametrize("case", ["text-typed", "repeated-line", "padded-person"])
def test_claims_that_need_work_are_rewritten_at_load(tmp_path, case, queued_jobs):
    plan = _plan()
    fmt = "typed"
    if case == "text-typed":
        fmt = "parquet"  # dates as text: the warehouse must hold DATE
    elif case == "repeated-line":
        plan["medical_claim"].append(dict(plan["medical_claim"][0], paid_amount="99.00"))
    else:
        plan["medical_claim"][1]["person_id"] = " P1"
    load_folder(write_plan(tmp_path / "plan", plan, fmt=fmt))
    assert "medical_claim" not in warehouse.as_extract_tables(current_version_dir())
    assert _stored("medical_claim") == [("Z5901", "G9008")]
    assert len(recent_medical_claims("P1", date(2024, 1, 1))) == 2


def test_a_later_load_merges_over_files_kept_as_they_came(tmp_path, queued_jobs):
    load_folder(write_plan(tmp_path / "v1", _plan(), fmt="typed"))
    assert warehouse.as_extract_tables(current_version_dir())  # the job has not run yet
    later = _plan()
    later["medical_claim"] = [dict(later["medical_claim"][0], paid_amount="12.00")]  # C1/1 changed; others absent
    load_folder(write_plan(tmp_path / "v2", later, fmt="typed"))
    version = current_version_dir()
    assert "medical_claim" in warehouse.as_extract_tables(version)  # the later extract's file is kept too,
    assert (version / "medical_claim" / "carried.parquet").is_file()  # with the earlier lines it does not replace
    lines = {(c["claim_id"], c["claim_line_number"]): c for c in recent_medical_claims("P1", date(2024, 1, 1))}
    assert set(lines) == {("C1", 1), ("C1", 2)}  # C1/2, absent from the later extract, is kept
    assert str(lines["C1", 1]["paid_amount"]) == "12.00" and lines["C1", 1]["diagnosis_code_1"] == "Z5901"
    assert len(warehouse_rows("medical_claim")) == 3  # C2 of P2 kept too; nothing counted twice
    merged = warehouse_rows("medical_claim")

    compact_current()
    assert warehouse_rows("medical_claim") == merged


def test_reloading_kept_claims_carries_nothing_over(tmp_path, queued_jobs):
    folder = write_plan(tmp_path / "plan", _plan(), fmt="typed")
    load_folder(folder)
    first = {t: warehouse_rows(t) for t in warehouse.CLAIM_TABLES}
    result = load_folder(folder)
    assert not (current_version_dir() / "medical_claim" / "carried.parquet").exists()  # every line replaced
    assert {t: warehouse_rows(t) for t in warehouse.CLAIM_TABLES} == first
    assert result.warehouse == {"medical_claim": 3, "pharmacy_claim": 1}


def test_the_load_queues_the_rewrite_and_the_job_runs_it(tmp_path):
    """Jobs run as they are queued here (as `carehub worker` would run this one right after the load)."""
    load_folder(write_plan(tmp_path / "plan", _plan(), fmt="typed"))
    version = current_version_dir()
    assert warehouse.as_extract_tables(version) == set()  # rewritten by the job the load queued
    assert _stored("medical_claim") == [("Z5901", "G9008")] and (version / EVENTS_FOLDER / "KEY").is_file()
    rows = warehouse_rows("medical_claim")

    load_folder(write_plan(tmp_path / "again", _plan(), fmt="typed"))  # over the rewritten version
    assert current_version_dir() != version and warehouse.as_extract_tables(current_version_dir()) == set()
    assert warehouse_rows("medical_claim") == rows


def test_compact_command_rewrites_once_then_says_there_is_nothing_to_do(tmp_path, queued_jobs):
    from typer.testing import CliRunner

    from carehub.cli import app

    load_folder(write_plan(tmp_path / "plan", _plan(), fmt="typed"))
    kept = current_version_dir()
    first = CliRunner().invoke(app, ["warehouse", "compact"])
    assert first.exit_code == 0, first.output
    assert "published" in first.output and current_version_dir() != kept
    second = CliRunner().invoke(app, ["warehouse", "compact"])
    assert second.exit_code == 0 and "nothing to compact" in second.output


def test_compact_writes_claim_events_an_older_carehub_left(tmp_path, queued_jobs):
    """After an upgrade the live version's claim events may be of other SQL (here: a part the older code did not
    write): identification scans until `carehub warehouse compact` writes them anew, then reads them."""
    import shutil

    from typer.testing import CliRunner

    from carehub.cli import app

    load_folder(write_plan(tmp_path / "plan", _plan(), fmt="typed"))
    assert compact_current() is not None
    shutil.rmtree(current_version_dir() / EVENTS_FOLDER / "person_span")
    stale = current_version_dir()
    source, rows = _identified(stale)
    assert source == "scan" and rows

    refreshed = CliRunner().invoke(app, ["warehouse", "compact"])
    assert refreshed.exit_code == 0 and "published" in refreshed.output, refreshed.output
    assert current_version_dir() != stale and _identified(current_version_dir()) == ("events", rows)
    assert warehouse_rows("medical_claim")  # the tables came along (hard links)
    again = CliRunner().invoke(app, ["warehouse", "compact"])
    assert again.exit_code == 0 and "nothing to compact" in again.output
