"""Open the files of each input table in DuckDB and expose them as one relation per table.

Every table becomes a view `src_<table>` with `_file` (path), `_line` (CSV: line in the file counting the header
as line 1; Parquet: 1-based row number) and each column of the table's spec as a normalized value (text trimmed,
empty text as NULL; absent optional columns as NULL). File-level problems (unreadable, empty, missing required
columns, wrong column types) are found here, before any row is read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from carehub.ingest.layout import Col, TableFiles

MAX_LINE_BYTES = 1_000_000_000  # DuckDB's 2 MB default would reject a long field before we can name it
_TEXT_TYPES = ("VARCHAR",)
_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_ALLOWED = {
    "date": ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"),
    "int": _INT_TYPES,
    "decimal": (*_INT_TYPES, "FLOAT", "DOUBLE", "DECIMAL"),
    "bool": ("BOOLEAN",),
}


@dataclass(frozen=True)
class Problem:
    """One validation error: where (file relative to the folder, line or row) and what. Never holds member data."""

    file: str
    line: int | None
    message: str
    parquet: bool = False

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file} {'row' if self.parquet else 'line'} {self.line}: {self.message}"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_reason(exc: Exception) -> tuple[int | None, str]:
    """A short reason from a DuckDB error, without the offending line's content (it may hold member data)."""
    text = str(exc).split("Original Line", 1)[0].strip().splitlines()[0]
    text = re.sub(r"^[A-Za-z ]+Error: ", "", text)
    match = re.search(r"Line: (\d+)", str(exc))
    return (int(match.group(1)) if match else None), text[:200]


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline(1_000_000).decode("utf-8-sig", errors="replace")
    return next(csv.reader(io.StringIO(first)), [])


class SourceSet:
    """The DuckDB views over the input tables of one folder."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path) -> None:
        self.con = con
        self.folder = folder
        self.problems: list[Problem] = []
        self.rows: dict[str, int] = {}
        self.present: dict[str, set[str]] = {}  # table -> spec columns present in at least one file
        self.typed: dict[str, dict[str, str]] = {}  # table -> column -> DuckDB type when not text
        self.files: dict[str, list[str]] = {}  # table -> its files, as `_file` names them

    def rel(self, path: str | Path) -> str:
        try:
            return str(Path(path).relative_to(self.folder))
        except ValueError:
            return str(path)

    def _problem(self, tf: TableFiles, path: Path | str, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message, parquet=tf.fmt == "parquet"))

    def _csv_reader(self, path: Path, header: list[str]) -> str:
        columns = "{" + ", ".join(f"{literal(h)}: 'VARCHAR'" for h in header) + "}"
        return (f"read_csv({literal(str(path))}, header=true, auto_detect=false, delim=',', quote='\"', "
                f"escape='\"', columns={columns}, max_line_size={MAX_LINE_BYTES}, strict_mode=true)")

    def _open_file(self, tf: TableFiles, path: Path) -> tuple[list[tuple[str, str]], str, int] | None:
        """(column names and types, reader SQL, row count) of one file, or None after recording a problem."""
        if path.stat().st_size == 0:
            self._problem(tf, path, None, "the file is empty (0 bytes)")
            return None
        if tf.fmt == "csv":
            header = [h.strip() for h in _csv_header(path)]
            if not any(header):
                self._problem(tf, path, 1, "no header row")
                return None
            if len(set(header)) != len(header):
                self._problem(tf, path, 1, "the header names a column twice")
                return None
            reader = self._csv_reader(path, header)
            try:
                count = self.con.execute(f"SELECT count(*) FROM {reader}").fetchone()[0]  # parses every line
            except duckdb.Error as exc:
                line, reason = duckdb_reason(exc)
                self._problem(tf, path, line, f"not readable as CSV ({reason})")
                return None
            return [(h, "VARCHAR") for h in header], reader, count
        reader = f"read_parquet({literal(str(path))})"
        try:
            schema = self.con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
            count = self.con.execute(
                f"SELECT coalesce(sum(row_group_num_rows), 0) FROM (SELECT DISTINCT row_group_id, row_group_num_rows "
                f"FROM parquet_metadata({literal(str(path))}))").fetchone()[0]
        except duckdb.Error as exc:
            self._problem(tf, path, None, f"not a readable Parquet file ({duckdb_reason(exc)[1]})")
            return None
        return [(r[0], r[1]) for r in schema], reader, int(count)

    def _check_types(self, tf: TableFiles, path: Path, schema: list[tuple[str, str]]) -> dict[str, str]:
        typed: dict[str, str] = {}
        for name, dtype in schema:
            spec = next((c for c in tf.table.columns if c.name == name), None)
            if spec is None or dtype in _TEXT_TYPES:
                continue
            base = dtype.split("(")[0]
            if spec.kind == "str":
                typed[name] = dtype  # numbers in a text column (e.g. zip codes) are read as their text
            elif base in _ALLOWED[spec.kind]:
                typed[name] = base
            else:
                self._problem(tf, path, None, f"column {name} has type {dtype}; expected {spec.kind} or text")
        return typed

    def open_table(self, tf: TableFiles) -> bool:
        """Create `src_<table>`; False when a file-level problem prevents reading the table's rows."""
        ok = True
        readers: list[str] = []
        present: set[str] = set()
        typed: dict[str, str] = {}
        total = 0
        for path in tf.files:
            opened = self._open_file(tf, path)
            if opened is None:
                ok = False
                continue
            schema, reader, count = opened
            names = {n for n, _ in schema}
            for col in tf.table.required:
                if col not in names:
                    self._problem(tf, path, 1 if tf.fmt == "csv" else None, f"missing required column {col}")
                    ok = False
            types = self._check_types(tf, path, schema)
            if any(typed.get(k, v) != v for k, v in types.items()):
                self._problem(tf, path, None, "the part files give a column different types")
                ok = False
            typed.update(types)
            present |= names & {c.name for c in tf.table.columns}
            readers.append(reader)
            total += count
        if not ok:
            return False
        self.rows[tf.table.name] = total
        self.present[tf.table.name] = present
        self.typed[tf.table.name] = typed
        self.files[tf.table.name] = [str(p) for p in tf.files]
        if tf.fmt == "parquet":
            files = "[" + ", ".join(literal(str(p)) for p in tf.files) + "]"
            raw = (f"SELECT filename AS _file, file_row_number + 1 AS _line, * EXCLUDE (filename, file_row_number) "
                   f"FROM read_parquet({files}, union_by_name=true, filename=true, file_row_number=true)")
        else:
            raw = " UNION ALL BY NAME ".join(
                f"(SELECT {literal(str(p))} AS _file, row_number() OVER () + 1 AS _line, * FROM {r})"
                for p, r in zip(tf.files, readers, strict=True))
        cols = ", ".join(f"{self.normalized(c, present, typed)} AS {quote(c.name)}" for c in tf.table.columns)
        self.con.execute(f"CREATE OR REPLACE VIEW {quote('src_' + tf.table.name)} AS "
                         f"SELECT _file, _line, {cols} FROM ({raw})")
        return True

    @staticmethod
    def normalized(col: Col, present: set[str], typed: dict[str, str]) -> str:
        if col.name not in present:
            return "NULL::VARCHAR"
        if col.name in typed:
            return f"CAST({quote(col.name)} AS VARCHAR)" if col.kind == "str" else quote(col.name)
        return f"NULLIF(trim({quote(col.name)}), '')"
