"""Which housing statuses are homelessness: the rows of the `homeless_statuses` value set (valuesets/README), the
same list the identification rules read, so a member's homelessness reads the same on an exchange file as in a
Population of Focus."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SHIPPED = Path(__file__).with_name("valuesets") / "homeless_statuses.csv"


@cache
def homeless_statuses(path: Path = SHIPPED) -> frozenset[str]:
    """The statuses that are homelessness for adults or for children and youth (either column true)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["status"].strip().upper() for row in csv.DictReader(handle)
                         if "true" in (row["adult"].strip().lower(), row["children_youth"].strip().lower()))


def is_homeless(status: str | None, path: Path = SHIPPED) -> bool:
    return status is not None and status.strip().upper() in homeless_statuses(path)
