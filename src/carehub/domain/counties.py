"""California counties with their ECM implementation phase and WPC/HHP history.

Source: seed 000 (DHCS Model of Care Template, draft 2021), Appendix A "Enhanced Care Management Implementation
Dates by County": Phase 1 counties had Whole Person Care and/or Health Homes and began ECM on 2022-01-01; Phase 2
counties began on 2022-07-01. FIPS codes: US Census 2020 county list (../shared/data/ca-county-fips). The data is
in counties.csv next to this module; seed 000 is a draft, so confirm against the DHCS ECM Policy Guide.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

COUNTIES_CSV = Path(__file__).with_name("counties.csv")


@dataclass(frozen=True)
class County:
    name: str  # e.g. "Los Angeles", as written in eligibility.county
    fips: str  # 5 digits, state 06 + county
    ecm_phase: int  # 1 or 2 (seed 000 Appendix A)
    ecm_go_live: date
    wpc: bool  # had a Whole Person Care pilot
    hhp: bool  # had the Health Homes Program


@cache
def counties() -> dict[str, County]:
    """All 58 California counties by name, from counties.csv."""
    with COUNTIES_CSV.open(newline="", encoding="utf-8") as handle:
        return {
            row["county"]: County(
                name=row["county"],
                fips=row["fips"],
                ecm_phase=int(row["ecm_phase"]),
                ecm_go_live=date.fromisoformat(row["ecm_go_live"]),
                wpc=row["wpc"] == "true",
                hhp=row["hhp"] == "true",
            )
            for row in csv.DictReader(handle)
        }


def county(name: str) -> County:
    """One county by name; KeyError when it is not a California county."""
    return counties()[name]
