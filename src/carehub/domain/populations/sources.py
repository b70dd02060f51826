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
The rules read narrow views of those lines: `stg_event_line` (def_claim), `stg_primary_care_day`
(def_primary_care) and `stg_line_diagnosis` (def_condition: one row per line and diagnosis column present).

A warehouse version also stores claim events for every date in `_claim_events/` (runner.write_claim_events, by
the load or the compaction job), with a key of the SQL and the code and diagnosis value sets that made them.
When the key matches this run's, the views read the stored files and the claim lines are not scanned at all;
otherwise (a plan folder, or a plan's own value sets) they come from the scan. The stored form goes further
(`_stored_parts`): whole event claims one row each (`stg_event_claim`), most people's ED visits already grouped
(`stg_ed_visit_fact`; their ED claims are then not in def_claim), per person and value set each
condition claim with the next claim's date (`stg_condition_fact`), per person each office-visit date with the
next one (`stg_primary_care_fact`) and the eligibility spans marked when they overlap no other
(`stg_person_span`), so def_claim, def_ed_visit, def_condition, def_primary_care and def_person group or rank
only what does not fit that form; on a scan the claim and fact views are empty. Both give the same rule tables,
def_claim but for the ED claims stored as visits (tested).

People are joined on `hash(person_id)` where that is safe (see PERSON_HASH); `person_id` in every `stg_*` table
is then that key, and def_person keeps the text id as `person_ref`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
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
    # Not a plan-folder table: the ECM providers' outreach outcomes (UNREACHABLE, DECLINED) from the operational
    # database, which `carehub identify` gives the run (OUTREACH_TABLE); empty otherwise.
    "outreach_outcome": {"person_id": TEXT, "outcome": UPPER, "outcome_date": DATE},
}
OUTREACH_TABLE = "outreach_outcome"
NEEDED = ("eligibility", "medical_claim")

_TYPES = {DATE: "DATE", BOOL: "BOOLEAN", INT: "INTEGER"}

# A warehouse version may carry the claim-events table (see `write_claim_events`) in this folder.
EVENTS_FOLDER = "_claim_events"
EVENTS_PARTS = {part: f"events_{part}" for part in ("event_claim", "event_line", "ed_visit_fact", "primary_care",
                                                   "primary_care_fact", "line_diagnosis", "condition_fact",
                                                   "person_span")}
EVENTS_DX_CODE, EVENTS_KEY = "events_dx_code", "events_key"
# Person keys: on DuckDB the rules join people on hash(person_id), a UBIGINT (joins on it cost about a third less
# than on the text ids at 1M members), wherever no two person ids of the inputs share a hash; the text id stays in
# def_person.person_ref for the output. A warehouse's claim events say so in PERSON_KEY (checked when they are
# written, with the hash of a probe text, so another DuckDB with another hash function falls back); a scan checks
# the people it staged. Spark keeps the text ids.
PERSON_HASH, PERSON_KEY_FILE, EVENTS_PERSON_KEY = "hash(person_id)", "PERSON_KEY", "events_person_key"
_HASH_PROBE = "SELECT CAST(hash('carehub person key probe') AS VARCHAR)"
PERSON_KEY = "stg_person_key"
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
        person_key = events / PERSON_KEY_FILE
        if person_key.is_file():
            engine.create(EVENTS_PERSON_KEY, f"SELECT {literal(person_key.read_text().strip())} AS key")
    return sorted(tables)


def _typed_select(engine: Engine, table: str, columns: dict[str, str],
                  keyed: bool = False) -> tuple[str, dict[str, str] | None]:
    """The SELECT typing `table`'s columns; `keyed`: person_id is the person key (and eligibility keeps the
    text id as person_ref)."""
    existing = engine.columns(table)
    selects = []
    for column, kind in columns.items():
        if existing is not None and column in existing:
            expression = _expression(column, kind, existing[column])
        else:
            expression = f"CAST(NULL AS {_TYPES.get(kind, 'VARCHAR')})"
        if column == "person_id" and table == "eligibility":
            selects.append(f"{expression} AS person_ref")
        selects.append(f"{_person_key(expression) if column == 'person_id' and keyed else expression} AS {column}")
    source = f"FROM {quote(table)}" if existing is not None else "WHERE 1 = 0"
    return f"SELECT {', '.join(selects)} {source}", existing


def create_staging(engine: Engine, as_of: date) -> None:
    """Create the `stg_*` tables over whatever input tables the engine has (absent small tables are empty).

    Raises MissingInputError when eligibility or medical_claim is absent (nothing can be identified)."""
    missing = [t for t in NEEDED if engine.columns(t) is None]
    if missing:
        raise MissingInputError("identification needs the input table(s) " + ", ".join(missing)
                                + " (spec/input-layout.md)")
    select, existing = _typed_select(engine, "medical_claim", CLAIM_COLUMNS)
    engine.create("stg_medical_claim", select, view=True)
    present = [c for c in DIAGNOSIS_COLUMNS if existing and c in existing]
    stored = _stored_events(engine, present)
    # which path this run took (for tests and the benchmark): the stored claim events or a scan of every line
    engine.create(CLAIM_SOURCE, f"SELECT '{'events' if stored else 'scan'}' AS source")
    _create_code_lookups(engine, present, stored)
    if not stored:
        _scan_claim_lines(engine, as_of, present)
    keyed = _keyed(engine, stored)
    engine.create(PERSON_KEY, f"SELECT {literal(PERSON_HASH if keyed else 'person_id')} AS key")
    for table, columns in TABLES.items():
        select, _ = _typed_select(engine, table, columns, keyed)
        # typed Parquet is cheap to read again (only the columns a rule uses, date filters pushed down), so it
        # is not copied (1.3M eligibility rows at 1M members: ~0.2 s); CSV is parsed once, into a table
        engine.create(f"stg_{table}", select, view=engine.formats.get(table) == "parquet")
    _create_person_spans(engine, stored, keyed)
    _create_claim_lines(engine, as_of, present, stored, keyed)


# What def_person reads of each eligibility span (stg_person_span): the typed columns, `death_on` (the person's
# earliest death date, on every span) and `alone` (no other span of the person shares a day with it, so on any
# date it is the only span that can cover it; false wherever that was not worked out).
PERSON_SPAN_COLUMNS = ("person_id", "member_id", "birth_date", "enrollment_start_date", "enrollment_end_date", "race",
                       "ethnicity", "county")
EVENTS_ELIGIBILITY = "events_eligibility"


def eligibility_sql(engine: Engine) -> str:
    """The typed eligibility spans (text person ids) of a folder opened on `engine`, for the stored person spans."""
    return _typed_select(engine, "eligibility", TABLES["eligibility"])[0]


def _create_person_spans(engine: Engine, stored: bool, keyed: bool) -> None:
    """`stg_person_span`: the stored spans (part `person_span`) or, on a scan, stg_eligibility's with death_on
    joined and `alone` false (def_person then ranks every covering span). person_id is the person key and
    person_ref the text id."""
    columns = ", ".join(c for c in PERSON_SPAN_COLUMNS if c != "person_id")
    if stored:
        key = _person_key("person_id") if keyed else "person_id"
        engine.create("stg_person_span", f"SELECT person_id AS person_ref, {key} AS person_id, {columns}, death_on, "
                                         f"alone FROM {EVENTS_PARTS['person_span']}", view=True)
        return
    engine.create("stg_person_span", f"""
        SELECT e.person_ref, e.person_id, {", ".join(f"e.{c}" for c in PERSON_SPAN_COLUMNS[1:])},
               d.death_on, false AS alone
        FROM stg_eligibility e
        LEFT JOIN (SELECT person_id, min(death_date) AS death_on FROM stg_eligibility
                   WHERE death_date IS NOT NULL GROUP BY person_id) d ON d.person_id = e.person_id""", view=True)


def _person_key(expression: str) -> str:
    """The person key of a typed person id expression."""
    return PERSON_HASH.replace("person_id", expression)


def person_ids_sql(engine: Engine, claim_lines: str) -> str:
    """The person ids (typed, as the rules see them) of the small input tables and of `claim_lines`."""
    selects = [f"SELECT person_id FROM {claim_lines}"]
    for table, columns in TABLES.items():
        if engine.columns(table) is not None:
            typed, _ = _typed_select(engine, table, {"person_id": columns["person_id"]})
            selects.append(f"SELECT person_id FROM ({typed}) {table}")
    return " UNION ".join(selects)


def hash_probe(engine: Engine) -> str:
    """What PERSON_KEY records: the key expression and this DuckDB's hash of a probe text."""
    return f"{PERSON_HASH} {engine.rows(_HASH_PROBE)[0][0]}"


def hashes_are_distinct(engine: Engine, person_ids: str) -> bool:
    """True when no two of the person ids `person_ids` selects share a hash."""
    row = engine.rows(f"SELECT count(DISTINCT person_id) = count(DISTINCT {PERSON_HASH}) FROM ({person_ids}) t")
    return bool(row and row[0][0])


def _keyed(engine: Engine, stored: bool) -> bool:
    """Whether this run keys people by hash (see PERSON_HASH)."""
    if engine.name != "duckdb":
        return False
    if stored:
        if engine.columns(EVENTS_PERSON_KEY) is None:
            return False
        return bool(engine.rows(f"SELECT key FROM {EVENTS_PERSON_KEY}") == [(hash_probe(engine),)])
    return hashes_are_distinct(engine, person_ids_sql(engine, "stg_claim_line"))


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
    digest.update(repr(_stored_parts("w", present)).encode())  # includes def_dx_class.sql
    for table in ("vs_codes", "vs_diagnoses"):
        for row in engine.rows(f"SELECT * FROM {table} ORDER BY ALL"):
            digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def stored_events_current(engine: Engine) -> bool:
    """True when a folder opened on `engine` (value sets loaded) has no medical claims or brings claim events that
    this code would read (every part, made with this SQL and these value sets)."""
    existing = engine.columns("medical_claim")
    if existing is None:
        return True
    return _stored_events(engine, [c for c in DIAGNOSIS_COLUMNS if c in existing])


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


# The stored per-claim rows (part `event_claim`) must aggregate a claim's lines exactly as def_claim does.
_CLAIM_COLLAPSE = ("max(claim_type) AS claim_type, min(claim_start_date) AS claim_start_date, "
                   "max(claim_end_date) AS claim_end_date, min(admission_date) AS admission_date, "
                   "max(discharge_date) AS discharge_date, max(bill_type) AS bill_type, max(admit_type) AS admit_type, "
                   "bool_or(ed_revenue) AS ed_revenue, bool_or(ed_pos) AS ed_pos, bool_or(ed_hcpcs) AS ed_hcpcs, "
                   "bool_or(crisis) AS crisis, bool_or(delivery_procedure) AS delivery_procedure, "
                   "bool_or(stay_bill) AS stay_bill, max(dx_1) AS dx_1, min(window_date) AS window_date")
# The stored condition facts: the columns def_condition reads, and their types (for the empty table of a scan).
CONDITION_FACT_COLUMNS = {"person_id": "VARCHAR", "value_set": "VARCHAR", "claim_id": "VARCHAR", "dx_date": "DATE",
                          "until_date": "DATE", "principal_date": "DATE", "principal_claim_id": "VARCHAR"}
# The stored office-visit facts (part `primary_care_fact`), as for the condition facts.
PRIMARY_CARE_FACT_COLUMNS = {"person_id": "VARCHAR", "visit_date": "DATE", "until_date": "DATE"}
# The stored ED visits (part `ed_visit_fact`), as for the condition facts: def_ed_visit's columns and the latest
# window date of the visit's claims.
ED_VISIT_FACT_COLUMNS = {"person_id": "VARCHAR", "visit_date": "DATE", "claim_id": "VARCHAR", "avoidable": "BOOLEAN",
                         "avoidable_claim_id": "VARCHAR", "smi_sud": "BOOLEAN", "smi_sud_claim_id": "VARCHAR",
                         "window_date": "DATE"}
# Each fact view the rules read: its stored part, its columns and the rows a run can use (empty on a scan).
_FACT_VIEWS = {"stg_condition_fact": ("condition_fact", CONDITION_FACT_COLUMNS, ""),
               "stg_primary_care_fact": ("primary_care_fact", PRIMARY_CARE_FACT_COLUMNS, ""),
               # the visits whose claims def_claim would hold on D (same window test as the claims)
               "stg_ed_visit_fact": ("ed_visit_fact", ED_VISIT_FACT_COLUMNS,
                                     "WHERE visit_date <= $as_of AND window_date > $as_of - INTERVAL 12 MONTH")}
# An ED claim, from a claim's type and OR-ed line flags (def_claim.sql writes the same test).
_IS_ED = "((claim_type = 'institutional' AND ed_revenue) OR (claim_type = 'professional' AND (ed_pos OR ed_hcpcs)))"
_DX_CLASS_SQL = Path(__file__).with_name("def_dx_class.sql")


# The stored eligibility spans, from the typed spans EVENTS_ELIGIBILITY (see PERSON_SPAN_COLUMNS).
_PERSON_SPANS = f"""
        WITH span AS (SELECT row_number() OVER () AS rid, * FROM {EVENTS_ELIGIBILITY})
        SELECT {", ".join(PERSON_SPAN_COLUMNS)},
               min(death_date) OVER (PARTITION BY person_id) AS death_on,
               person_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM span o
                   WHERE o.person_id = s.person_id AND o.rid <> s.rid
                     AND o.enrollment_start_date <= coalesce(s.enrollment_end_date, DATE '9999-12-31')
                     AND coalesce(o.enrollment_end_date, DATE '9999-12-31') >= s.enrollment_start_date) AS alone
        FROM span s"""


@dataclass(frozen=True)
class StoredEvents:
    """How a warehouse version's claim events are made from its every-date claim lines: temporary tables made
    first (in order), then each stored part's SELECT and the order its file is written in."""

    prepare: dict[str, str]
    parts: dict[str, tuple[str, str]]


def _stored_parts(source: str, present: list[str]) -> StoredEvents:
    """The claim events stored for every date, over the claim lines `source` (with window_date).

    - `event_claim`: one row per claim whose event lines share their start date, window date and claim type (so
      a look-back window takes all of them or none), aggregated as def_claim does; `event_line`: the lines of
      the other claims, which def_claim groups at run time.
    - `ed_visit_fact`: per person and date, the ED visit def_ed_visit makes of that date's ED claims (before its
      test for an admission, which needs def_stay), with the latest window date of those claims; only for people
      whose every ED claim is stored whole, dated on or before its window date, and no stay, crisis or delivery
      claim (`events_ed_odd_person` are the others). Their ED claims are left out of `event_claim`: for a visit
      dated in (D - 12 months, D] every claim of it is in def_claim's window, so the stored visit is the one
      def_ed_visit would group (it keeps only visits so dated; def_unplanned_stay also reads older visits whose
      claims reach into the window, as it reads def_claim's). The grouping must stay in step with def_ed_visit.sql
      (the every-rule-table test compares the two paths).
    - `primary_care_fact`: per person, each office-visit date with the next one (`until_date`, 9999-12-31 for
      the last), so the latest visit on or before D is the one row with visit_date <= D < until_date and
      def_primary_care needs no grouping; only for people whose every office-visit line starts on or before its
      window date. `primary_care`: one row per office-visit date of the others (grouped at run time).
    - `person_span`: each eligibility span of the version, with the person's earliest death date and whether
      it shares no day with another span of the person (see PERSON_SPAN_COLUMNS); read from EVENTS_ELIGIBILITY.
    - `condition_fact`: per person, value set and claim with a diagnosis in that (person-level) value set, in
      (date, claim id) order: the claim's date, `until_date` (the next claim's date; 9999-12-31 for the last)
      and the latest principal-diagnosis claim so far. The latest claim of a window (a, D] is then the one row
      dated in it with until_date > D, and def_condition needs no grouping. Only for people whose every
      condition claim carries one start date, on or before its window date; the diagnosis lines of the others
      (`line_diagnosis`: distinct by claim, date and position) are grouped by def_condition at run time.
    """
    skip = ", ".join(f"'{s}'" for s in EVENT_ONLY_DX_SETS)
    flags = f"WHERE ({_EVENT_FLAGS})"
    prepare = {
        "events_claim": f"SELECT person_id, claim_id, {_CLAIM_COLLAPSE} FROM {source} {flags} "
                        "GROUP BY person_id, claim_id HAVING person_id IS NOT NULL AND claim_id IS NOT NULL "
                        "AND count(DISTINCT (claim_start_date, window_date, claim_type)) = 1",
        "events_diagnosis": f"SELECT DISTINCT * FROM ({_diagnoses(source, present, ', window_date')}) d "
                            f"WHERE raw_code IN ({_condition_codes()})",
        "events_dx_class": _DX_CLASS_SQL.read_text(),
        "events_primary_care_odd": f"""
            SELECT DISTINCT person_id FROM {source}
            WHERE primary_care AND person_id IS NOT NULL AND NOT coalesce(window_date >= claim_start_date, false)""",
        # people whose ED visits are not stored whole (def_ed_visit groups their claims at run time): an ED line
        # on a claim not stored whole, or an ED claim that is also a stay, crisis or delivery claim (def_claim
        # keeps those) or whose window date is not on or after its start date
        "events_ed_odd_person": f"""
            SELECT person_id FROM {source} s
            WHERE (ed_revenue OR ed_pos OR ed_hcpcs) AND person_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM events_claim c WHERE c.person_id = s.person_id AND c.claim_id = s.claim_id)
            UNION
            SELECT person_id FROM events_claim
            WHERE {_IS_ED} AND (crisis OR delivery_procedure OR stay_bill
                                OR NOT coalesce(window_date >= claim_start_date, false))""",
        "events_grouped_person": """
            SELECT DISTINCT person_id FROM events_diagnosis GROUP BY person_id, claim_id
            HAVING claim_id IS NULL OR count(DISTINCT claim_start_date) <> 1 OR count(claim_start_date) <> count(*)
                OR NOT bool_and(coalesce(window_date >= claim_start_date, false))""",
    }
    facts = f"""
        WITH claim AS (
            SELECT d.person_id, d.claim_id, k.value_set, min(d.claim_start_date) AS dx_date,
                   bool_or(d.position = 1) AS principal
            FROM events_diagnosis d JOIN events_dx_class k ON k.raw_code = d.raw_code
            WHERE k.value_set NOT IN ({skip})
              AND NOT EXISTS (SELECT 1 FROM events_grouped_person g WHERE g.person_id = d.person_id)
            GROUP BY d.person_id, d.claim_id, k.value_set
        )
        SELECT person_id, value_set, claim_id, dx_date,
               coalesce(lead(dx_date) OVER w, DATE '9999-12-31') AS until_date,
               last_value(CASE WHEN principal THEN dx_date END IGNORE NULLS) OVER w AS principal_date,
               last_value(CASE WHEN principal THEN claim_id END IGNORE NULLS) OVER w AS principal_claim_id
        FROM claim
        WINDOW w AS (PARTITION BY person_id, value_set ORDER BY dx_date, claim_id
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"""
    columns = ", ".join(_EVENT_COLUMNS)
    # the ED claims stored as visits (and so left out of event_claim): every ED claim of the other people
    fact_ed = (f"coalesce({_IS_ED}, false) "
               "AND NOT EXISTS (SELECT 1 FROM events_ed_odd_person o WHERE o.person_id = c.person_id)")
    ed_visits = f"""
        WITH ed AS (
            SELECT person_id, claim_start_date, claim_id, window_date,
                   coalesce(dx_1 IN (SELECT raw_code FROM events_dx_class WHERE value_set = 'AVOIDABLE_ED'), false)
                     AS avoidable,
                   coalesce(dx_1 IN (SELECT raw_code FROM events_dx_class WHERE value_set IN ('SMI', 'SUD')), false)
                     AS smi_sud
            FROM events_claim c WHERE {fact_ed}
        )
        SELECT person_id, claim_start_date AS visit_date, min(claim_id) AS claim_id,
               bool_or(avoidable) AS avoidable, min(CASE WHEN avoidable THEN claim_id END) AS avoidable_claim_id,
               bool_or(smi_sud) AS smi_sud, min(CASE WHEN smi_sud THEN claim_id END) AS smi_sud_claim_id,
               max(window_date) AS window_date
        FROM ed GROUP BY person_id, claim_start_date"""
    parts = {
        "event_claim": (f"SELECT {columns}, window_date FROM events_claim c WHERE NOT ({fact_ed})", "window_date"),
        "ed_visit_fact": (ed_visits, "window_date, visit_date"),
        "event_line": (f"SELECT {columns}, window_date FROM {source} s {flags} AND NOT EXISTS "
                       "(SELECT 1 FROM events_claim c WHERE c.person_id = s.person_id AND c.claim_id = s.claim_id)",
                       "window_date"),
        "primary_care": (f"SELECT DISTINCT person_id, claim_start_date, window_date FROM {source} "
                         "WHERE primary_care AND person_id IN (SELECT person_id FROM events_primary_care_odd)",
                         "window_date"),
        "primary_care_fact": (f"""
            WITH day AS (
                SELECT DISTINCT person_id, claim_start_date AS visit_date FROM {source} s
                WHERE primary_care AND person_id IS NOT NULL AND claim_start_date IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM events_primary_care_odd o WHERE o.person_id = s.person_id)
            )
            SELECT person_id, visit_date,
                   coalesce(lead(visit_date) OVER (PARTITION BY person_id ORDER BY visit_date),
                            DATE '9999-12-31') AS until_date
            FROM day""", "until_date, visit_date"),
        "line_diagnosis": ("SELECT * FROM events_diagnosis "
                           "WHERE person_id IN (SELECT person_id FROM events_grouped_person)", "window_date"),
        # a run reads the rows still the latest on its date (until_date > D): sorted so, it skips the rest
        "condition_fact": (facts, "until_date, dx_date"),
        "person_span": (_PERSON_SPANS, ""),
    }
    return StoredEvents(prepare, parts)


def stored_events_sql(source: str, present: list[str]) -> StoredEvents:
    """How to write the stored claim-events parts from every-date claim lines `source`."""
    return _stored_parts(source, present)


def _scan_claim_lines(engine: Engine, as_of: date, present: list[str]) -> None:
    """`stg_claim_line`: the claim lines of the look-back window some rule can use, from one scan."""
    dx_columns = [f"dx_{i + 1}" for i in range(len(present))]
    columns = ", ".join(_LINE_COLUMNS + tuple(dx_columns or ["dx_1"]))
    scan = _events_template(present).replace("{window}", _SCAN_WINDOW)
    engine.create("stg_claim_line", f"SELECT {columns} FROM ({scan}) t", as_of)


def _select_list(columns: Iterable[str], keyed: bool) -> str:
    return ", ".join(f"{_person_key(c)} AS person_id" if c == "person_id" and keyed else c for c in columns)


def _create_claim_lines(engine: Engine, as_of: date, present: list[str], stored: bool, keyed: bool) -> None:
    """What the rules read of the claim lines, limited to the look-back window: `stg_event_claim` and
    `stg_event_line` (def_claim: whole claims, and lines to group by claim), `stg_primary_care_fact` and
    `stg_primary_care_day` (def_primary_care: facts, and visit days to group), `stg_condition_fact` and
    `stg_line_diagnosis` (def_condition: facts, and lines to group).
    Without stored events every line is in the `_line` tables, from `stg_claim_line`, and the claim and fact
    tables are empty; with them they are views over the stored narrow files (each reader scans only the columns
    it needs). person_id is the person key (see PERSON_HASH)."""
    events = _select_list(_EVENT_COLUMNS, keyed)
    if stored:
        window = f"WHERE {_EVENTS_WINDOW}"
        for name, part in (("stg_event_claim", "event_claim"), ("stg_event_line", "event_line")):
            engine.create(name, f"SELECT {events} FROM {EVENTS_PARTS[part]} {window}", as_of, view=True)
        engine.create("stg_primary_care_day", f"SELECT {_select_list(('person_id', 'claim_start_date'), keyed)} "
                                              f"FROM {EVENTS_PARTS['primary_care']} {window}", as_of, view=True)
        engine.create("stg_line_diagnosis", f"SELECT {_select_list(_DIAGNOSIS_COLUMNS, keyed)} "
                                            f"FROM {EVENTS_PARTS['line_diagnosis']} {window}", as_of, view=True)
        for name, (part, columns, rows) in _FACT_VIEWS.items():
            engine.create(name, f"SELECT {_select_list(columns, keyed)} FROM {EVENTS_PARTS[part]} {rows}", as_of,
                          view=True)
        return
    engine.create("stg_event_claim", f"SELECT {events} FROM stg_claim_line WHERE 1 = 0", view=True)
    engine.create("stg_event_line", f"SELECT {events} FROM stg_claim_line WHERE {_EVENT_FLAGS}", view=True)
    engine.create("stg_primary_care_day", f"SELECT {_select_list(('person_id', 'claim_start_date'), keyed)} "
                                          "FROM stg_claim_line WHERE primary_care", view=True)
    engine.create("stg_line_diagnosis", f"SELECT {_select_list(_DIAGNOSIS_COLUMNS, keyed)} "
                                        f"FROM ({_diagnoses('stg_claim_line', present)}) d", view=True)
    for name, (_, columns, _) in _FACT_VIEWS.items():
        empty = ", ".join(f"CAST(NULL AS {kind}) AS {column}" for column, kind in columns.items())
        engine.create(name, f"SELECT {_select_list(columns, keyed)} FROM (SELECT {empty}) f WHERE 1 = 0", view=True)
