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
The rules read three narrow views of those lines: `stg_event_line` (def_claim), `stg_primary_care_day`
(def_primary_care) and `stg_line_diagnosis` (def_condition: one row per line and diagnosis column present).

A warehouse version also stores these three, for every date, in `_claim_events/` (runner.write_claim_events,
at load time), with a key of the SQL and the code and diagnosis value sets that made them. When the key matches
this run's, the views read the stored files (a few narrow columns) and the claim lines are not scanned at all;
otherwise (a plan folder, or a plan's own value sets) they come from the scan. Both give the same rows.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from carehub.domain.input_layout import discover_tables
from carehub.domain.populations.engine import Engine, literal, quote

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

# A warehouse version may carry the claim-events table (see `write_claim_events`) in this folder.
EVENTS_FOLDER = "_claim_events"
EVENTS_PARTS = {part: f"events_{part}" for part in ("event_line", "primary_care", "line_diagnosis")}
EVENTS_DX_CODE, EVENTS_KEY = "events_dx_code", "events_key"
CLAIM_SOURCE = "stg_claim_source"

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
    events = Path(folder) / EVENTS_FOLDER
    key = events / "KEY"
    parts = {**EVENTS_PARTS, "dx_code": EVENTS_DX_CODE}
    if key.is_file() and all(any((events / part).glob("*.parquet")) for part in parts):
        for part, name in parts.items():
            engine.read_files(name, "parquet", sorted((events / part).glob("*.parquet")))
        engine.create(EVENTS_KEY, f"SELECT {literal(key.read_text().strip())} AS key")
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
    stored = _stored_events(engine, present)
    # which path this run took (for tests and the benchmark): the stored claim events or a scan of every line
    engine.create(CLAIM_SOURCE, f"SELECT '{'events' if stored else 'scan'}' AS source")
    _create_code_lookups(engine, present, stored)
    _create_claim_lines(engine, as_of, present, stored)


def claim_events_sql(engine: Engine) -> tuple[str, str, str, list[str]] | None:
    """For storing the claim-events tables of a folder opened on `engine` (with the value sets loaded): their
    key, the SELECT of the usable lines of every date (with window_date), the SELECT of the distinct diagnosis
    codes, and the diagnosis columns present; None without medical claims."""
    select, existing = _typed_select(engine, "medical_claim", CLAIM_COLUMNS)
    if existing is None:
        return None
    engine.create("stg_medical_claim", select, view=True)
    present = [c for c in DIAGNOSIS_COLUMNS if c in existing]
    _create_code_lookups(engine, present)
    return (events_key(engine, present), _events_template(present).replace("{window}", "1 = 1"),
            "SELECT raw_code, code FROM stg_dx_code", present)


def _create_code_lookups(engine: Engine, present: list[str], stored: bool = False) -> None:
    """`stg_code_variant` (value set, raw spelling) and `stg_dx_code` (raw diagnosis code, normalised code)."""
    engine.create("stg_code_variant", """
        WITH code AS (SELECT DISTINCT upper(trim(value_set)) AS value_set, upper(trim(code)) AS code FROM vs_codes)
        SELECT value_set, code AS raw FROM code
        UNION SELECT value_set, lower(code) FROM code
        UNION SELECT value_set, ltrim(code, '0') FROM code WHERE ltrim(code, '0') <> ''""")
    if stored:
        engine.create("stg_dx_code", f"SELECT raw_code, code FROM {EVENTS_DX_CODE}")
    elif present:
        codes = " UNION ".join(f"SELECT DISTINCT {c} AS raw_code FROM stg_medical_claim" for c in present)
        engine.create("stg_dx_code", f"""
            SELECT raw_code, upper(replace(trim(raw_code), '.', '')) AS code
            FROM ({codes}) t WHERE raw_code IS NOT NULL""")
    else:
        engine.create("stg_dx_code", "SELECT CAST(NULL AS VARCHAR) AS raw_code, CAST(NULL AS VARCHAR) AS code "
                                     "WHERE 1 = 0")


def _condition_codes() -> str:
    """The raw diagnosis codes of the claims in some person-level value set (an included prefix matches; the
    event-only sets AVOIDABLE_ED and ACSC aside): every code def_condition can use, and a few more."""
    skip = ", ".join(f"'{s}'" for s in EVENT_ONLY_DX_SETS)
    return f"""
            WITH prefix AS (
                SELECT upper(replace(trim(code_prefix), '.', '')) AS prefix FROM vs_diagnoses
                WHERE upper(trim(value_set)) NOT IN ({skip})
                  AND NOT coalesce(TRY_CAST(lower(trim(exclude)) AS BOOLEAN), false)
            )
            SELECT DISTINCT c.raw_code FROM stg_dx_code c JOIN prefix p ON starts_with(c.code, p.prefix)"""


def _events_template(present: list[str]) -> str:
    """The SELECT of the claim lines some rule can use, with `{window}` where the look-back filter goes.

    `window_date` is the date the look-back window is tested on; the rules never read it. With `{window}`
    replaced by `1 = 1` this is the date-independent claim-events table a warehouse version stores."""
    dx_columns = [f"dx_{i + 1}" for i in range(len(present))]
    relevant_dx = " OR ".join(f"m.{c} IN (SELECT raw_code FROM condition_code)" for c in present) or "1 = 0"

    def variant(value_set: str) -> str:
        return f"(SELECT raw FROM stg_code_variant WHERE value_set = '{value_set}')"

    dx_select = ("".join(f", {c} AS {d}" for c, d in zip(present, dx_columns, strict=True))
                 or ", CAST(NULL AS VARCHAR) AS dx_1")
    bill = " OR ".join(f"m.bill_type_code LIKE '{p}%'" for p in ("11", "011", "21", "021"))
    return f"""
        WITH condition_code AS ({_condition_codes()}),
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
            WHERE {{window}}
        )
        SELECT person_id, claim_id, lower(claim_type) AS claim_type, claim_start_date,
               coalesce(claim_end_date, claim_start_date) AS claim_end_date, admission_date, discharge_date,
               ltrim(bill_type_code, '0') AS bill_type, upper(admit_type_code) AS admit_type,
               coalesce(ed_revenue, false) AS ed_revenue, coalesce(ed_pos, false) AS ed_pos,
               coalesce(ed_hcpcs, false) AS ed_hcpcs, coalesce(primary_care, false) AS primary_care,
               coalesce(crisis, false) AS crisis, coalesce(delivery_procedure, false) AS delivery_procedure,
               coalesce(stay_bill, false) AS stay_bill
               {dx_select},
               coalesce(discharge_date, claim_end_date, claim_start_date) AS window_date
        FROM flagged
        WHERE ed_revenue OR ed_pos OR ed_hcpcs OR primary_care OR crisis OR delivery_procedure OR stay_bill
           OR condition_dx"""


# The look-back window of the claim lines, on the raw columns (scan) and on a stored events table.
_SCAN_WINDOW = ("m.claim_start_date <= $as_of AND coalesce(m.discharge_date, m.claim_end_date, m.claim_start_date)"
                " > $as_of - INTERVAL 12 MONTH")
_EVENTS_WINDOW = "claim_start_date <= $as_of AND window_date > $as_of - INTERVAL 12 MONTH"


def events_key(engine: Engine, present: list[str]) -> str:
    """What a stored claim-events table depends on: the SQL that made it, the diagnosis columns present and the
    code and diagnosis value sets (a plan's own value sets give another key, so identification rescans)."""
    digest = hashlib.sha256(_events_template(present).encode())
    digest.update(repr(_stored_parts("w", present)).encode())
    for table in ("vs_codes", "vs_diagnoses"):
        for row in engine.rows(f"SELECT * FROM {table} ORDER BY ALL"):
            digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def _stored_events(engine: Engine, present: list[str]) -> bool:
    """True when the folder brought claim-events tables made with this SQL and these value sets."""
    if engine.columns(EVENTS_KEY) is None or any(engine.columns(t) is None for t in EVENTS_PARTS.values()):
        return False
    stored = engine.rows(f"SELECT key FROM {EVENTS_KEY}")
    return bool(stored) and stored[0][0] == events_key(engine, present)


_LINE_COLUMNS = ("person_id", "claim_id", "claim_type", "claim_start_date", "claim_end_date", "admission_date",
                 "discharge_date", "bill_type", "admit_type", "ed_revenue", "ed_pos", "ed_hcpcs", "primary_care",
                 "crisis", "delivery_procedure", "stay_bill")
# What def_claim reads: the ED, stay, crisis and delivery lines.
_EVENT_COLUMNS = tuple(c for c in _LINE_COLUMNS if c != "primary_care") + ("dx_1",)
_EVENT_FLAGS = "ed_revenue OR ed_pos OR ed_hcpcs OR crisis OR delivery_procedure OR stay_bill"
_DIAGNOSIS_COLUMNS = ("person_id", "claim_id", "claim_start_date", "position", "raw_code")


def _diagnoses(source: str, present: list[str], extra: str = "") -> str:
    """One row per line of `source` and diagnosis column present (positions 1, 2, ...)."""
    if not present:
        return (f"SELECT person_id, claim_id, claim_start_date, 1 AS position, CAST(NULL AS VARCHAR) AS raw_code"
                f"{extra} FROM {source} WHERE 1 = 0")
    return " UNION ALL ".join(
        f"SELECT person_id, claim_id, claim_start_date, {i} AS position, dx_{i} AS raw_code{extra} "
        f"FROM {source} WHERE dx_{i} IS NOT NULL" for i in range(1, len(present) + 1))


def _stored_parts(source: str, present: list[str]) -> dict[str, str]:
    """The SELECTs of the stored claim-events parts, over the every-date claim lines `source` (with window_date):
    the event lines; one row per person and office-visit date; the distinct diagnoses of the lines (by claim,
    date and position: def_condition takes the earliest date and whether any was principal, so repeats of a
    claim's diagnosis on its other lines add nothing) that are in a person-level value set (no other code can
    join def_dx_class in def_condition)."""
    return {
        "event_line": f"SELECT {', '.join(_EVENT_COLUMNS)}, window_date FROM {source} WHERE {_EVENT_FLAGS}",
        "primary_care": f"SELECT DISTINCT person_id, claim_start_date, window_date FROM {source} WHERE primary_care",
        "line_diagnosis": f"SELECT DISTINCT * FROM ({_diagnoses(source, present, ', window_date')}) d "
                          f"WHERE raw_code IN ({_condition_codes()})",
    }


def stored_events_sql(source: str, present: list[str]) -> dict[str, str]:
    """Part name -> SELECT, for writing the stored claim-events parts from every-date claim lines `source`."""
    return _stored_parts(source, present)


def _create_claim_lines(engine: Engine, as_of: date, present: list[str], stored: bool) -> None:
    """What the rules read of the claim lines: `stg_event_line` (def_claim), `stg_primary_care_day`
    (def_primary_care) and `stg_line_diagnosis` (def_condition), each limited to the look-back window.
    Without stored events they come from `stg_claim_line`, the lines some rule can use, from one scan; with
    them they are views over the stored narrow files (each reader scans only the columns it needs)."""
    if stored:
        window = f"WHERE {_EVENTS_WINDOW}"
        engine.create("stg_event_line", f"SELECT {', '.join(_EVENT_COLUMNS)} FROM {EVENTS_PARTS['event_line']} "
                                        f"{window}", as_of, view=True)
        engine.create("stg_primary_care_day", f"SELECT person_id, claim_start_date "
                                              f"FROM {EVENTS_PARTS['primary_care']} {window}", as_of, view=True)
        engine.create("stg_line_diagnosis", f"SELECT {', '.join(_DIAGNOSIS_COLUMNS)} "
                                            f"FROM {EVENTS_PARTS['line_diagnosis']} {window}", as_of, view=True)
        return
    dx_columns = [f"dx_{i + 1}" for i in range(len(present))]
    columns = ", ".join(_LINE_COLUMNS + tuple(dx_columns or ["dx_1"]))
    scan = _events_template(present).replace("{window}", _SCAN_WINDOW)
    engine.create("stg_claim_line", f"SELECT {columns} FROM ({scan}) t", as_of)
    engine.create("stg_event_line", f"SELECT {', '.join(_EVENT_COLUMNS)} FROM stg_claim_line WHERE {_EVENT_FLAGS}",
                  view=True)
    engine.create("stg_primary_care_day", "SELECT person_id, claim_start_date FROM stg_claim_line WHERE primary_care",
                  view=True)
    engine.create("stg_line_diagnosis", _diagnoses("stg_claim_line", present), view=True)
