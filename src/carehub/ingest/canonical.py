"""Typed, normalized views of validated input tables (`c_<table>` over `src_<table>`).

Normalization: dates become DATE, whole numbers BIGINT, amounts DECIMAL(18,2), booleans BOOLEAN; ICD-10-CM
codes are stored upper case without the dot (`Z59.01` -> `Z5901`, as Tuva does); HCPCS codes upper case.
`canonical_sql` gives the same values from extract files stored as they are (see carehub.warehouse, "stored as
the extract").
"""

from __future__ import annotations

import duckdb

from carehub.ingest.layout import Col, Table
from carehub.ingest.sources import SourceSet, literal, quote
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


# Parquet column types an extract's claim files may have to be stored as they are: every value then reads back
# through `canonical_sql` as the load's canonical view gives it, and readers that type raw plan folders
# themselves (identification, assignment) see dates, numbers and booleans already typed.
_KEPT_TYPES = {
    "str": ("VARCHAR",),
    "date": ("DATE",),
    "int": ("TINYINT", "SMALLINT", "INTEGER", "BIGINT"),
    "decimal": ("DECIMAL", "TINYINT", "SMALLINT", "INTEGER", "BIGINT"),
    "bool": ("BOOLEAN",),
}


def storable_as_is(table: Table, schema: dict[str, str]) -> bool:
    """True when a Parquet file of `table` with these column types can be stored without rewriting: every
    column is one of the layout's, of a type in _KEPT_TYPES."""
    kinds = {c.name: c.kind for c in table.columns}
    return all(name in kinds and dtype.split("(")[0] in _KEPT_TYPES[kinds[name]] for name, dtype in schema.items())


def canonical_sql(table: Table, source: str, schema: dict[str, str]) -> str:
    """SQL of the canonical rows (the layout's columns present, plus the required ones) of raw extract rows read
    by `source` (a FROM item) whose columns have the DuckDB types `schema`: the values `c_<table>` gives, by the
    same expressions (text trimmed, empty text as NULL, codes normalized, typed). Normalizing twice changes
    nothing, so canonical rows read through it stay as they are."""
    kinds = {c.name: c.kind for c in table.columns}
    # As SourceSet types them: the base type of a typed column, the whole type of a number in a text column.
    typed = {name: dtype if kinds.get(name, "str") == "str" else dtype.split("(")[0]
             for name, dtype in schema.items() if dtype != "VARCHAR"}
    present = set(schema)
    columns = [c for c in table.columns if c.name in present or c.required]
    inner = ", ".join(f"{SourceSet.normalized(c, present, typed)} AS {quote(c.name)}" for c in columns)
    outer = ", ".join(f"{typed_expr(c, typed)} AS {quote(c.name)}" for c in columns)
    return f"SELECT {outer} FROM (SELECT {inner} FROM {source})"


def extract_storable(con: duckdb.DuckDBPyConnection, table: Table, files: list[str]) -> bool:
    """True when the validated Parquet files of a claims table can be stored as they are: column types as
    `storable_as_is` asks, no claim line twice, and no key or person_id padded with blanks (the member lookup
    filters on the stored person_id). One scan of the three key columns."""
    for path in files:
        if not path.endswith(".parquet"):
            return False
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(path)})").fetchall()
        if not storable_as_is(table, {r[0]: r[1] for r in described}):
            return False
    key = ", ".join(quote(k) for k in table.key)
    text = [quote(c.name) for c in table.columns if c.name in ("person_id", *table.key) and c.kind == "str"]
    # DuckDB's trim() removes spaces only; testing both ends costs a third of comparing with trim().
    padded = " OR ".join(f"starts_with({name}, ' ') OR ends_with({name}, ' ')" for name in text) or "false"
    # Equal keys have equal hashes: as many distinct hashes as rows proves no line is repeated (a collision only
    # sends the table down the rewrite, which deduplicates exactly).
    rows, distinct, bad = con.execute(
        f"SELECT count(*), count(DISTINCT hash({key})), count_if({padded}) "
        f"FROM read_parquet([{', '.join(literal(p) for p in files)}], union_by_name=true)").fetchone()
    return bool(rows == distinct and bad == 0)
