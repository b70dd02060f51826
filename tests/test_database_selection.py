"""`--database-tests-only` (the PostgreSQL pass of ./run test) keeps exactly the tests that may open the operational
database: those with the django_db mark or a database fixture (pytest-django refuses the others any access)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MARKED = "tests/test_audit_chain.py"  # pytestmark = django_db
POLICY = "tests/domain/test_calendar.py"  # pure functions, no database


def _collected(*args: str) -> set[str]:
    run = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return {line for line in run.stdout.splitlines() if "::" in line}


@pytest.fixture(scope="module")
def both() -> set[str]:
    return _collected(MARKED, POLICY)


def test_marked_tests_are_kept_and_the_others_left_to_the_sqlite_pass(both: set[str]) -> None:
    kept = _collected("--database-tests-only", MARKED, POLICY)
    assert {t for t in both if t.startswith(MARKED)} == kept
    assert any(t.startswith(POLICY) for t in both)


def test_a_database_fixture_without_the_mark_is_kept() -> None:
    """The accessibility tests ask for `transactional_db` (usefixtures), not the mark."""
    kept = _collected("--database-tests-only", "tests/e2e/test_accessibility.py")
    assert kept == _collected("tests/e2e/test_accessibility.py")
    assert kept
