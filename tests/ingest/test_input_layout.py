"""The input layout module: folder discovery and agreement with the ingest column specs."""

from __future__ import annotations

from pathlib import Path

import pytest

from carehub.domain.input_layout import COLUMNS, REQUIRED_COLUMNS, InputLayoutError, discover_tables
from carehub.ingest.layout import TABLES


def test_ingest_specs_follow_the_layout_module() -> None:
    assert tuple(TABLES) == tuple(COLUMNS)
    for name, table in TABLES.items():
        assert tuple(c.name for c in table.columns) == COLUMNS[name]
        assert table.required == REQUIRED_COLUMNS[name]


def test_discover_tables_files_folders_and_hidden_names(tmp_path: Path) -> None:
    (tmp_path / "eligibility.csv").write_text("person_id\n")
    claims = tmp_path / "medical_claim"
    (claims / "year=2024").mkdir(parents=True)
    (claims / "year=2024" / "part-1.parquet").write_bytes(b"x")
    (claims / "part-0.parquet").write_bytes(b"x")
    (claims / "_SUCCESS").write_text("")
    (claims / ".part-0.parquet.crc").write_text("")
    (tmp_path / "_tmp.csv").write_text("")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "other.csv").write_text("")
    assert discover_tables(tmp_path) == {
        "eligibility": [tmp_path / "eligibility.csv"],
        "medical_claim": [claims / "part-0.parquet", claims / "year=2024" / "part-1.parquet"],
    }


@pytest.mark.parametrize("layout", ["twice", "mixed", "empty"])
def test_discover_tables_rejects_ambiguous_tables(tmp_path: Path, layout: str) -> None:
    (tmp_path / "provider").mkdir()
    if layout == "twice":
        (tmp_path / "provider.csv").write_text("npi\n")
        (tmp_path / "provider" / "a.csv").write_text("npi\n")
    elif layout == "mixed":
        (tmp_path / "provider" / "a.csv").write_text("npi\n")
        (tmp_path / "provider" / "b.parquet").write_bytes(b"x")
    with pytest.raises(InputLayoutError, match="provider"):
        discover_tables(tmp_path)


def test_discover_tables_names_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InputLayoutError, match="no such folder"):
        discover_tables(tmp_path / "absent")
