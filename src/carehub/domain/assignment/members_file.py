"""The members file of `carehub assign` (issue 5): who to assign, one row per authorized member.

Columns: person_id, population (required); preferred_provider_npi, previous_provider_npi (may be absent or
empty); authorized_on (optional, ISO date of the ECM authorization: starts the 10-working-day assignment clock).
Errors name the file, line and field, never the member's values (no member data in error messages).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from stdnum import luhn

from carehub.domain.digits import ascii_digits
from carehub.domain.populations.labels import POPULATIONS

__all__ = ["MembersFileError", "MemberRequest", "npi_is_valid", "open_csv", "read_members_file"]

REQUIRED = ("person_id", "population")
OPTIONAL = ("preferred_provider_npi", "previous_provider_npi")
NPI_COLUMNS = OPTIONAL


class MembersFileError(ValueError):
    """A members file that cannot be used; `problems` lists "file, line N, field: problem" entries."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__("\n".join(problems[:20]) + more)


@dataclass(frozen=True)
class MemberRequest:
    person_id: str
    population: str
    preferred_provider_npi: str = ""
    previous_provider_npi: str = ""
    authorized_on: date | None = None


def npi_is_valid(npi: str) -> bool:
    """10 digits whose last is the Luhn check digit over 80840 + the first nine (CMS NPI standard)."""
    return len(npi) == 10 and ascii_digits(npi) and luhn.is_valid("80840" + npi)


def open_csv(path: Path, required: Sequence[str]) -> tuple[str, csv.DictReader[str]]:
    """The file's name and a reader over its rows (header names stripped), for the CSV inputs of `carehub assign`.
    Raises MembersFileError naming the file when it cannot be read, is not UTF-8 or lacks a required column."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MembersFileError([f"{name}: cannot be read ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise MembersFileError([f"{name}: not UTF-8 text"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise MembersFileError([f"{name}, line 1, {c}: required column is missing" for c in missing])
    reader.fieldnames = header
    return name, reader


def read_members_file(path: Path) -> list[MemberRequest]:
    """Read and validate the members file; raises MembersFileError listing every problem found."""
    name, reader = open_csv(path, REQUIRED)
    problems: list[str] = []
    requests: list[MemberRequest] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            values = {k: (row.get(k) or "").strip() for k in (*REQUIRED, *OPTIONAL, "authorized_on")}
            authorized_on = None
            if values["authorized_on"]:
                try:
                    authorized_on = date.fromisoformat(values["authorized_on"])
                except ValueError:
                    problems.append(f"{name}, line {line}, authorized_on: not a date (YYYY-MM-DD)")
            if None in row:
                problems.append(f"{name}, line {line}: more values than columns")
            if not values["person_id"]:
                problems.append(f"{name}, line {line}, person_id: empty")
            elif values["person_id"] in seen:
                problems.append(f"{name}, line {line}, person_id: already listed on line "
                                f"{seen[values['person_id']]}")
            else:
                seen[values["person_id"]] = line
            if values["population"] not in POPULATIONS:
                problems.append(f"{name}, line {line}, population: "
                                + ("empty" if not values["population"] else "not a Population of Focus code"))
            for column in OPTIONAL:
                if values[column] and not npi_is_valid(values[column]):
                    problems.append(f"{name}, line {line}, {column}: not a valid NPI (10 digits with a Luhn "
                                    "check digit)")
            values.pop("authorized_on")
            requests.append(MemberRequest(**values, authorized_on=authorized_on))
    except csv.Error as exc:
        problems.append(f"{name}, line {reader.line_num}: unreadable ({exc.__class__.__name__})")
    if problems:
        raise MembersFileError(problems)
    return requests
