"""The hand-built plan of the identification storage tests, identified on two as-of dates."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "domain" / "populations"))

from plan_builder import Plan  # noqa: E402

from carehub.domain.populations import Versions, identify_folder  # noqa: E402

D1 = "2024-07-31"
D2 = "2024-08-31"
SIX_VISITS = ["2024-03-01", "2024-04-10", "2024-05-20", "2024-06-30", "2024-07-15", "2024-08-20"]


@dataclass
class Scenario:
    """A plan identified on two as-of dates. On D1: ED (5 avoidable ED visits by 07-15), FOSTER (child welfare:
    foster care ended 2023-08-10, within 12 months), HOSPICE (5 ED visits, excluded for hospice). On D2:
    HOMELESS is new in two populations (unsheltered from 08-01 with a chronic condition; 5 ED visits in August),
    ED is still eligible, FOSTER is no longer eligible (foster care ended more than 12 months ago)."""

    plan: Plan
    folder: Path
    claims: dict[str, list[str]]


def build_plan(root: Path) -> Scenario:
    plan = Plan(root)
    claims: dict[str, list[str]] = {}
    plan.person("ED", "1980-05-01", county="Alameda")
    claims["ED"] = [plan.ed("ED", day) for day in SIX_VISITS]
    plan.person("FOSTER", "2008-01-01", county="Kern")
    plan.program("FOSTER", "FOSTER_CARE", "2015-01-01", "2023-08-10")
    plan.person("HOMELESS", "1975-01-01", county="Kern")
    plan.housing("HOMELESS", "UNSHELTERED", "2024-08-01")
    claims["HOMELESS"] = [plan.claim("HOMELESS", "2024-02-01", dx=("E11.9",), hcpcs="99213")]
    claims["HOMELESS"] += [plan.ed("HOMELESS", f"2024-08-0{day}") for day in range(2, 7)]
    plan.person("HOSPICE", "1950-02-01", county="Alameda")
    claims["HOSPICE"] = [plan.ed("HOSPICE", day) for day in SIX_VISITS]
    plan.program("HOSPICE", "HOSPICE", "2024-01-01")
    return Scenario(plan, plan.write(), claims)


def store(folder: Path, as_of: str):
    """Identify the folder on a date and store the run from the engine's connection."""
    from carehub.apps.identification.services import store_from_connection

    versions = Versions()
    con, _ = identify_folder(folder, date.fromisoformat(as_of), versions=versions)
    try:
        return store_from_connection(con, as_of=date.fromisoformat(as_of), versions=versions)
    finally:
        con.close()


