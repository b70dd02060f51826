"""The input tables of identification: open a plan data folder, and stage what the rules read.

Source: spec/input-layout.md. Tables are found with `discover_tables` (domain/input_layout.py). CSV is read as
text (so `0450` stays `0450`) and typed here. The rules never read the raw tables: they read `stg_<table>`, which
has every column the rules use (absent ones are NULL), typed.

Claim lines are the bulk (40M lines at 1M members), so they are read once, by one scan, into `stg_claim_line`:
only the lines of the look-back window that some rule can use (ED, stay, office-visit, crisis and delivery
lines, and lines with a diagnosis in a person-level value set), with the columns the rules use. No string is
cleaned line by line: codes are matched on their raw spelling against small lookup tables made from the value
sets (`stg_code_variant`: `0450` and `450`, upper and lower case) and from the distinct diagnosis codes present
(`stg_dx_code`, which `def_dx_class` normalises — no dot, upper case — and classifies once per code).
`stg_line_diagnosis` has one row per kept line and diagnosis column present.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from carehub.domain.input_layout import discover_tables
from carehub.domain.populations.engine import Engine, quote

# How each column is typed; see _expression.
TEXT, UPPER, LOWER, DATE, BOOL, INT = "text", "upper", "lower", "date", "bool", "int"

DIAGNOSIS_COLUMNS = tuple(f"diagnosis_code_{i}" for i in range(1, 26))
CLAIM_COLUMNS: dict[str, str] = {
    "claim_id": TEXT, "claim_type": TEXT, "person_id": TEXT, "claim_start_date": DATE, "claim_end_date": DATE,
    "admission_date": DATE, "discharge_date": DATE, "admit_type_code": TEXT, "place_of_service_code": TEXT,
    "bill_type_code": TEXT, "revenue_center_code": TEXT, "hcpcs_code": TEXT, "procedure_code_1": TEXT,
    **{c: TEXT for c in DIAGNOSIS_COLUMNS},
}

TABLES: dict[str, dict[str, str]] = {
    "eligibility": {
        "person_id": TEXT, "member_id": TEXT, "birth_date": DATE, "enrollment_start_date": DATE,
        "enrollment_end_date": DATE, "death_date": DATE, "race": LOWER, "ethnicity": LOWER, "county": TEXT,
    },
    "program_enrollment": {
        "person_id": TEXT, "program": UPPER, "start_date": DATE, "end_date": DATE, "detail": UPPER,
    },
    "housing_status": {
        "person_id": TEXT, "status": UPPER, "start_date": DATE, "end_date": DATE, "household_with_minors": BOOL,
    },
    "incarceration": {
        "person_id": TEXT, "facility_type": UPPER, "admission_date": DATE, "release_date": DATE,
        "expected_release_date": DATE,
    },
    "assessment": {"person_id": TEXT, "kind": UPPER, "value": LOWER, "assessed_on": DATE},
}
NEEDED = ("eligibility", "medical_claim")

_TYPES = {DATE: "DATE", BOOL: "BOOLEAN", INT: "INTEGER"}

# Value sets only read on the principal diagnosis of an ED visit or a stay (kept anyway as event lines).
EVENT_ONLY_DX_SETS = ("AVOIDABLE_ED", "ACSC")


class MissingInputError(ValueError):
    """A table identification cannot run without is absent."""


def _expression(column: str, kind: str, source_type: str) -> str:
    """The SQL that types one source column. A column already of the wanted type is used as is."""
    if _TYPES.get(kind) == source_type or (kind == INT and source_type in ("BIGINT", "SMALLINT")):
        return quote(column)
    if kind == TEXT and source_type == "VARCHAR" and column in CLAIM_COLUMNS:
        # claim text columns from Parquet are used as stored (line-by-line cleaning costs more than the scan)
        return quote(column)
    text = f"NULLIF(trim(CAST({quote(column)} AS VARCHAR)), '')"
    return {
        TEXT: text, UPPER: f"upper({text})", LOWER: f"lower({text})",
        DATE: f"TRY_CAST({text} AS DATE)", BOOL: f"TRY_CAST(lower({text}) AS BOOLEAN)",
        INT: f"TRY_CAST({text} AS INTEGER)",
    }[kind]


def open_folder(engine: Engine, folder: Path) -> list[str]:
    """Expose each input-layout table of a plan data folder (or a warehouse version laid out like one) as a
    table named after it; return the names."""
    tables = discover_tables(Path(folder))
    for name, files in sorted(tables.items()):
        fmt = files[0].suffix.lower().lstrip(".")
        engine.read_files(name, fmt, files)
    return sorted(tables)


def _typed_select(engine: Engine, table: str, columns: dict[str, str]) -> tuple[str, dict[str, str] | None]:
    existing = engine.columns(table)
    selects = []
    for column, kind in columns.items():
        if existing is not None and column in existing:
            selects.append(f"{_expression(column, kind, existing[column])} AS {column}")
        else:
            selects.append(f"CAST(NULL AS {_TYPES.get(kind, 'VARCHAR')}) AS {column}")
    source = f"FROM {quote(table)}" if existing is not None else "WHERE 1 = 0"
    return f"SELECT {', '.join(selects)} {source}", existing


def create_staging(engine: Engine, as_of: date) -> None:
    """Create the `stg_*` tables over whatever input tables the engine has (absent small tables are empty).

    Raises MissingInputError when eligibility or medical_claim is absent (nothing can be identified)."""
    missing = [t for t in NEEDED if engine.columns(t) is None]
    if missing:
        raise MissingInputError("identification needs the input table(s) " + ", ".join(missing)
                                + " (spec/input-layout.md)")
    for table, columns in TABLES.items():
        select, _ = _typed_select(engine, table, columns)
        engine.create(f"stg_{table}", select)
    select, existing = _typed_select(engine, "medical_claim", CLAIM_COLUMNS)
    engine.create("stg_medical_claim", select, view=True)
    present = [c for c in DIAGNOSIS_COLUMNS if existing and c in existing]
    _create_code_lookups(engine, present)
    _create_claim_lines(engine, as_of, present)


def _create_code_lookups(engine: Engine, present: list[str]) -> None:
    """`stg_code_variant` (value set, raw spelling) and `stg_dx_code` (raw diagnosis code, normalised code)."""
    engine.create("stg_code_variant", """
        WITH code AS (SELECT DISTINCT upper(trim(value_set)) AS value_set, upper(trim(code)) AS code FROM vs_codes)
        SELECT value_set, code AS raw FROM code
        UNION SELECT value_set, lower(code) FROM code
        UNION SELECT value_set, ltrim(code, '0') FROM code WHERE ltrim(code, '0') <> ''""")
    if present:
        codes = " UNION ".join(f"SELECT DISTINCT {c} AS raw_code FROM stg_medical_claim" for c in present)
        engine.create("stg_dx_code", f"""
            SELECT raw_code, upper(replace(trim(raw_code), '.', '')) AS code
            FROM ({codes}) t WHERE raw_code IS NOT NULL""")
    else:
        engine.create("stg_dx_code", "SELECT CAST(NULL AS VARCHAR) AS raw_code, CAST(NULL AS VARCHAR) AS code "
                                     "WHERE 1 = 0")


def _create_claim_lines(engine: Engine, as_of: date, present: list[str]) -> None:
    """`stg_claim_line`: the lines some rule can use, from one scan; `stg_line_diagnosis`: their diagnoses."""
    dx_columns = [f"dx_{i + 1}" for i in range(len(present))]
    relevant_dx = " OR ".join(f"m.{c} IN (SELECT raw_code FROM condition_code)" for c in present) or "1 = 0"
    skip = ", ".join(f"'{s}'" for s in EVENT_ONLY_DX_SETS)

    def variant(value_set: str) -> str:
        return f"(SELECT raw FROM stg_code_variant WHERE value_set = '{value_set}')"

    dx_select = ("".join(f", {c} AS {d}" for c, d in zip(present, dx_columns, strict=True))
                 or ", CAST(NULL AS VARCHAR) AS dx_1")
    bill = " OR ".join(f"m.bill_type_code LIKE '{p}%'" for p in ("11", "011", "21", "021"))
    engine.create("stg_claim_line", f"""
        WITH prefix AS (
            SELECT upper(replace(trim(code_prefix), '.', '')) AS prefix FROM vs_diagnoses
            WHERE upper(trim(value_set)) NOT IN ({skip})
              AND NOT coalesce(TRY_CAST(lower(trim(exclude)) AS BOOLEAN), false)
        ),
        condition_code AS (
            SELECT DISTINCT c.raw_code FROM stg_dx_code c JOIN prefix p ON starts_with(c.code, p.prefix)
        ),
        flagged AS (
            SELECT m.*,
                   m.revenue_center_code IN {variant('ED_REVENUE')} AS ed_revenue,
                   m.place_of_service_code IN {variant('ED_PLACE_OF_SERVICE')} AS ed_pos,
                   m.hcpcs_code IN {variant('ED_HCPCS')} AS ed_hcpcs,
                   m.hcpcs_code IN {variant('PRIMARY_CARE_HCPCS')} AS primary_care,
                   m.hcpcs_code IN {variant('CRISIS_HCPCS')} AS crisis,
                   m.hcpcs_code IN {variant('DELIVERY_PROCEDURE')}
                     OR m.procedure_code_1 IN {variant('DELIVERY_PROCEDURE')} AS delivery_procedure,
                   ({bill}) AS stay_bill,
                   ({relevant_dx}) AS condition_dx
            FROM stg_medical_claim m
            WHERE m.claim_start_date <= $as_of
              AND coalesce(m.discharge_date, m.claim_end_date, m.claim_start_date) > $as_of - INTERVAL 12 MONTH
        )
        SELECT person_id, claim_id, lower(claim_type) AS claim_type, claim_start_date,
               coalesce(claim_end_date, claim_start_date) AS claim_end_date, admission_date, discharge_date,
               ltrim(bill_type_code, '0') AS bill_type, upper(admit_type_code) AS admit_type,
               coalesce(ed_revenue, false) AS ed_revenue, coalesce(ed_pos, false) AS ed_pos,
               coalesce(ed_hcpcs, false) AS ed_hcpcs, coalesce(primary_care, false) AS primary_care,
               coalesce(crisis, false) AS crisis, coalesce(delivery_procedure, false) AS delivery_procedure,
               coalesce(stay_bill, false) AS stay_bill
               {dx_select}
        FROM flagged
        WHERE ed_revenue OR ed_pos OR ed_hcpcs OR primary_care OR crisis OR delivery_procedure OR stay_bill
           OR condition_dx""", as_of)
    if present:
        engine.create("stg_line_diagnosis", " UNION ALL ".join(
            f"SELECT person_id, claim_id, claim_start_date, {i + 1} AS position, {d} AS raw_code "
            f"FROM stg_claim_line WHERE {d} IS NOT NULL" for i, d in enumerate(dx_columns)), view=True)
    else:
        engine.create("stg_line_diagnosis", "SELECT person_id, claim_id, claim_start_date, 1 AS position, "
                                            "CAST(NULL AS VARCHAR) AS raw_code FROM stg_claim_line WHERE 1 = 0",
                      view=True)
