"""The layouts of the files exchanged with ECM providers, as data (layouts.csv): the plan's Member Information
File (MIF), the provider's Return Transmission File (RTF) and Outreach Tracker File (OTF).

Source: spec/dhcs-interchange.md "Files exchanged with ECM providers". The RTF and OTF columns are those one
provider product writes [vendor], plus the closed-loop referral elements DHCS added to the RTF from 2025-07-01
[DHCS]. The MIF's DHCS field list was not found: its columns are the RTF's member, population and authorization
fields plus the plan's contact and the member's PCP and language [unconfirmed]. Each row of layouts.csv names its
source; a plan corrects a layout by editing the file (or passing its own with `load_layouts(path)`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from stdnum import luhn

from carehub.domain.digits import ascii_digits

__all__ = ["LAYOUTS_CSV", "Column", "ColumnType", "Layout", "layout", "load_layouts", "parse_value"]

LAYOUTS_CSV = Path(__file__).with_name("layouts.csv")


# A count (minutes of outreach, slots of capacity) fits a database integer with room to spare; a longer number is a
# keying error, refused with its row and column rather than overflowing the database.
MAX_COUNT_DIGITS = 9


class ColumnType(StrEnum):
    TEXT = "text"
    CIN = "cin"  # Medi-Cal Client Index Number: 8 digits and a letter
    NPI = "npi"  # 10 digits, Luhn check with the 80840 prefix
    TIN = "tin"  # 9 digits
    DATE = "date"
    PAST_DATE = "past_date"  # an event that has happened: not after the day the file is read
    PERIOD = "period"  # YYYY-MM
    YESNO = "yesno"
    COUNT = "count"  # a whole number, 0 or more
    REASON_CODE = "reason_code"  # DHCS discontinuation reason code, 1-15 [unconfirmed]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    source: str


@dataclass(frozen=True)
class Layout:
    file: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def load_layouts(path: Path = LAYOUTS_CSV) -> dict[str, Layout]:
    """Layouts by file kind (MIF, RTF, OTF) from a layouts CSV (file, column, type, required, source)."""
    by_file: dict[str, list[Column]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_file.setdefault(row["file"].strip().upper(), []).append(Column(
                row["column"].strip(), ColumnType(row["type"].strip()), row["required"].strip().lower() == "yes",
                row["source"].strip()))
    return {name: Layout(name, tuple(columns)) for name, columns in by_file.items()}


@cache
def _default_layouts() -> dict[str, Layout]:
    return load_layouts()


def layout(kind: str) -> Layout:
    """The shipped layout of MIF, RTF or OTF."""
    return _default_layouts()[kind.upper()]


_CIN = re.compile(r"^\d{8}[A-Z]$")
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
YES = frozenset({"y", "yes", "1", "true"})
NO = frozenset({"n", "no", "0", "false"})


def is_npi(value: str) -> bool:
    return len(value) == 10 and ascii_digits(value) and luhn.is_valid("80840" + value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _US_DATE.match(text)
    if match:
        return date(int(match[3]), int(match[1]), int(match[2]))
    return date.fromisoformat(text[:10])


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel gives numbers typed into text columns as floats
    return str(value).strip()


def parse_value(column: Column, value: Any, today: date) -> tuple[Any, str]:
    """(parsed value, problem). Empty cells give (None, "") unless required. Problems never repeat the value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "is required" if column.required else ""
    kind = column.type
    if kind in (ColumnType.DATE, ColumnType.PAST_DATE):
        try:
            day = _date(value)
        except ValueError:
            return None, "is not a date (YYYY-MM-DD or MM/DD/YYYY)"
        if kind == ColumnType.PAST_DATE and day > today:
            return None, "is in the future"
        return day, ""
    text = _text(value)
    if kind == ColumnType.CIN:
        text = text.upper()
        return (text, "") if _CIN.match(text) else (None, "is not a CIN (8 digits and a letter)")
    if kind == ColumnType.NPI:
        return (text, "") if is_npi(text) else (None, "is not a valid NPI (10 digits, check digit)")
    if kind == ColumnType.TIN:
        digits = text.replace("-", "")
        return (digits, "") if len(digits) == 9 and ascii_digits(digits) else (None, "is not a 9-digit TIN")
    if kind == ColumnType.PERIOD:
        if isinstance(value, datetime | date):
            return f"{value.year:04d}-{value.month:02d}", ""
        match = _PERIOD.match(text)
        if not match or not 1 <= int(match[2]) <= 12:
            return None, "is not a reporting period (YYYY-MM)"
        return text, ""
    if kind == ColumnType.YESNO:
        low = text.lower()
        return (True, "") if low in YES else (False, "") if low in NO else (None, "must be Y or N")
    if kind in (ColumnType.COUNT, ColumnType.REASON_CODE):
        if not ascii_digits(text):
            return None, "must be a whole number"
        if len(text.lstrip("0")) > MAX_COUNT_DIGITS:
            return None, f"is too large (at most {MAX_COUNT_DIGITS} digits)"
        number = int(text)
        if kind == ColumnType.REASON_CODE and not 1 <= number <= 15:
            return None, "must be a DHCS discontinuation reason code from 1 to 15"
        return number, ""
    return text, ""
