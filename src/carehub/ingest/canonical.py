"""Typed, normalized views of validated input tables (`c_<table>` over `src_<table>`).

Normalization: dates become DATE, whole numbers BIGINT, amounts DECIMAL(18,2), booleans BOOLEAN; ICD-10-CM
codes are stored upper case without the dot (`Z59.01` -> `Z5901`, as Tuva does); HCPCS codes upper case.
"""

from __future__ import annotations

import duckdb

from carehub.ingest.layout import Col, Table
from carehub.ingest.sources import quote
from carehub.ingest.validate import TRUE_WORDS


def typed_expr(col: Col, typed: dict[str, str]) -> str:
    name = quote(col.name)
    if col.kind == "date":
        return f"CAST({name} AS DATE)"
    if col.kind == "int":
        return f"CAST({name} AS BIGINT)"
    if col.kind == "decimal":
        return f"CAST({name} AS DECIMAL(18, 2))"
    if col.kind == "bool":
        if col.name in typed:
            return name
        words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        return f"CASE WHEN {name} IS NULL THEN NULL ELSE lower({name}) IN ({words}) END"
    if col.check == "icd10":
        return f"replace(upper({name}), '.', '')"
    if col.check == "hcpcs":
        return f"upper({name})"
    return f"CAST({name} AS VARCHAR)"


def create_canonical_view(con: duckdb.DuckDBPyConnection, table: Table, typed: dict[str, str]) -> None:
    cols = ", ".join(f"{typed_expr(c, typed)} AS {quote(c.name)}" for c in table.columns)
    con.execute(f"CREATE OR REPLACE VIEW {quote('c_' + table.name)} AS "
                f"SELECT _file, _line, {cols} FROM {quote('src_' + table.name)}")


def warehouse_rows_sql(con: duckdb.DuckDBPyConnection, table: Table, present: set[str]) -> tuple[str, int]:
    """SQL of the rows of one table to write into the warehouse: the canonical columns present in the extract
    (writing dozens of empty columns doubled the write time). Claims are deduplicated on claim_id +
    claim_line_number: when the extract repeats a line, the last one (by file name, then line) wins; other
    tables were checked for repeated keys by validation. Returns (sql, duplicates dropped)."""
    view = quote("c_" + table.name)
    cols = ", ".join(quote(c.name) for c in table.columns if c.name in present or c.required)
    if not table.claims:
        return f"SELECT {cols} FROM {view}", 0
    key = ", ".join(table.key)
    # Equal keys have equal hashes, so as many distinct hashes as rows proves there is no repeated key; that
    # aggregate on one integer is much cheaper than grouping on the text key.
    rows, hashes = con.execute(f"SELECT count(*), count(DISTINCT hash({key})) FROM {view}").fetchone()
    dupes = 0 if rows == hashes else con.execute(
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {view} GROUP BY {key} HAVING n > 1)"
    ).fetchone()[0]
    if not dupes:
        return f"SELECT {cols} FROM {view}", 0
    return (f"SELECT {cols} FROM {view} "
            f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _file DESC, _line DESC) = 1"), int(dupes)
