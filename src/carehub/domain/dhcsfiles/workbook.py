"""Reading and writing exchange workbooks (.xlsx, a header row and one row per member or attempt; spec
dhcs-interchange.md [vendor]). Pure: no database. Readers check the header and every cell against the layout and
report each problem as file, row, column, problem, in the words a provider needs to fix the file; a problem never
repeats the cell's value (it may be member data)."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from carehub.domain.dhcsfiles.layouts import Layout, parse_value

__all__ = ["MAX_ROWS", "ParsedRow", "Problem", "ReadResult", "read_workbook", "sha256_of", "write_workbook"]

MAX_ROWS = 100_000


@dataclass(frozen=True)
class Problem:
    file: str
    row: int  # the spreadsheet's row number (1 = header); 0 for the file as a whole
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{self.file}, {where}, {self.column or '-'}: {self.problem}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "problem": self.problem}


@dataclass(frozen=True)
class ParsedRow:
    row: int
    values: dict[str, Any]


@dataclass
class ReadResult:
    file: str
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _normalize(header: Any) -> str:
    return " ".join(str(header or "").split()).lower()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_workbook(source: Path | BinaryIO, layout: Layout, *, today: date, name: str = "") -> ReadResult:
    """Read the first sheet of an exchange workbook against `layout`. Columns are matched by name (case and spacing
    ignored, in any order; unknown columns ignored); a missing required column is a file problem and stops the
    read. Fully blank rows are skipped."""
    file = name or (source.name if isinstance(source, Path) else "upload.xlsx")
    result = ReadResult(file)
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        result.problems.append(Problem(file, 0, "", "is not an Excel workbook (.xlsx)"))
        return result
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            result.problems.append(Problem(file, 0, "", "is empty: the first row must be the header"))
            return result
        positions = {_normalize(h): i for i, h in enumerate(header) if h is not None}
        index: dict[str, int] = {}
        for column in layout.columns:
            at = positions.get(_normalize(column.name))
            if at is not None:
                index[column.name] = at
            elif column.required:
                result.problems.append(Problem(file, 1, column.name, "required column is missing"))
        if result.problems:
            return result
        for number, cells in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                result.problems.append(Problem(file, number, "", f"more than {MAX_ROWS:,} rows; split the file"))
                break
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            values: dict[str, Any] = {}
            for column in layout.columns:
                at = index.get(column.name)
                raw = cells[at] if at is not None and at < len(cells) else None
                value, problem = parse_value(column, raw, today)
                if problem:
                    result.problems.append(Problem(file, number, column.name, problem))
                values[column.name] = value
            result.rows.append(ParsedRow(number, values))
    finally:
        book.close()
    if not result.rows and not result.problems:
        result.problems.append(Problem(file, 0, "", "has no rows after the header"))
    return result


def write_workbook(out: Path | BinaryIO, layout: Layout, rows: Iterable[Mapping[str, Any]], *,
                   sheet_title: str = "") -> int:
    """Write a workbook with the layout's header and one row per mapping (missing keys are blank). Dates are
    written as dates. Returns the number of rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title or layout.file)
    sheet.append(list(layout.names))
    count = 0
    for row in rows:
        sheet.append([row.get(name) for name in layout.names])
        count += 1
    book.save(out)
    return count


