"""The claims warehouse: versions switch atomically, old ones are pruned, and the member lookup is correct
whether or not the hash-based pruning applies."""

from __future__ import annotations

import json
from datetime import date

import duckdb

from carehub import warehouse


def _write_version(lines: list[tuple[str, str, int, date]]) -> None:
    con = duckdb.connect()
    version = warehouse.new_version()
    rows = " UNION ALL ".join(
        f"SELECT '{c}' AS claim_id, {n}::BIGINT AS claim_line_number, 'professional' AS claim_type, "
        f"'{p}' AS person_id, DATE '{d}' AS claim_start_date" for p, c, n, d in lines)
    warehouse.write_table(con, version, "medical_claim", rows, warehouse.current_version_dir())
    warehouse.publish(version)
    con.close()


def test_lookup_returns_one_persons_lines_newest_first():
    _write_version([("P1", "C1", 1, date(2024, 1, 5)), ("P2", "C2", 1, date(2024, 2, 1)),
                    ("P1", "C3", 1, date(2024, 3, 1)), ("P1", "C0", 1, date(2023, 1, 1))])
    got = warehouse.recent_medical_claims("P1", since=date(2024, 1, 1))
    assert [c["claim_id"] for c in got] == ["C3", "C1"]
    assert got[0]["hcpcs_code"] is None  # column absent from every extract: reported empty


def test_lookup_without_hash_pruning_gives_the_same_answer():
    _write_version([("P1", "C1", 1, date(2024, 1, 5)), ("P2", "C2", 1, date(2024, 2, 1))])
    manifest = warehouse.current_version_dir() / warehouse.MANIFEST
    manifest.write_text(json.dumps({"duckdb": "0.0.0"}))  # written by another DuckDB: hash() may differ
    assert [c["claim_id"] for c in warehouse.recent_medical_claims("P1", since=date(2024, 1, 1))] == ["C1"]


def test_merge_replaces_same_line_and_keeps_older_claims():
    _write_version([("P1", "C1", 1, date(2024, 1, 5)), ("P1", "C2", 1, date(2024, 2, 1))])
    _write_version([("P1", "C1", 1, date(2024, 1, 6))])
    got = {c["claim_id"]: c["claim_start_date"] for c in warehouse.recent_medical_claims("P1", date(2024, 1, 1))}
    assert got == {"C1": date(2024, 1, 6), "C2": date(2024, 2, 1)}


def test_only_the_live_and_previous_versions_are_kept():
    for day in range(1, 5):
        _write_version([("P1", "C1", 1, date(2024, 1, day))])
    root = warehouse.warehouse_dir()
    versions = sorted(p.name for p in root.iterdir() if p.name.startswith(warehouse.VERSION_PREFIX))
    assert len(versions) == 2
    assert (root / "CURRENT").read_text().strip() in versions


def test_discarded_version_leaves_the_live_one():
    _write_version([("P1", "C1", 1, date(2024, 1, 5))])
    live = warehouse.current_version_dir()
    unpublished = warehouse.new_version()
    warehouse.discard(unpublished)
    assert not unpublished.exists()
    assert warehouse.current_version_dir() == live


def test_merge_over_a_version_written_before_person_hash_existed():
    """An upgrade: the live version has no person_hash column (older CareHub). The next load still merges."""
    version = warehouse.new_version()
    old = version / "medical_claim"
    old.mkdir(parents=True)
    duckdb.sql("SELECT 'C1' AS claim_id, 1::BIGINT AS claim_line_number, 'professional' AS claim_type, "
               "'P1' AS person_id, DATE '2024-01-05' AS claim_start_date").write_parquet(str(old / "part-0.parquet"))
    warehouse.publish(version)
    _write_version([("P1", "C2", 1, date(2024, 2, 1))])
    got = [c["claim_id"] for c in warehouse.recent_medical_claims("P1", since=date(2024, 1, 1))]
    assert got == ["C2", "C1"]
