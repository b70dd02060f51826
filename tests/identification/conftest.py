"""Fixtures of the identification storage and page tests: a small hand-built plan, stored runs, and members in
the operational database."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_member
from ident_scenario import D1, D2, Scenario, build_plan, store

from carehub.apps.identification.models import IdentificationRun


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_plan(tmp_path)


@pytest.fixture
def members(db) -> dict[str, object]:
    """Operational member records for the scenario's people (the names the worklist shows)."""
    return {pid: make_member(person_id=pid, last_name=f"Last{pid.title()}", first_name="Pat", county=county)
            for pid, county in [("ED", "Alameda"), ("FOSTER", "Kern"), ("HOMELESS", "Kern"), ("HOSPICE", "Alameda")]}


@pytest.fixture
def two_runs(scenario: Scenario, members) -> tuple[IdentificationRun, IdentificationRun]:
    return store(scenario.folder, D1), store(scenario.folder, D2)
