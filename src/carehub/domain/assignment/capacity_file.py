"""The optional capacity-lines file of `carehub assign --capacity-lines` (issue 5): how many more members a provider
can take in one county and Population of Focus, on top of its overall capacity in provider.csv (seed 002: capacity
by county and population; the same limit the web app keeps as providers' capacity lines).

Columns: provider_npi, county, population, capacity (a whole number of members left). Errors name the file, line and
field; a provider or cell named twice is an error, not a silent sum.
"""

from __future__ import annotations

import csv
from pathlib import Path

from carehub.domain.assignment.members_file import MembersFileError, npi_is_valid, open_csv
from carehub.domain.assignment.policy import normalize_county
from carehub.domain.digits import ascii_digits
from carehub.domain.populations.labels import POPULATIONS

__all__ = ["COLUMNS", "read_capacity_lines"]

COLUMNS = ("provider_npi", "county", "population", "capacity")


def read_capacity_lines(path: Path) -> dict[str, tuple[tuple[str, str, int], ...]]:
    """{provider NPI: ((normalized county, population, capacity left), ...)}; raises MembersFileError listing every
    problem found."""
    name, reader = open_csv(path, COLUMNS)
    problems: list[str] = []
    lines: dict[str, dict[tuple[str, str], int]] = {}
    try:
        for row in reader:
            line = reader.line_num
            values = {c: (row.get(c) or "").strip() for c in COLUMNS}
            if None in row:
                problems.append(f"{name}, line {line}: more values than columns")
            if not npi_is_valid(values["provider_npi"]):
                problems.append(f"{name}, line {line}, provider_npi: not a valid NPI (10 digits, Luhn check)")
            if not values["county"]:
                problems.append(f"{name}, line {line}, county: required")
            if values["population"] not in POPULATIONS:
                problems.append(f"{name}, line {line}, population: not a Population of Focus code")
            if not ascii_digits(values["capacity"]):
                problems.append(f"{name}, line {line}, capacity: not a whole number of members")
                continue
            cell = (normalize_county(values["county"]), values["population"])
            cells = lines.setdefault(values["provider_npi"], {})
            if cell in cells:
                problems.append(f"{name}, line {line}: this provider, county and population are listed twice")
            cells[cell] = int(values["capacity"])
    except csv.Error as exc:
        problems.append(f"{name}, line {reader.line_num}: unreadable ({exc.__class__.__name__})")
    if problems:
        raise MembersFileError(problems)
    return {npi: tuple((county, pop, n) for (county, pop), n in sorted(cells.items())) for npi, cells in lines.items()}
