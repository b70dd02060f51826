"""Shared test set-up: every test gets its own data directory (warehouse, generated files)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "carehub-data"
    data.mkdir()
    monkeypatch.setenv("CAREHUB_DATA_DIR", str(data))
    return data
