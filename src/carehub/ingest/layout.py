"""The plan data folder as CareHub reads it: which tables, which columns, and how each column is checked.

Source: ../shared/spec/input-layout.md (the contract). Lengths of text columns follow the operational models
(carehub.apps.members / providers), so whatever passes validation also fits the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carehub.domain.input_layout import (
    ASSESSMENT_KINDS,
    CLAIM_TYPES,
    FACILITY_TYPES,
    HOUSING_STATUSES,
    NPI_DETAIL_PROGRAMS,
    PROGRAMS,
    PROVIDER_KINDS,
    PROVIDER_TYPES,
    InputLayoutError,
    scan_folder,
)


@dataclass(frozen=True)
class Col:
    """One column of an input table.

    kind: str | date | int | decimal | bool. check: a code format from carehub.ingest.codes (icd10, hcpcs, npi,
    revenue, bill_type, pos, ndc) or "enum" with `values`.
    """

    name: str
    kind: str = "str"
    required: bool = False
    max_len: int | None = None
    check: str | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Col, ...]
    key: tuple[str, ...] = ()  # natural key: duplicates are an error (claims: deduplicated instead)
    claims: bool = False
    person_ref: bool = True  # person_id must exist in eligibility
    extra: tuple[tuple[str, str], ...] = field(default=())  # (SQL condition that flags a bad row, message)

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _s(name: str, n: int = 60, **kw: object) -> Col:
    return Col(name, "str", max_len=n, **kw)  # type: ignore[arg-type]


def _d(name: str, required: bool = False) -> Col:
    return Col(name, "date", required=required)


PERSON = _s("person_id", 64, required=True)

ELIGIBILITY = Table("eligibility", (
    PERSON, _s("member_id", 32, required=True), _d("birth_date", True), _d("enrollment_start_date", True),
    _d("enrollment_end_date"), _s("gender", 20), _s("race", 60), _s("ethnicity", 60), _d("death_date"),
    _s("payer"), _s("plan"), _s("first_name", 100), _s("last_name", 100), _s("address", 200), _s("city", 80),
    _s("state", 2), _s("zip_code", 10), _s("phone", 30), _s("email", 120), _s("dual_status_code", 4),
    _s("hospice_flag", 10), _s("long_term_institutional_flag", 10), _s("data_source"), _s("county", 40),
    _s("preferred_language", 40), _s("aid_code", 4), Col("pcp_npi", check="npi"), _s("cal_mediconnect_flag", 10),
), key=("person_id", "enrollment_start_date", "payer", "plan"), person_ref=False)

MEDICAL_CLAIM = Table("medical_claim", (
    _s("claim_id", 64, required=True), Col("claim_line_number", "int", required=True),
    Col("claim_type", required=True, check="enum", values=CLAIM_TYPES), PERSON, _d("claim_start_date", True),
    _d("claim_end_date"), _d("admission_date"), _d("discharge_date"), _s("admit_type_code", 2),
    _s("admit_source_code", 2), _s("discharge_disposition_code", 2), Col("place_of_service_code", check="pos"),
    Col("bill_type_code", check="bill_type"), Col("revenue_center_code", check="revenue"),
    Col("hcpcs_code", check="hcpcs"), *(_s(f"hcpcs_modifier_{i}", 2) for i in range(1, 6)),
    Col("rendering_npi", check="npi"), Col("billing_npi", check="npi"), Col("facility_npi", check="npi"),
    Col("paid_amount", "decimal"), Col("allowed_amount", "decimal"), _s("diagnosis_code_type", 20),
    *(Col(f"diagnosis_code_{i}", check="icd10") for i in range(1, 26)),
    *(_s(f"diagnosis_poa_{i}", 1) for i in range(1, 26)), _s("procedure_code_type", 20),
    *(_s(f"procedure_code_{i}", 7) for i in range(1, 26)), _s("data_source"),
), key=("claim_id", "claim_line_number"), claims=True)

PHARMACY_CLAIM = Table("pharmacy_claim", (
    _s("claim_id", 64, required=True), Col("claim_line_number", "int", required=True), PERSON,
    _d("dispensing_date", True), Col("ndc_code", required=True, check="ndc"),
    Col("prescribing_provider_npi", check="npi"), Col("dispensing_provider_npi", check="npi"),
    Col("quantity", "decimal"), Col("days_supply", "int"), Col("paid_amount", "decimal"), _s("data_source"),
), key=("claim_id", "claim_line_number"), claims=True)

PROGRAM_ENROLLMENT = Table("program_enrollment", (
    PERSON, Col("program", required=True, check="enum", values=PROGRAMS), _d("start_date", True),
    _d("end_date"), _s("source"), _s("detail"),
), key=("person_id", "program", "start_date"), extra=(
    (f"program IN {NPI_DETAIL_PROGRAMS!r} AND detail IS NOT NULL AND NOT regexp_full_match(detail, '[0-9]{{10}}')",
     "detail of this program must be the provider's NPI (10 digits) or empty"),
))

HOUSING_STATUS = Table("housing_status", (
    PERSON, Col("status", required=True, check="enum", values=HOUSING_STATUSES), _d("start_date", True),
    _d("end_date"), _s("source"), Col("household_with_minors", "bool"),
), key=("person_id", "status", "start_date"))

INCARCERATION = Table("incarceration", (
    PERSON, Col("facility_type", required=True, check="enum", values=FACILITY_TYPES), _d("admission_date"),
    _d("release_date"), _d("expected_release_date"), _s("source"),
), key=("person_id", "facility_type", "admission_date"))

ASSESSMENT = Table("assessment", (
    PERSON, Col("kind", required=True, check="enum", values=ASSESSMENT_KINDS), Col("value", max_len=100_000),
    _d("assessed_on", True), _s("source"),
), key=("person_id", "kind", "assessed_on"), extra=(
    ("kind = 'ACES_SCORE' AND TRY_CAST(value AS INTEGER) IS NULL", "an ACES_SCORE value must be an integer"),
    ("kind NOT IN ('ACES_SCORE', 'HRA') AND lower(coalesce(value, 'true')) NOT IN ('true', 'false')",
     "the value of this kind must be true or false"),
))

PROVIDER = Table("provider", (
    Col("npi", required=True, check="npi"), _s("name", 200, required=True),
    Col("kind", required=True, check="enum", values=PROVIDER_KINDS),
    Col("provider_type", check="enum", values=tuple(PROVIDER_TYPES)), _s("counties", 2000),
    _s("populations", 2000), _s("supports", 2000), _s("languages", 2000), Col("capacity", "int"), _s("tin", 9),
    _s("phone", 30), _s("email", 120), _s("address", 200),
), key=("npi",), person_ref=False)

# Validation and load order: eligibility first (every other table refers to it).
TABLES: dict[str, Table] = {t.name: t for t in (
    ELIGIBILITY, PROVIDER, PROGRAM_ENROLLMENT, HOUSING_STATUS, INCARCERATION, ASSESSMENT, MEDICAL_CLAIM,
    PHARMACY_CLAIM)}


@dataclass
class TableFiles:
    """The files of one table found in the folder (one file, or the part files of a folder)."""

    table: Table
    files: list[Path]
    fmt: str  # csv | parquet


def discover(folder: Path) -> tuple[dict[str, TableFiles], list[str], list[str]]:
    """Find the tables of a plan data folder. Returns (tables, problems, ignored names)."""
    try:
        scan = scan_folder(folder)
    except InputLayoutError as exc:
        return {}, [str(exc)], []
    found = {name: TableFiles(TABLES[name], files, scan.formats[name]) for name, files in scan.tables.items()}
    problems = list(scan.problems)
    if "eligibility" not in found:
        problems.append("eligibility: the folder has no eligibility table (every person_id must be enrolled)")
    return found, problems, scan.ignored
