"""The claims warehouse: Parquet files under <data dir>/warehouse, queried with DuckDB.

Layout (docs/data-formats.md): `warehouse/CURRENT` names the live version directory; each version holds one
folder per table (`medical_claim/`, `pharmacy_claim/`) of Parquet files. A load writes a complete new version
beside the live one and switches CURRENT with an atomic rename, so readers never see half a load and a failed
load leaves the live version untouched.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from carehub.paths import warehouse_dir

CLAIM_TABLES = ("medical_claim", "pharmacy_claim")


def current_version_dir(root: Path | None = None) -> Path | None:
    """The live version directory, or None when nothing has been loaded."""
    root = root or warehouse_dir()
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    version = pointer.read_text().strip()
    path = root / version
    return path if path.is_dir() else None


def table_glob(table: str, root: Path | None = None) -> str | None:
    """A glob DuckDB can read for one warehouse table, or None when the table has no files."""
    version = current_version_dir(root)
    if version is None or not any((version / table).glob("**/*.parquet")):
        return None
    return str(version / table / "**" / "*.parquet")


def recent_medical_claims(person_id: str, since: date, limit: int = 200,
                          root: Path | None = None) -> list[dict[str, Any]]:
    """A member's medical claim lines since a date, newest first (for the member page)."""
    glob = table_glob("medical_claim", root)
    if glob is None:
        return []
    con = duckdb.connect()
    try:
        cursor = con.execute(
            f"""
            SELECT claim_id, claim_line_number, claim_type, claim_start_date, claim_end_date,
                   place_of_service_code, bill_type_code, revenue_center_code, hcpcs_code,
                   diagnosis_code_1, billing_npi, paid_amount
            FROM read_parquet('{glob}', hive_partitioning = true)
            WHERE person_id = ? AND claim_start_date >= ?
            ORDER BY claim_start_date DESC, claim_id, claim_line_number
            LIMIT ?
            """,
            [person_id, since, limit],
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
