"""Provider network vocabularies and the plan's network policy: contract and enrollment statuses, readiness
(seed 002), contracting exceptions (seed 000 II.b, III.c; seed 004 VI.G.2.a), evidence file checks."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

# input layout: provider.kind (../shared/spec/input-layout.md, "provider (network)")
PROVIDER_KINDS: tuple[str, ...] = ("ECM", "CS", "PCP", "BH", "CCS_CASE_MANAGEMENT", "OTHER")

# ECM provider types of the Model of Care, seed 000 section IV.1.b.iii (a) to (n).
PROVIDER_TYPES: dict[str, str] = {
    "COUNTY": "County",
    "COUNTY_BEHAVIORAL_HEALTH": "County behavioral health provider",
    "PCP_SPECIALIST_GROUP": "Primary care physician, specialist or physician group",
    "FQHC": "Federally Qualified Health Center",
    "COMMUNITY_HEALTH_CENTER": "Community health center",
    "HOSPITAL": "Hospital or hospital-based physician group or clinic",
    "RHC_IHS": "Rural Health Clinic / Indian Health Service program",
    "LOCAL_HEALTH_DEPARTMENT": "Local health department",
    "BEHAVIORAL_HEALTH_ENTITY": "Behavioral health entity",
    "COMMUNITY_MENTAL_HEALTH_CENTER": "Community mental health center",
    "SUD_TREATMENT": "Substance use disorder treatment provider",
    "HOMELESSNESS_ORGANIZATION": "Organization serving individuals experiencing homelessness",
    "JUSTICE_ORGANIZATION": "Organization serving justice-involved individuals",
    "OTHER": "Other qualified provider or entity",
}


# ---- the plan's record of a provider: contract, enrollment or vetting ------------------------------------------

# Where the plan stands with a provider's contract. Only ACTIVE providers (or providers without a network record,
# as loaded from provider.csv where every ECM provider counts as contracted) are assigned members (issue 5:
# "a provider qualifies when it is a contracted ECM provider").
CONTRACT_STATUSES: dict[str, str] = {
    "PROSPECTIVE": "Prospective (readiness under way)",
    "NEGOTIATING": "In negotiation",
    "ACTIVE": "Contracted",
    "SUSPENDED": "Suspended",
    "TERMINATED": "Terminated",
    "NOT_CONTRACTED": "Not contracted",
}
ASSIGNABLE_CONTRACT_STATUSES: frozenset[str] = frozenset({"ACTIVE"})
# Provider relations see contracts that end within this many days flagged on the network list.
CONTRACT_ENDING_SOON_DAYS = 60


def contract_in_force(status: str, start: date | None, end: date | None, on: date) -> bool:
    """Whether a recorded contract lets the plan assign members on `on`: contracted, started, not ended."""
    return (status in ASSIGNABLE_CONTRACT_STATUSES and (start is None or start <= on)
            and (end is None or end >= on))

# ECM providers with a state-level Medi-Cal enrollment pathway must enroll; those without one are vetted by the
# plan for qualifications and experience (seed 003 item 7, 3.g.i; seed 001 Q6: credentialing and/or background
# checks where no enrollment pathway exists).
ENROLLMENT_STATUSES: dict[str, str] = {
    "MEDI_CAL_ENROLLED": "Enrolled in Medi-Cal (state-level pathway)",
    "MEDI_CAL_PENDING": "Medi-Cal enrollment pending",
    "PLAN_VETTED": "Vetted by the plan (no state-level pathway)",
    "VETTING_PENDING": "Plan vetting pending",
    "NOT_ENROLLED": "Neither enrolled nor vetted",
}
ENROLLMENT_DONE: frozenset[str] = frozenset({"MEDI_CAL_ENROLLED", "PLAN_VETTED"})


# ---- readiness (seed 002 slides 5-6) ---------------------------------------------------------------------------

# Self-assessment effort per program area, with the definitions of seed 002 slide 6.
EFFORT_LEVELS: dict[str, str] = {
    "NO": "No effort",
    "LOW": "Low effort: minimal effort to meet this area, no assistance needed from the plan",
    "MEDIUM": "Medium effort: will meet this area, may or may not need some assistance from the plan",
    "HIGH_1": "High effort 1: will definitely need assistance from the plan to meet this area",
    "HIGH_2": "High effort 2: concern that we cannot meet this area",
}
# The efforts that ask the plan for help, so that provider relations see them first (seed 002 slide 6).
EFFORT_NEEDS_PLAN: frozenset[str] = frozenset({"HIGH_1", "HIGH_2"})

# The plan's compliance verdict on a readiness application (seed 002 slide 6 "Compliant (for internal use
# only)"; seed 004 VI.J.1.c "screen potential ECM providers through the ECM Readiness Assessment").
READINESS_VERDICTS: dict[str, str] = {
    "PENDING": "Under review",
    "APPROVED": "Approved",
    "APPROVED_WITH_CONDITIONS": "Approved with conditions",
    "NOT_READY": "Not ready",
}
# Verdicts other than these need written reasons.
VERDICTS_WITHOUT_REASONS: frozenset[str] = frozenset({"PENDING", "APPROVED"})

# Check-ins every two weeks after the application (seed 002 slide 5). A plan may change it in settings
# (CAREHUB_READINESS_CHECK_IN_DAYS).
DEFAULT_CHECK_IN_DAYS = 14

# Evidence files a provider may upload: extension -> (content type, leading bytes that the file must start with).
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
}
DEFAULT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class ProgramArea:
    code: str
    label: str
    description: str
    source: str


READINESS_AREAS_CSV = Path(__file__).with_name("network_readiness_areas.csv")
EXCEPTION_REASONS_CSV = Path(__file__).with_name("network_contracting_exceptions.csv")


@cache
def readiness_areas(path: Path = READINESS_AREAS_CSV) -> tuple[ProgramArea, ...]:
    """The program areas of the readiness self-assessment, in order (seed 002 slide 6 shows the Outreach area and
    asks for check-ins 'across all ECM domain areas'; the areas follow the ECM core services of seed 000 III.j and
    the Model of Care sections providers carry). A plan may ship its own file."""
    with path.open(newline="", encoding="utf-8") as f:
        return tuple(ProgramArea(r["code"], r["label"], r["description"], r["source"]) for r in csv.DictReader(f))


@cache
def contracting_exception_reasons(path: Path = EXCEPTION_REASONS_CSV) -> dict[str, str]:
    """The permissible reasons not to contract with a WPC Lead Entity or HHP CB-CME (seed 000 III.c, from the ECM
    and ILOS Contract Section 6; seed 004 VI.G.2.a 1-6), code -> label."""
    with path.open(newline="", encoding="utf-8") as f:
        return {r["code"]: r["label"] for r in csv.DictReader(f)}


# The kinds of contracting exception a plan asks DHCS to approve: not contracting with a WPC Lead Entity or an HHP
# CB-CME (seed 000 III.c; seed 004 VI.G.2.a), and providing ECM with the plan's own staff in exceptional
# circumstances (seed 000 II.b).
EXCEPTION_KINDS: dict[str, str] = {
    "WPC_LEAD_ENTITY": "WPC Lead Entity not contracted",
    "HHP_CB_CME": "HHP CB-CME not contracted",
    "PLAN_OWN_STAFF": "ECM by the plan's own staff",
}
EXCEPTION_KINDS_WITH_REASON: frozenset[str] = frozenset({"WPC_LEAD_ENTITY", "HHP_CB_CME"})
EXCEPTION_STATUSES: dict[str, str] = {
    "DRAFT": "Draft",
    "SUBMITTED": "Submitted to DHCS",
    "APPROVED": "Approved by DHCS",
    "DENIED": "Denied by DHCS",
    "WITHDRAWN": "Withdrawn",
}


def exception_problem(kind: str, reason: str) -> str | None:
    """What is wrong with an exception's kind and reason, or None. WPC/HHP exceptions need one of the permissible
    reasons; the own-staff exception is justified in words (seed 000 II.b gives no list)."""
    if kind not in EXCEPTION_KINDS:
        return "choose the kind of exception"
    if kind in EXCEPTION_KINDS_WITH_REASON and reason not in contracting_exception_reasons():
        return "choose one of the permissible reasons"
    if kind not in EXCEPTION_KINDS_WITH_REASON and reason:
        return "the own-staff exception has no reason from the list; explain it in words"
    return None


def evidence_problem(filename: str, head: bytes, size: int, max_bytes: int = DEFAULT_EVIDENCE_MAX_BYTES) -> str | None:
    """Why an evidence file cannot be stored, or None: its type (by extension, and by its first bytes where the
    type has a signature), its size, and that it is not empty."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in EVIDENCE_TYPES:
        return "this type of file is not accepted; upload " + ", ".join(sorted(EVIDENCE_TYPES))
    if size == 0:
        return "the file is empty"
    if size > max_bytes:
        return f"the file is larger than {max_bytes // (1024 * 1024)} MB"
    signatures = EVIDENCE_TYPES[ext][1]
    if signatures and not any(head.startswith(s) for s in signatures):
        return f"the file's content is not a .{ext} file"
    if not signatures and b"\x00" in head:
        return f"the file's content is not a .{ext} file"
    return None


def effort_summary(efforts: list[str]) -> dict[str, int]:
    """How many areas answered each effort level, in the order of EFFORT_LEVELS."""
    return {level: sum(1 for e in efforts if e == level) for level in EFFORT_LEVELS}
