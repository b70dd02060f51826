"""42 CFR Part 2: what counts as substance use disorder (SUD) information that needs the member's consent before a
provider may see it, and the words shown with it.

Sources: DESIGN.md "Access and audit" (Part 2 information only with consent); spec/input-layout.md
"program_enrollment" (DMC, DMC_ODS are Drug Medi-Cal programs); ICD-10-CM chapter 5 block F10-F19 "Mental and
behavioural disorders due to psychoactive substance use"; 42 CFR 2.32(a)(1) as amended by the 2024 final rule
(89 FR 12472, Feb. 16, 2024): the notice that accompanies every disclosure made with the patient's consent;
HCPCS Level II "H" codes for alcohol and/or drug services (H0001-H0050, H2034-H2036), opioid treatment program
bundles G2067-G2080, buprenorphine/naltrexone J0571-J0575 and J2315, SBIRT 99408/99409, G0396/G0397; UB-04 revenue
codes 0944/0945 (drug / alcohol rehabilitation), 0116/0126/0136/0146/0156 (detoxification room and board), 1002
(residential chemical dependency) and 0906 (intensive outpatient, chemical dependency).
"""

from __future__ import annotations

PART2_PROGRAMS: frozenset[str] = frozenset({"DMC", "DMC_ODS"})
SUD_DIAGNOSIS_PREFIXES: frozenset[str] = frozenset(f"F{n}" for n in range(10, 20))
# Services that say substance use treatment whatever the diagnosis on the line (H0002, H0004, H0031-H0046 are
# behavioral health services that are not SUD-specific and stay visible).
SUD_HCPCS: frozenset[str] = frozenset(
    {"H0001", "H0003", "H0005", "H0006", "H0007", "H0008", "H0009", "H0010", "H0011", "H0012", "H0013", "H0014",
     "H0015", "H0016", "H0020", "H0022", "H0026", "H0027", "H0028", "H0029", "H0047", "H0048", "H0049", "H0050",
     "H2034", "H2035", "H2036", "J0571", "J0572", "J0573", "J0574", "J0575", "J2315", "99408", "99409", "G0396",
     "G0397"} | {f"G{n}" for n in range(2067, 2081)})
SUD_REVENUE_CODES: frozenset[str] = frozenset({"0944", "0945", "0116", "0126", "0136", "0146", "0156", "1002",
                                               "0906"})

# Shown to a provider without a Part 2 consent, in the place of the data. It is shown whether or not there is any
# Part 2 data, so that neither its presence nor a count gives the data away.
WITHHELD_PLACEHOLDER = "Withheld under 42 CFR Part 2 — consent required"
WITHHELD_EXPLANATION = (
    "Substance use disorder treatment records (42 CFR Part 2) are not shown to providers unless the member has "
    "signed a current consent naming your organization (or a class of recipients that includes it). Any such "
    "records are left out of this page, including program enrollments, diagnoses and identification evidence.")

# 42 CFR 2.32(a)(1), 2024 wording: accompanies Part 2 records shown under a consent.
REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In "
    "addition, the Federal rules prohibit you from making any other use or disclosure of this record unless at "
    "least one of the following applies: (A) Further use or disclosure is expressly permitted by the written "
    "consent of the individual whose information is being disclosed in this record or as otherwise permitted by "
    "42 CFR part 2. (B) You are a covered entity or business associate and have received the record for "
    "treatment, payment, or health care operations, or (C) You have received the record from a covered entity or "
    "business associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required elements of written consent "
    "to further use or redisclose the record (see 42 CFR 2.31).")


def is_part2_program(program: str) -> bool:
    """A Drug Medi-Cal (or DMC Organized Delivery System) program row."""
    return program.strip().upper() in PART2_PROGRAMS


def is_sud_diagnosis(code: str | None) -> bool:
    """An ICD-10-CM code in F10-F19, written with or without the dot (F10.20, F1020)."""
    if not code:
        return False
    return code.replace(".", "").strip().upper()[:3] in SUD_DIAGNOSIS_PREFIXES


def is_sud_service(hcpcs_code: str | None = None, revenue_center_code: str | None = None) -> bool:
    """A procedure or revenue code that is itself substance use treatment."""
    hcpcs = (hcpcs_code or "").strip().upper()
    revenue = (revenue_center_code or "").strip().zfill(4) if revenue_center_code else ""
    return hcpcs in SUD_HCPCS or revenue in SUD_REVENUE_CODES


def is_part2_claim_line(line: dict[str, object]) -> bool:
    """A claim line that shows substance use treatment: a SUD diagnosis in any diagnosis column present, or a SUD
    service code."""
    diagnoses = [v for k, v in line.items() if k.startswith("diagnosis_code_") and isinstance(v, str)]
    if any(is_sud_diagnosis(code) for code in diagnoses):
        return True
    hcpcs, revenue = line.get("hcpcs_code"), line.get("revenue_center_code")
    return is_sud_service(hcpcs if isinstance(hcpcs, str) else None, revenue if isinstance(revenue, str) else None)
