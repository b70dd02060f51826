"""Row-level validation of the input tables, in DuckDB: a few scans per table, never a Python loop over rows.

Checks (docs/data-formats.md, "Validation"): required values, real ISO dates, integers, amounts, booleans,
text lengths, enumerated values, code formats (ICD-10-CM, HCPCS/CPT, revenue, bill type, POS, NDC, NPI with its
Luhn digit), duplicate natural keys, and that every person_id is enrolled (eligibility). Code columns are
checked on their distinct values (a few thousand, not 40 million), and rows are looked up only when a bad value
exists. Messages name the column and the problem, never the value, except for enumerated codes.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from carehub.ingest.codes import DESCRIPTIONS, is_well_formed
from carehub.ingest.layout import NPI_DETAIL_PROGRAMS, Col, Table
from carehub.ingest.sources import Problem, SourceSet, literal, quote

MAX_SHOWN = 20
TRUE_WORDS = ("true", "t", "1", "yes", "y")
FALSE_WORDS = ("false", "f", "0", "no", "n")


class Findings:
    """Collects problems: keeps the first MAX_SHOWN and counts all."""

    def __init__(self) -> None:
        self.shown: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append(problem)

    def add_rows(self, rows: list[tuple[str, int, list[str]]], total: int, rel: Callable[[str], str],
                 parquet: bool) -> None:
        """Rows of (file, line, messages) ordered by file and line, and the total number of messages."""
        for file, line, messages in rows:
            for message in messages:
                if len(self.shown) < MAX_SHOWN:
                    self.shown.append(Problem(rel(file), int(line), message, parquet))
        self.total += total

    @property
    def ok(self) -> bool:
        return self.total == 0


def _enum_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def row_checks(table: Table, present: set[str], typed: dict[str, str]) -> list[tuple[str, str]]:
    """(condition that flags a bad row, SQL expression of the message) for each per-row check."""
    checks: list[tuple[str, str]] = []
    for col in table.columns:
        name = quote(col.name)
        if col.required:
            checks.append((f"{name} IS NULL", literal(f"{col.name} is required")))
        if col.name not in present or col.name in typed and col.kind != "str":
            continue  # absent, or already typed in Parquet (DATE, BIGINT, ...)
        checks.extend((f"{name} IS NOT NULL AND ({cond})", msg) for cond, msg in _value_checks(col, name))
    checks.extend((cond, literal(msg)) for cond, msg in table.extra)
    return checks


def _value_checks(col: Col, name: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if col.kind == "date":
        out.append((f"NOT regexp_full_match({name}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
                    f"OR TRY_CAST({name} AS DATE) IS NULL",
                    literal(f"{col.name} is not a real date in the form YYYY-MM-DD")))
    elif col.kind == "int":
        out.append((f"TRY_CAST({name} AS BIGINT) IS NULL", literal(f"{col.name} is not a whole number")))
    elif col.kind == "decimal":
        out.append((f"TRY_CAST({name} AS DECIMAL(18, 2)) IS NULL", literal(f"{col.name} is not an amount")))
    elif col.kind == "bool":
        words = _enum_list(TRUE_WORDS + FALSE_WORDS)
        out.append((f"lower({name}) NOT IN {words}", literal(f"{col.name} is not true or false")))
    if col.max_len is not None:
        out.append((f"length({name}) > {col.max_len}",
                    f"'{col.name} is too long (' || length({name}) || ' characters; at most {col.max_len})'"))
    if col.check == "enum":
        allowed = ", ".join(col.values) if len(col.values) <= 12 else f"{len(col.values)} listed values"
        out.append((f"{name} NOT IN {_enum_list(col.values)}",
                    f"'{col.name} ''' || left({name}, 40) || ''' is not one of {allowed}'"))
    return out


def _scan(con: duckdb.DuckDBPyConnection, view: str, checks: list[tuple[str, str]],
          files: list[str] | None = None, columns: tuple[str, ...] = ()) -> tuple[list, int]:
    """(first MAX_SHOWN bad rows as (file, line, messages), total messages). With `files` and `columns`, the
    scan runs file by file over a materialized copy of the columns the checks use: on a view, DuckDB re-evaluates
    the view's normalisation (trim) for every condition that names a column, 4-5x slower on claim lines."""
    if not checks:
        return [], 0
    # Each condition is wrapped in coalesce(): NULL (absent value) means "no problem".
    conds = [f"coalesce(({c}), false)" for c, _ in checks]
    msgs = ", ".join(f"CASE WHEN {c} THEN {m} END" for c, (_, m) in zip(conds, checks, strict=True))
    sources = [view] if not files else [f"(SELECT * FROM {view} WHERE _file = {literal(f)})" for f in files]
    used = ", ".join(c for c in columns if any(c in text for pair in checks for text in pair))
    found: list[tuple[str, int, list[str]]] = []
    total = 0
    for source in sources:
        if files:
            sql = (f"WITH s AS MATERIALIZED (SELECT _file, _line{', ' + used if used else ''} FROM {source}) "
                   f"SELECT _file, _line, msgs, sum(len(msgs)) OVER () FROM ("
                   f"SELECT _file, _line, list_filter([{msgs}], lambda x: x IS NOT NULL) AS msgs FROM s "
                   f"WHERE {' OR '.join(conds)}) ORDER BY _file, _line LIMIT {MAX_SHOWN}")
        else:
            sql = (f"SELECT _file, _line, msgs, sum(len(msgs)) OVER () FROM ("
                   f"SELECT _file, _line, list_filter([{msgs}], lambda x: x IS NOT NULL) AS msgs FROM {source} "
                   f"WHERE {' OR '.join(conds)}) ORDER BY _file, _line LIMIT {MAX_SHOWN}")
        rows = con.execute(sql).fetchall()
        found += [(r[0], r[1], r[2]) for r in rows]
        total += int(rows[0][3]) if rows else 0
    found.sort(key=lambda r: (r[0], r[1]))
    return found[:MAX_SHOWN], total


def _code_checks(src: SourceSet, table: Table, findings: Findings, parquet: bool) -> None:
    """Check code columns on their distinct values; look rows up only for the bad ones."""
    view = quote("src_" + table.name)
    present = src.present[table.name]
    targets: list[tuple[str, str, str]] = [  # (column, check, extra row condition)
        (c.name, c.check, "true") for c in table.columns
        if c.check and c.check != "enum" and c.name in present]
    if table.name == "program_enrollment" and "detail" in present:
        targets.append(("detail", "npi", f"program IN {_enum_list(NPI_DETAIL_PROGRAMS)} AND "
                                         "regexp_full_match(detail, '[0-9]{10}')"))
    for column, check, where in targets:
        name = quote(column)
        values = src.con.execute(f"SELECT DISTINCT {name} FROM {view} WHERE {name} IS NOT NULL AND {where}").fetchall()
        bad = [v for (v,) in values if not is_well_formed(check, str(v))]
        if not bad:
            continue
        src.con.execute("CREATE OR REPLACE TEMP TABLE bad_values AS SELECT unnest(?::VARCHAR[]) AS v", [bad])
        message = f"{column} {DESCRIPTIONS[check]}"
        rows, total = _scan(src.con, f"(SELECT * FROM {view} WHERE {where})",
                            [(f"{name} IN (SELECT v FROM bad_values)", literal(message))])
        findings.add_rows(rows, total, src.rel, parquet)


def _duplicates(src: SourceSet, table: Table, findings: Findings, parquet: bool) -> None:
    keys = ", ".join(quote(k) for k in table.key)
    view = quote("src_" + table.name)
    if not src.con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {view} GROUP BY {keys} HAVING count(*) > 1)"
                           ).fetchone()[0]:
        return  # the common case, without building a list of lines per key
    sql = (f"SELECT lines[2][1], lines[2][2], lines[1][2], count(*) OVER () FROM ("
           f"SELECT list([_file, _line::VARCHAR] ORDER BY _file, _line) AS lines FROM {quote('src_' + table.name)} "
           f"GROUP BY {keys} HAVING count(*) > 1) ORDER BY 1, 2 LIMIT {MAX_SHOWN}")
    rows = src.con.execute(sql).fetchall()
    label = " + ".join(table.key)
    findings.add_rows([(f, int(line), [f"same {label} as line {first}"]) for f, line, first, _ in rows],
                      int(rows[0][3]) if rows else 0, src.rel, parquet)


def _unknown_people(src: SourceSet, table: Table, findings: Findings, parquet: bool) -> None:
    view = quote("src_" + table.name)
    rows, total = _scan(src.con, view, [
        ("person_id IS NOT NULL AND person_id NOT IN (SELECT person_id FROM enrolled_people)",
         literal("person_id is not in eligibility"))])
    findings.add_rows(rows, total, src.rel, parquet)


def validate_table(src: SourceSet, table: Table, fmt: str, findings: Findings, check_people: bool = True) -> None:
    """All row checks of one opened table; problems go to `findings`."""
    parquet = fmt == "parquet"
    view = quote("src_" + table.name)
    rows, total = _scan(src.con, view, row_checks(table, src.present[table.name], src.typed[table.name]),
                        files=src.files[table.name], columns=tuple(quote(c.name) for c in table.columns))
    findings.add_rows(rows, total, src.rel, parquet)
    _code_checks(src, table, findings, parquet)
    if not table.claims and table.key:
        _duplicates(src, table, findings, parquet)
    if table.name == "eligibility":
        src.con.execute("CREATE OR REPLACE TABLE enrolled_people AS "
                        "SELECT DISTINCT person_id FROM src_eligibility WHERE person_id IS NOT NULL")
    elif table.person_ref and check_people:
        _unknown_people(src, table, findings, parquet)
