"""Where CareHub keeps its files: one data directory (default ./var/ at the repo root, or CAREHUB_DATA_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The data directory: the embedded database, the claims warehouse, generated plans."""
    path = Path(os.environ.get("CAREHUB_DATA_DIR") or REPO_ROOT / "var")
    path.mkdir(parents=True, exist_ok=True)
    return path


def warehouse_dir() -> Path:
    """The claims warehouse root (Parquet files queried by DuckDB)."""
    return data_dir() / "warehouse"
