"""The input tables of identification: open a plan data folder as DuckDB views, and normalise them.

Source: spec/input-layout.md. A table is a file `<table>.csv` / `<table>.parquet`, or a folder `<table>/` of part
files; names starting with `_` or `.` are ignored. CSV is read as text (so `0450` stays `0450`) and typed here.
The rules never read the raw views: they read `stg_<table>`, which has every column the rules use (absent ones
are NULL), typed, with codes normalised (ICD-10 without the dot, upper case; revenue codes on 4 digits);
`stg_diagnosis` has one row per claim line and diagnosis present (from the diagnosis columns the plan has).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# How each column is normalised; see _expression.
TEXT, CODE, ENUM, LOWER, DATE, BOOL, INT, DX, REVENUE, POS, BILL = (
    "text", "code", "enum", "lower", "date", "bool", "int", "dx", "revenue", "pos", "bill")

_DIAGNOSES = {f"diagnosis_code_{i}": DX for i in range(1, 26)}

TABLES: dict[str, dict[str, str]] = {
    "eligibility": {
        "person_id": TEXT, "member_id": TEXT, "birth_date": DATE, "enrollment_start_date": DATE,
        "enrollment_end_date": DATE, "death_date": DATE, "race": LOWER, "ethnicity": LOWER, "county": TEXT,
    },
    "medical_claim": {
        "claim_id": TEXT, "claim_line_number": INT, "claim_type": LOWER, "person_id": TEXT,
        "claim_start_date": DATE, "claim_end_date": DATE, "admission_date": DATE, "discharge_date": DATE,
        "admit_type_code": CODE, "admit_source_code": CODE, "place_of_service_code": POS, "bill_type_code": BILL,
        "revenue_center_code": REVENUE, "hcpcs_code": CODE, "procedure_code_1": DX, **_DIAGNOSES,
    },
    "program_enrollment": {
        "person_id": TEXT, "program": ENUM, "start_date": DATE, "end_date": DATE, "detail": ENUM,
    },
    "housing_status": {
        "person_id": TEXT, "status": ENUM, "start_date": DATE, "end_date": DATE, "household_with_minors": BOOL,
    },
    "incarceration": {
        "person_id": TEXT, "facility_type": ENUM, "admission_date": DATE, "release_date": DATE,
        "expected_release_date": DATE,
    },
    "assessment": {"person_id": TEXT, "kind": ENUM, "value": LOWER, "assessed_on": DATE},
}

_TYPES = {DATE: "DATE", BOOL: "BOOLEAN", INT: "INTEGER"}


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _expression(column: str, kind: str) -> str:
    """The SQL that normalises one source column (always from text, so CSV and Parquet agree)."""
    text = f"NULLIF(trim(CAST({_quote(column)} AS VARCHAR)), '')"
    return {
        TEXT: text,
        CODE: f"upper({text})",
        ENUM: f"upper({text})",
        LOWER: f"lower({text})",
        DATE: f"TRY_CAST({text} AS DATE)",
        BOOL: f"TRY_CAST(lower({text}) AS BOOLEAN)",
        INT: f"TRY_CAST({text} AS INTEGER)",
        DX: f"NULLIF(upper(replace({text}, '.', '')), '')",
        REVENUE: f"lpad({text}, 4, '0')",
        POS: f"lpad({text}, 2, '0')",
        # bill type 0111 and 111 are the same: type of facility + bill classification + frequency
        BILL: f"ltrim({text}, '0')",
    }[kind]


def _files(entry: Path) -> tuple[str, list[str]] | None:
    """The format and files of one table entry of the folder, or None when it is not a table."""
    if entry.name.startswith(("_", ".")):
        return None
    if entry.is_file() and entry.suffix.lower() in (".csv", ".parquet"):
        return entry.suffix.lower()[1:], [str(entry)]
    if entry.is_dir():
        parts = sorted(
            p for p in entry.rglob("*")
            if p.is_file() and p.suffix.lower() in (".csv", ".parquet")
            and not any(part.startswith(("_", ".")) for part in p.relative_to(entry).parts)
        )
        if parts:
            return parts[0].suffix.lower()[1:], [str(p) for p in parts if p.suffix == parts[0].suffix]
    return None


def open_folder(con: duckdb.DuckDBPyConnection, folder: Path) -> list[str]:
    """Create one view per table of a plan data folder, named after the table; return the table names."""
    names = []
    for entry in sorted(Path(folder).iterdir()):
        found = _files(entry)
        if found is None:
            continue
        fmt, files = found
        name = entry.name.split(".")[0] if entry.is_file() else entry.name
        listing = "[" + ", ".join(_literal(f) for f in files) + "]"
        if fmt == "csv":
            source = f"read_csv({listing}, header = true, all_varchar = true, union_by_name = true)"
        else:
            source = f"read_parquet({listing}, union_by_name = true)"
        con.execute(f"CREATE OR REPLACE VIEW {_quote(name)} AS SELECT * FROM {source}")
        names.append(name)
    return names


def _existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str] | None:
    """The columns (name -> DuckDB type) of a view or table the caller created, or None when it does not exist."""
    try:
        return {row[0].lower(): str(row[1]).upper() for row in con.execute(f"DESCRIBE {_quote(table)}").fetchall()}
    except duckdb.CatalogException:
        return None


def _normalised(column: str, kind: str, source_type: str) -> str:
    # A Parquet column already of the wanted type is used as is: no round trip through text.
    if _TYPES.get(kind) == source_type or (kind == INT and source_type in ("BIGINT", "SMALLINT")):
        return _quote(column)
    return _expression(column, kind)


def _create_diagnosis_view(con: duckdb.DuckDBPyConnection, existing: dict[str, str] | None) -> None:
    """`stg_diagnosis`: one row per claim line and diagnosis present, from the diagnosis columns the plan has."""
    present = [c for c in _DIAGNOSES if existing and c in existing]
    if not present:
        con.execute("CREATE OR REPLACE TEMP VIEW stg_diagnosis AS SELECT CAST(NULL AS VARCHAR) AS person_id, "
                    "CAST(NULL AS VARCHAR) AS claim_id, CAST(NULL AS DATE) AS claim_start_date, "
                    "CAST(NULL AS INTEGER) AS position, CAST(NULL AS VARCHAR) AS code WHERE false")
        return
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW stg_diagnosis AS
        SELECT person_id, claim_id, claim_start_date,
               CAST(substr(position, 16) AS INTEGER) AS position, code
        FROM (UNPIVOT (SELECT person_id, claim_id, claim_start_date, {', '.join(present)} FROM stg_medical_claim)
              ON {', '.join(present)} INTO NAME position VALUE code)
        WHERE code IS NOT NULL""")


# Claim lines stay a view (streamed once by def_claim); the small tables are read once and kept in memory.
STREAMED = frozenset({"medical_claim"})


def create_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Create `stg_<table>` over whatever input tables the connection has (absent tables are empty)."""
    for table, columns in TABLES.items():
        existing = _existing_columns(con, table)
        selects = []
        for column, kind in columns.items():
            if existing is not None and column in existing:
                selects.append(f"{_normalised(column, kind, existing[column])} AS {column}")
            else:
                selects.append(f"CAST(NULL AS {_TYPES.get(kind, 'VARCHAR')}) AS {column}")
        source = f"FROM {_quote(table)}" if existing is not None else "WHERE false"
        kind = "VIEW" if table in STREAMED else "TABLE"
        con.execute(f"CREATE OR REPLACE TEMP {kind} stg_{table} AS SELECT {', '.join(selects)} {source}")
        if table == "medical_claim":
            _create_diagnosis_view(con, existing)
