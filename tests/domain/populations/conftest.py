"""Fixtures of the identification tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_builder import Plan


@pytest.fixture
def plan(tmp_path: Path) -> Plan:
    """An empty hand-built plan folder under the test's tmp_path."""
    return Plan(tmp_path)
