"""What assignment reads from a plan data folder (spec/input-layout.md), with DuckDB, for the members of a batch.

- provider: every provider; kind ECM counts as contracted and `capacity` is what it has left (issue 5).
- eligibility: the span covering the as-of date (latest start wins): county, preferred_language, pcp_npi.
- program_enrollment started on or before the as-of date, whose `detail` names a provider by NPI: WPC, HHP and ECM
  (existing relationship), CCS / CCS_WCM covering the date (CCS case manager), SMHS / DMC_ODS / DMC (behavioral
  health provider); most recent start first.
- medical_claim: the billing NPI of the member's most recent claim in the last 12 months whose principal
  diagnosis (diagnosis_code_1) is a mental health or SUD diagnosis (value sets MENTAL_ILLNESS, SMI and SUD of
  carehub/domain/populations/valuesets/diagnoses.csv, spec/populations-of-focus.md "Shared definitions").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from carehub.domain.assignment.members_file import MemberRequest
from carehub.domain.assignment.policy import (
    MemberCase,
    Provider,
    experienced_populations,
    normalize_county,
    normalize_language,
)
from carehub.domain.input_layout import discover_tables

__all__ = ["BEHAVIORAL_HEALTH_LOOKBACK_MONTHS", "read_batch", "read_providers"]

DIAGNOSES_CSV = Path(__file__).parents[1] / "populations" / "valuesets" / "diagnoses.csv"
BH_VALUE_SETS = ("MENTAL_ILLNESS", "SMI", "SUD")
_TABLES = ("provider", "eligibility", "program_enrollment", "medical_claim")
BEHAVIORAL_HEALTH_LOOKBACK_MONTHS = 12  # the SMHS / DMC criteria window of spec/populations-of-focus.md


@dataclass
class _Facts:
    county: str = ""
    language: str = ""
    pcp_npi: str = ""
    relationships: list[str] = field(default_factory=list)
    ccs: list[str] = field(default_factory=list)
    behavioral_health: list[str] = field(default_factory=list)


def _split(value: object) -> list[str]:
    return [v.strip() for v in str(value or "").split(";") if v.strip()]


def _view(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> set[str]:
    """Create view `t_<table>` over the table's files; return its column names."""
    paths = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"  # views take no parameters
    if files[0].suffix.lower() == ".csv":
        con.execute(f"CREATE VIEW t_{table} AS SELECT * FROM read_csv({paths}, header=true, all_varchar=true, "
                    "union_by_name=true)")
    else:
        con.execute(f"CREATE VIEW t_{table} AS SELECT * FROM read_parquet({paths}, union_by_name=true)")
    return {r[0] for r in con.execute(f"DESCRIBE t_{table}").fetchall()}


def _col(columns: set[str], name: str, cast: str = "VARCHAR") -> str:
    """A column as text (or a date), NULL when the file does not have it."""
    if name not in columns:
        return f"CAST(NULL AS {cast})"
    if cast == "DATE":
        return f"TRY_CAST(CAST({name} AS VARCHAR) AS DATE)"
    return f"NULLIF(trim(CAST({name} AS VARCHAR)), '')"


def read_providers(con: duckdb.DuckDBPyConnection, columns: set[str]) -> dict[str, Provider]:
    """Providers of view t_provider by NPI."""
    cols = ", ".join(_col(columns, c) for c in (
        "npi", "name", "kind", "provider_type", "counties", "populations", "languages", "capacity"))
    providers: dict[str, Provider] = {}
    for npi, name, kind, ptype, counties, populations, languages, capacity in con.execute(
            f"SELECT {cols} FROM t_provider WHERE npi IS NOT NULL ORDER BY 1").fetchall():
        try:
            left = max(int(float(capacity)), 0) if capacity else None
        except ValueError:
            left = None
        providers[npi] = Provider(
            npi=npi, name=name or "", kind=(kind or "").upper(), provider_type=ptype or "",
            counties=frozenset(normalize_county(c) for c in _split(counties)),
            populations=frozenset(_split(populations)),
            languages=frozenset(normalize_language(v) for v in _split(languages)),
            capacity=left, experienced_populations=experienced_populations(ptype or ""),
        )
    return providers


def read_batch(data: Path, as_of: date, requests: Sequence[MemberRequest]) -> tuple[list[MemberCase],
                                                                                    dict[str, Provider]]:
    """The batch's members with the facts each rule reads, and the network, from the plan data folder `data`."""
    tables = discover_tables(data)
    con = duckdb.connect()
    try:
        con.register("batch", pa.table({"person_id": [r.person_id for r in requests]}))
        columns = {t: _view(con, t, files) for t, files in tables.items() if t in _TABLES}
        providers = read_providers(con, columns["provider"]) if "provider" in columns else {}
        facts: dict[str, _Facts] = {r.person_id: _Facts() for r in requests}
        if "eligibility" in columns:
            c = columns["eligibility"]
            rows = con.execute(f"""
                SELECT person_id, county, language, pcp FROM (
                    SELECT CAST(e.person_id AS VARCHAR) AS person_id, {_col(c, 'county')} AS county,
                           {_col(c, 'preferred_language')} AS language, {_col(c, 'pcp_npi')} AS pcp,
                           row_number() OVER (PARTITION BY e.person_id
                               ORDER BY {_col(c, 'enrollment_start_date', 'DATE')} DESC) AS n
                    FROM t_eligibility e JOIN batch b ON b.person_id = CAST(e.person_id AS VARCHAR)
                    WHERE {_col(c, 'enrollment_start_date', 'DATE')} <= $d
                      AND coalesce({_col(c, 'enrollment_end_date', 'DATE')}, DATE '9999-12-31') >= $d
                      AND coalesce({_col(c, 'death_date', 'DATE')}, DATE '9999-12-31') > $d)
                WHERE n = 1""", {"d": as_of}).fetchall()
            for person_id, county, language, pcp in rows:
                f = facts[person_id]
                f.county, f.language, f.pcp_npi = county or "", language or "", pcp or ""
        if "program_enrollment" in columns:
            c = columns["program_enrollment"]
            rows = con.execute(f"""
                SELECT CAST(p.person_id AS VARCHAR), upper({_col(c, 'program')}), {_col(c, 'detail')},
                       {_col(c, 'end_date', 'DATE')} AS end_date
                FROM t_program_enrollment p JOIN batch b ON b.person_id = CAST(p.person_id AS VARCHAR)
                WHERE {_col(c, 'start_date', 'DATE')} <= $d AND {_col(c, 'detail')} IS NOT NULL
                  AND upper({_col(c, 'program')}) IN ('WPC', 'HHP', 'ECM', 'CCS', 'CCS_WCM', 'SMHS', 'DMC_ODS', 'DMC')
                ORDER BY {_col(c, 'start_date', 'DATE')} DESC, 2, 3""", {"d": as_of}).fetchall()
            for person_id, program, detail, end_date in rows:
                f = facts[person_id]
                if program in ("WPC", "HHP", "ECM"):
                    f.relationships.append(detail)
                elif program in ("CCS", "CCS_WCM"):
                    if end_date is None or end_date >= as_of:
                        f.ccs.append(detail)
                else:
                    f.behavioral_health.append(detail)
        claim_npis = _behavioral_health_claims(con, columns.get("medical_claim"), as_of)
    finally:
        con.close()
    members = []
    for r in requests:
        f = facts[r.person_id]
        previous = [r.previous_provider_npi] if r.previous_provider_npi else []
        bh = claim_npis.get(r.person_id, [])
        members.append(MemberCase(
            person_id=r.person_id, population=r.population, county=f.county, language=f.language,
            preferred_npi=r.preferred_provider_npi, previous_npis=tuple(dict.fromkeys(previous + f.relationships)),
            ccs_case_manager_npis=tuple(dict.fromkeys(f.ccs)),
            behavioral_health_npis=tuple(dict.fromkeys(bh + f.behavioral_health)), pcp_npi=f.pcp_npi,
        ))
    return members, providers


def _behavioral_health_claims(con: duckdb.DuckDBPyConnection, c: set[str] | None, as_of: date) -> dict[str, list[str]]:
    """person_id -> [billing NPI of the most recent claim with a mental health or SUD principal diagnosis]."""
    if not c or "diagnosis_code_1" not in c or "billing_npi" not in c:
        return {}
    con.execute("""CREATE TEMP TABLE bh_prefix AS
        SELECT upper(trim(value_set)) AS value_set, upper(replace(trim(code_prefix), '.', '')) AS prefix,
               coalesce(TRY_CAST(lower(trim(exclude)) AS BOOLEAN), false) AS exclude
        FROM read_csv(?, header=true, all_varchar=true) WHERE upper(trim(value_set)) IN ?""",
                [str(DIAGNOSES_CSV), list(BH_VALUE_SETS)])
    rows = con.execute(f"""
        WITH claims AS (
            SELECT CAST(m.person_id AS VARCHAR) AS person_id, {_col(c, 'billing_npi')} AS npi,
                   {_col(c, 'claim_start_date', 'DATE')} AS start_date, CAST(m.claim_id AS VARCHAR) AS claim_id,
                   upper(replace({_col(c, 'diagnosis_code_1')}, '.', '')) AS dx
            FROM t_medical_claim m JOIN batch b ON b.person_id = CAST(m.person_id AS VARCHAR)
            WHERE {_col(c, 'claim_start_date', 'DATE')} <= $d
              AND {_col(c, 'claim_start_date', 'DATE')} > $d - INTERVAL {BEHAVIORAL_HEALTH_LOOKBACK_MONTHS} MONTH),
        bh AS (
            SELECT DISTINCT k.person_id, k.npi, k.start_date, k.claim_id FROM claims k
            JOIN bh_prefix i ON NOT i.exclude AND starts_with(k.dx, i.prefix)
            WHERE k.npi IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bh_prefix x WHERE x.exclude
                  AND x.value_set = i.value_set AND starts_with(k.dx, x.prefix)))
        SELECT person_id, arg_max(npi, (start_date, claim_id, npi)) FROM bh GROUP BY person_id""",
                       {"d": as_of}).fetchall()
    return {person_id: [npi] for person_id, npi in rows}
