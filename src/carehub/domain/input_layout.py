"""The plan data input layout as data: table names, columns, required columns, enumerated values, and which files
of a folder make up each table. Pure module (no Django, no DuckDB).

Source: ../shared/spec/input-layout.md (the contract). The Tuva tables (eligibility, medical_claim,
pharmacy_claim) use the Tuva Project claims input layer names; the others are CalAIM supplements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carehub.domain.network import PROVIDER_KINDS, PROVIDER_TYPES

__all__ = [
    "ASSESSMENT_KINDS", "CLAIM_TABLES", "CLAIM_TYPES", "COLUMNS", "FACILITY_TYPES", "FORMATS", "HOUSING_STATUSES",
    "InputLayoutError", "FolderScan", "NPI_DETAIL_PROGRAMS", "PROGRAMS", "PROVIDER_KINDS", "PROVIDER_TYPES",
    "REQUIRED_COLUMNS", "TABLE_NAMES", "discover_tables", "is_hidden", "scan_folder",
]

# input-layout.md, program_enrollment.program
PROGRAMS: tuple[str, ...] = (
    "WPC", "HHP", "ECM", "SMHS", "DMC_ODS", "DMC", "CCS", "CCS_WCM", "FOSTER_CARE", "ADOPTION_ASSISTANCE",
    "FAMILY_MAINTENANCE", "REGIONAL_CENTER", "HOSPICE", "PALLIATIVE_IOP", "TCM", "MSSP", "ALW", "HCBA",
    "HIV_AIDS_WAIVER", "DD_WAIVER", "SDP", "CAL_MEDICONNECT", "FIDE_SNP", "PACE", "FAMILY_MOSAIC", "CCT", "CCM",
    "BCM", "CHW", "NURSING_FACILITY",
)
# input-layout.md, program_enrollment: programs whose `detail` names a provider by NPI.
NPI_DETAIL_PROGRAMS: tuple[str, ...] = ("WPC", "HHP", "ECM", "SMHS", "DMC_ODS", "DMC", "CCS", "CCS_WCM")
# input-layout.md, housing_status.status
HOUSING_STATUSES: tuple[str, ...] = (
    "UNSHELTERED", "SHELTERED", "LACKS_NIGHTTIME_RESIDENCE", "EXITING_INSTITUTION", "IMMINENT_LOSS_30_DAYS",
    "FLEEING_VIOLENCE", "DOUBLED_UP", "MOTEL_OR_CAMPGROUND", "HOUSED",
)
# input-layout.md, incarceration.facility_type
FACILITY_TYPES: tuple[str, ...] = ("PRISON", "JAIL", "YOUTH")
# input-layout.md, assessment.kind
ASSESSMENT_KINDS: tuple[str, ...] = (
    "ACES_SCORE", "SNF_LEVEL_OF_CARE", "CAN_RESIDE_IN_COMMUNITY", "HIGH_RISK_INSTITUTIONALIZATION",
    "HIGH_RISK_OVERDOSE", "HIGH_RISK_SUICIDE", "LAW_ENFORCEMENT_CONTACT", "MH_CRISIS_CONTACT", "HRA",
    "SELF_MANAGES_WELL", "UNSAFE_BEHAVIOR", "UNSAFE_ENVIRONMENT",
)
# input-layout.md, medical_claim.claim_type (Tuva)
CLAIM_TYPES: tuple[str, ...] = ("professional", "institutional")
# provider.kind and provider.provider_type come from carehub.domain.network (PROVIDER_KINDS, PROVIDER_TYPES).

_DX = tuple(f"diagnosis_code_{i}" for i in range(1, 26))
_POA = tuple(f"diagnosis_poa_{i}" for i in range(1, 26))
_PX = tuple(f"procedure_code_{i}" for i in range(1, 26))

# Every column of each table, in the order of input-layout.md. Unknown extra columns in a file are ignored.
COLUMNS: dict[str, tuple[str, ...]] = {
    "eligibility": (
        "person_id", "member_id", "birth_date", "enrollment_start_date", "enrollment_end_date", "gender", "race",
        "ethnicity", "death_date", "payer", "plan", "first_name", "last_name", "address", "city", "state",
        "zip_code", "phone", "email", "dual_status_code", "hospice_flag", "long_term_institutional_flag",
        "data_source", "county", "preferred_language", "aid_code", "pcp_npi", "cal_mediconnect_flag",
    ),
    "provider": (
        "npi", "name", "kind", "provider_type", "counties", "populations", "supports", "languages", "capacity",
        "tin", "phone", "email", "address",
    ),
    "program_enrollment": ("person_id", "program", "start_date", "end_date", "source", "detail"),
    "housing_status": ("person_id", "status", "start_date", "end_date", "source", "household_with_minors"),
    "incarceration": (
        "person_id", "facility_type", "admission_date", "release_date", "expected_release_date", "source",
    ),
    "assessment": ("person_id", "kind", "value", "assessed_on", "source"),
    "medical_claim": (
        "claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date", "claim_end_date",
        "admission_date", "discharge_date", "admit_type_code", "admit_source_code", "discharge_disposition_code",
        "place_of_service_code", "bill_type_code", "revenue_center_code", "hcpcs_code",
        *(f"hcpcs_modifier_{i}" for i in range(1, 6)), "rendering_npi", "billing_npi", "facility_npi",
        "paid_amount", "allowed_amount", "diagnosis_code_type", *_DX, *_POA, "procedure_code_type", *_PX,
        "data_source",
    ),
    "pharmacy_claim": (
        "claim_id", "claim_line_number", "person_id", "dispensing_date", "ndc_code", "prescribing_provider_npi",
        "dispensing_provider_npi", "quantity", "days_supply", "paid_amount", "data_source",
    ),
}
# Columns that every file of the table must have. input-layout.md also lists eligibility.enrollment_end_date as
# required, but an open span leaves it empty, so CareHub accepts a file without that column (all spans open).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "eligibility": ("person_id", "member_id", "birth_date", "enrollment_start_date"),
    "provider": ("npi", "name", "kind"),
    "program_enrollment": ("person_id", "program", "start_date"),
    "housing_status": ("person_id", "status", "start_date"),
    "incarceration": ("person_id", "facility_type"),
    "assessment": ("person_id", "kind", "assessed_on"),
    "medical_claim": ("claim_id", "claim_line_number", "claim_type", "person_id", "claim_start_date"),
    "pharmacy_claim": ("claim_id", "claim_line_number", "person_id", "dispensing_date", "ndc_code"),
}
# Table names; eligibility first (every other table's person_id refers to it).
TABLE_NAMES: tuple[str, ...] = tuple(COLUMNS)
CLAIM_TABLES: tuple[str, ...] = ("medical_claim", "pharmacy_claim")
FORMATS: tuple[str, ...] = ("csv", "parquet")  # chosen by file extension


class InputLayoutError(ValueError):
    """A plan data folder that cannot be read as the input layout (the message names the folder entry)."""


@dataclass
class FolderScan:
    """What a plan data folder holds: files and format per table, problems found, and names ignored."""

    tables: dict[str, list[Path]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)  # table -> csv | parquet
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def is_hidden(path: Path | str) -> bool:
    """Names starting with `_` or `.` are not data (e.g. `_SUCCESS`, `.DS_Store`, `_delta_log/`)."""
    return Path(path).name.startswith(("_", "."))


def scan_folder(folder: Path) -> FolderScan:
    """Find the tables of a plan data folder (input-layout.md, opening paragraph).

    A table is `<table>.csv` / `<table>.parquet`, or a folder `<table>/` whose part files (searched recursively,
    hidden names skipped) are all .csv or all .parquet. Entries that are not tables of the layout are listed in
    `ignored`; a table given twice or a folder without usable part files is a problem. Raises InputLayoutError
    when the folder itself cannot be read.
    """
    folder = Path(folder)
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        raise InputLayoutError(f"{folder}: no such folder") from None
    except NotADirectoryError:
        raise InputLayoutError(f"{folder}: not a folder") from None
    except OSError as exc:
        raise InputLayoutError(f"{folder}: the folder cannot be read ({exc.strerror})") from None
    scan = FolderScan()
    for entry in entries:
        if is_hidden(entry):
            continue
        if entry.is_dir():
            name = entry.name
            try:
                parts = sorted(p for p in entry.rglob("*") if p.is_file() and not any(
                    is_hidden(q) for q in p.relative_to(entry).parts))
            except OSError as exc:
                scan.problems.append(f"{name}/: the folder cannot be read ({exc.strerror})")
                continue
            if name not in COLUMNS:
                scan.ignored.append(name + "/")
                continue
            fmts = {p.suffix.lower().lstrip(".") for p in parts}
            if not parts:
                scan.problems.append(f"{name}/: the folder has no part files")
                continue
            if len(fmts) != 1 or not fmts <= set(FORMATS):
                scan.problems.append(f"{name}/: part files must all be .csv or all be .parquet")
                continue
            fmt = fmts.pop()
        else:
            name, fmt = entry.stem, entry.suffix.lower().lstrip(".")
            parts = [entry]
            if fmt not in FORMATS or name not in COLUMNS:
                scan.ignored.append(entry.name)
                continue
        if name in scan.tables:
            scan.problems.append(f"{entry.name}: table {name} is given more than once")
            continue
        scan.tables[name] = parts
        scan.formats[name] = fmt
    return scan


def discover_tables(folder: Path) -> dict[str, list[Path]]:
    """Table name -> its files (one file, or the sorted part files of a folder), for the tables of the input
    layout present in `folder`. Other entries are ignored. Raises InputLayoutError for a folder that cannot be
    read, a table given twice, or a table folder without part files of one format."""
    scan = scan_folder(folder)
    if scan.problems:
        raise InputLayoutError("; ".join(scan.problems))
    return scan.tables
