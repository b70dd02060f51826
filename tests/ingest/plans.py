"""Hand-built plan data folders for the load tests (no synthesizer): a small base plan and a writer."""

from __future__ import annotations

import copy
import csv
import hashlib
from pathlib import Path
from typing import Any

import duckdb
from django.forms.models import model_to_dict

from carehub.apps.audit.models import AuditEvent
from carehub.apps.members.models import (
    Assessment,
    CareRelationship,
    EligibilitySpan,
    HousingEpisode,
    Incarceration,
    Member,
    PcpAssignment,
    ProgramEnrollment,
)
from carehub.apps.providers.models import ProviderOrganization, ProviderSite
from carehub.paths import warehouse_dir

Rows = list[dict[str, Any]]

# Valid NPIs (Luhn with the 80840 prefix): 1234567893, 1245319599, 1003000126.
PCP_NPI, ECM_NPI, CLINIC_NPI = "1234567893", "1245319599", "1003000126"

BASE: dict[str, Rows] = {
    "eligibility": [
        dict(person_id="P1", member_id="91000001A", birth_date="1980-01-02", enrollment_start_date="2023-01-01",
             enrollment_end_date="2023-12-31", first_name="Ana", last_name="Old", county="Los Angeles",
             pcp_npi=PCP_NPI, payer="medi-cal", plan="A"),
        dict(person_id="P1", member_id="91000001A", birth_date="1980-01-02", enrollment_start_date="2024-01-01",
             enrollment_end_date="", first_name="Ana", last_name="Lopez", county="Orange", pcp_npi=PCP_NPI,
             payer="medi-cal", plan="A"),
        dict(person_id="P2", member_id="91000002A", birth_date="1990-05-06", enrollment_start_date="2024-01-01",
             enrollment_end_date="2024-06-30", first_name="Ben", last_name="Kim", county="Fresno", pcp_npi="",
             payer="medi-cal", plan="A"),
    ],
    "provider": [
        dict(npi=ECM_NPI, name="Acme ECM", kind="ECM", provider_type="FQHC", address="1 Main St, Los Angeles",
             counties="Los Angeles;Orange", populations="ADULT_HOMELESS", capacity="40"),
        dict(npi=PCP_NPI, name="Dr. Primary", kind="PCP", provider_type="", address="", counties="", populations="",
             capacity=""),
    ],
    "program_enrollment": [
        dict(person_id="P1", program="WPC", start_date="2021-01-01", end_date="2021-12-31", source="dhcs",
             detail=ECM_NPI),
        dict(person_id="P2", program="FOSTER_CARE", start_date="2010-01-01", end_date="", source="county",
             detail=""),
    ],
    "housing_status": [
        dict(person_id="P1", status="UNSHELTERED", start_date="2024-02-01", end_date="", source="hmis",
             household_with_minors="false"),
    ],
    "incarceration": [
        dict(person_id="P2", facility_type="JAIL", admission_date="2023-01-05", release_date="2023-03-01",
             expected_release_date="", source="sheriff"),
    ],
    "assessment": [
        dict(person_id="P1", kind="ACES_SCORE", value="5", assessed_on="2024-02-10", source="pcp"),
        dict(person_id="P2", kind="HIGH_RISK_OVERDOSE", value="true", assessed_on="2024-03-10", source="sud"),
    ],
    "medical_claim": [
        dict(claim_id="C1", claim_line_number="1", claim_type="professional", person_id="P1",
             claim_start_date="2024-03-01", diagnosis_code_1="Z59.01", hcpcs_code="99213", paid_amount="10.50",
             place_of_service_code="11", rendering_npi=PCP_NPI, revenue_center_code="", bill_type_code=""),
        dict(claim_id="C1", claim_line_number="2", claim_type="professional", person_id="P1",
             claim_start_date="2024-03-01", diagnosis_code_1="I10", hcpcs_code="G9008", paid_amount="",
             place_of_service_code="11", rendering_npi="", revenue_center_code="", bill_type_code=""),
        dict(claim_id="C2", claim_line_number="1", claim_type="institutional", person_id="P2",
             claim_start_date="2024-04-01", diagnosis_code_1="F1020", hcpcs_code="", paid_amount="100",
             place_of_service_code="", rendering_npi="", revenue_center_code="0450", bill_type_code="131"),
    ],
    "pharmacy_claim": [
        dict(claim_id="R1", claim_line_number="1", person_id="P1", dispensing_date="2024-03-02",
             ndc_code="00002143380", days_supply="30", paid_amount="4.20"),
    ],
}


def base_plan() -> dict[str, Rows]:
    return copy.deepcopy(BASE)


def write_csv(path: Path, rows: Rows, columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0] if rows else BASE[path.stem.split(".")[0]][0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_parquet(path: Path, rows: Rows, select: str = "*") -> Path:
    """Parquet with text columns, converted from a CSV by DuckDB (all_varchar keeps values as written), or with
    the columns `select` makes of them."""
    csv_path = write_csv(path.with_suffix(".tmp.csv"), rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT {select} FROM read_csv('{csv_path}', all_varchar=true)) TO '{path}' (FORMAT parquet)")
    con.close()
    csv_path.unlink()
    return path


def write_typed_parquet(path: Path, rows: Rows) -> Path:
    """Parquet typed as a plan's system would write it (DATE, INTEGER, DECIMAL(12,2), BOOLEAN; empty text as
    NULL), text values kept as written: what a load may store as it is."""
    from carehub.ingest.layout import TABLES

    kinds = {c.name: c.kind for c in TABLES[path.stem.split(".")[0]].columns}
    sql_type = {"date": "DATE", "int": "INTEGER", "decimal": "DECIMAL(12, 2)", "bool": "BOOLEAN"}
    select = ", ".join(f'CAST(NULLIF("{c}", \'\') AS {sql_type[kinds[c]]}) AS "{c}"' if kinds.get(c, "str") != "str"
                       else f'"{c}"' for c in rows[0])
    return write_parquet(path, rows, select)


def write_plan(folder: Path, tables: dict[str, Rows], fmt: str = "csv") -> Path:
    """Write each table as `<name>.<ext>` in `folder` (created); fmt csv, parquet (text columns) or typed (Parquet
    typed as a plan's system writes it)."""
    folder.mkdir(parents=True, exist_ok=True)
    writers = {"csv": (write_csv, "csv"), "parquet": (write_parquet, "parquet"),
               "typed": (write_typed_parquet, "parquet")}
    for name, rows in tables.items():
        writer, ext = writers[fmt]
        writer(folder / f"{name}.{ext}", rows)
    return folder


LOADED_MODELS = (Member, EligibilitySpan, PcpAssignment, ProgramEnrollment, HousingEpisode, Incarceration,
                 Assessment, CareRelationship, ProviderOrganization, ProviderSite)


def db_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every loaded row, with its id, in id order: equal snapshots mean nothing was inserted, changed or removed."""
    snap = {m.__name__: [model_to_dict(o) | {"id": o.pk} for o in m.objects.order_by("pk")] for m in LOADED_MODELS}
    snap["audit_events"] = [{"count": AuditEvent.objects.count()}]
    return snap


def warehouse_snapshot() -> dict[str, str]:
    """CURRENT and a digest of every file under the warehouse."""
    root = warehouse_dir()
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def warehouse_rows(table: str) -> list[tuple]:
    """The live warehouse table's rows, sorted (content, whatever the file layout)."""
    from carehub.warehouse import current_version_dir, table_sql

    version = current_version_dir()
    con = duckdb.connect()
    rows_sql = table_sql(con, version, table) if version else None
    rows = con.execute(f"SELECT * FROM ({rows_sql}) ORDER BY ALL").fetchall() if rows_sql else []
    con.close()
    return rows
