"""Code vocabularies of the synthetic claims: ICD-10-CM, CPT/HCPCS, revenue codes, bill types, places of service.

The ICD-10-CM codes are billable codes of the FY2026 code set (checked with the `simple-icd-10-cm` package,
April 2026 release, when this file was written); HCPCS Level II codes appear in the CMS October 2025 HCPCS file
(../shared/data/hcpcs-2025-oct, checked by tests/synth); CPT codes are common evaluation and management, lab,
imaging and behavioral health codes. Groups are chosen so that background members do not meet a Population of
Focus by accident (spec/populations-of-focus.md): background ED visits carry injury diagnoses (the NYU ED
algorithm puts injuries in their own class, not avoidable), background unplanned stays carry diagnoses outside the
AHRQ Prevention Quality Indicators, and background mental health diagnoses are not SMI (F32.9, F41.1, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

# --- ICD-10-CM diagnosis groups (dotted form; the claims write ~30% of claims without the dot) ---
CHRONIC_ADULT = ("E11.9", "I10", "E78.5", "J44.9", "I50.9", "N18.30", "E66.9", "G40.909", "K21.9", "M17.11",
                 "I25.10", "J45.909")
CHRONIC_ADULT_RARE = ("B20", "C50.919", "K74.60")
CHRONIC_CHILD = ("J45.909", "E66.9", "L20.9", "G40.909")
# the member conditions that the spec's shipped chronic-condition value set lists ("complex need" evidence);
# hyperlipidemia, obesity, GERD, osteoarthritis and atopic dermatitis are chronic but not in that value set
CHRONIC_IN_VALUE_SET = ("E11.9", "I10", "J44.9", "I50.9", "N18.30", "G40.909", "I25.10", "J45.909", "B20",
                        "C50.919", "K74.60")
MENTAL_ADULT = ("F41.1", "F32.9", "F32.A", "F43.10")  # mental illness, not SMI
MENTAL_CHILD = ("F90.0", "F41.1", "F32.A", "F43.10")
ROUTINE_ADULT = ("Z00.00", "Z23", "R10.9", "R05.9", "J30.9", "E55.9", "R53.83", "M25.561", "L30.9", "Z01.419")
ROUTINE_CHILD = ("Z00.129", "Z23", "J30.9", "R05.9", "L30.9", "H10.9")
INJURY = ("S52.501A", "S93.401A", "S61.411A", "S01.81XA", "S09.90XA", "S83.91XA", "S60.221A")
IP_ELECTIVE = ("M17.11", "K80.20", "M48.061")
IP_URGENT_NON_ACSC = ("K35.80", "I21.4", "A41.9", "I63.9", "S72.001A")
SNF_AFTERCARE = ("Z47.1", "M62.81")
# avoidable ED: the shipped default value set of populations-of-focus.md ("avoidable ED visit")
AVOIDABLE_ED_ADULT = ("J06.9", "J02.9", "N39.0", "K02.9", "K08.89", "M54.50", "R51.9", "J45.909", "E11.9")
AVOIDABLE_ED_CHILD = ("J06.9", "J02.9", "H66.90", "J45.909", "N39.0", "K02.9")
# ambulatory-care-sensitive conditions (AHRQ PQI), for avoidable unplanned stays
ACSC_ADULT = ("E11.65", "E11.10", "J44.1", "I50.9", "I10", "J18.9", "N39.0", "E86.0")
ACSC_CHILD = ("J45.901", "E10.10", "N39.0", "E86.0")
SMI = ("F20.9", "F31.9", "F25.9", "F33.2")
SUD = ("F11.20", "F10.20", "F15.20")
PREGNANCY = ("Z34.83", "Z34.82", "O09.93", "O24.410")
DELIVERY = ("O80",)
BIRTH_OUTCOME = ("Z37.0",)
POSTPARTUM_VISIT = ("Z39.2",)
SDOH = ("Z59.41", "Z59.82", "Z60.2")  # food insecurity, transportation insecurity, living alone
HOMELESS_Z = ("Z59.01", "Z59.02")  # sheltered, unsheltered homelessness
IDD = ("F84.0", "F70")
TBI_HISTORY = ("Z87.820",)
CCS_CONDITIONS = ("E84.0", "G80.9", "C91.00", "Q21.0")

_GROUPS = (CHRONIC_ADULT, CHRONIC_ADULT_RARE, CHRONIC_CHILD, MENTAL_ADULT, MENTAL_CHILD, ROUTINE_ADULT,
           ROUTINE_CHILD, INJURY, IP_ELECTIVE, IP_URGENT_NON_ACSC, SNF_AFTERCARE, AVOIDABLE_ED_ADULT,
           AVOIDABLE_ED_CHILD, ACSC_ADULT, ACSC_CHILD, SMI, SUD, PREGNANCY, DELIVERY, BIRTH_OUTCOME,
           POSTPARTUM_VISIT, SDOH, HOMELESS_Z, IDD, TBI_HISTORY, CCS_CONDITIONS)
DX: tuple[str, ...] = tuple(dict.fromkeys(code for group in _GROUPS for code in group))
DX_INDEX: dict[str, int] = {code: i for i, code in enumerate(DX)}
# dictionary of the diagnosis columns: dotted codes, then the same codes without the dot
DX_DICTIONARY: tuple[str, ...] = DX + tuple(code.replace(".", "") for code in DX)


def dx_ids(group: tuple[str, ...]) -> list[int]:
    """Indexes into DX of a group of codes."""
    return [DX_INDEX[code] for code in group]


# --- claim templates: one kind of claim, with its lines ---
# A line option is (revenue_center_code, hcpcs_code); None where the line has no such code.
Line = tuple[str | None, str | None]


@dataclass(frozen=True)
class Template:
    name: str
    claim_type: str  # professional | institutional
    bill_type: str | None  # UB-04 type of bill (institutional)
    places: tuple[str, ...]  # CMS place-of-service codes (professional), one chosen per claim
    lead: tuple[tuple[Line, ...], ...]  # options for line 1, line 2, ...
    extra: tuple[Line, ...]  # options for the remaining lines
    lines: tuple[int, int]  # min and max lines per claim
    paid: float  # median paid amount per line, dollars
    modifier: str | None = None


_EM = ((None, "99213"), (None, "99214"), (None, "99212"), (None, "99215"), (None, "99203"), (None, "99204"))
_OFFICE_EXTRA = ((None, "36415"), (None, "90471"), (None, "90686"), (None, "87880"), (None, "93000"),
                 (None, "81002"), (None, "96127"))
_LAB = ((None, "80053"), (None, "85025"), (None, "83036"), (None, "80061"), (None, "84443"), (None, "81001"),
        (None, "87086"), (None, "80048"), (None, "82947"))
_FAC_ANCILLARY = (("0300", "85025"), ("0300", "80053"), ("0250", None), ("0320", "71046"), ("0730", "93000"),
                  ("0636", "J1885"), ("0636", "J2405"), ("0350", "70450"), ("0270", None), ("0300", "81001"))
_IP_EXTRA = (("0250", None), ("0300", "85025"), ("0300", "80053"), ("0270", None), ("0320", "71046"),
             ("0730", "93000"), ("0260", None), ("0636", "J2405"), ("0420", None), ("0300", "82947"))

TEMPLATES: tuple[Template, ...] = (
    Template("office", "professional", None, ("11",) * 4 + ("50",), (_EM,), _OFFICE_EXTRA, (1, 3), 85.0),
    Template("lab", "professional", None, ("81",), (_LAB,), _LAB, (1, 6), 14.0),
    Template("telehealth", "professional", None, ("10", "02"), (_EM[:3],), (), (1, 1), 70.0, "95"),
    Template("fqhc", "institutional", "0771", (), ((("0521", "T1015"),),), (("0521", "99213"), ("0300", "85025")),
             (1, 3), 120.0),
    Template("outpatient", "institutional", "0131", (),
             ((("0320", "71046"), ("0320", "73610"), ("0350", "70450"), ("0510", "99213"), ("0483", "93306")),),
             _FAC_ANCILLARY, (1, 5), 140.0),
    Template("behavioral", "professional", None, ("11", "53", "10"),
             (((None, "90834"), (None, "90837"), (None, "90832"), (None, "90791"), (None, "H0004")),),
             ((None, "90785"),), (1, 2), 95.0),
    Template("ed_facility", "institutional", "0131", (),
             ((("0450", "99283"), ("0450", "99284"), ("0450", "99285"), ("0450", "99282")),), _FAC_ANCILLARY,
             (2, 7), 180.0),
    Template("ed_professional", "professional", None, ("23",),
             (((None, "99283"), (None, "99284"), (None, "99285")),), ((None, "93010"),), (1, 2), 110.0),
    Template("inpatient", "institutional", "0111", (), ((("0120", None), ("0110", None)), (("0250", None),)),
             _IP_EXTRA, (4, 12), 900.0),
    Template("inpatient_via_ed", "institutional", "0111", (), ((("0120", None),), (("0450", "99285"),)),
             _IP_EXTRA, (4, 12), 900.0),
    Template("snf", "institutional", "0211", (), ((("0120", None),),), (("0250", None), ("0420", None),
             ("0430", None), ("0270", None)), (2, 5), 450.0),
    Template("delivery", "institutional", "0111", (), ((("0720", None),), (("0120", None),)),
             (("0250", None), ("0300", "85025"), ("0370", None), ("0270", None)), (3, 6), 1500.0),
    Template("obstetric", "professional", None, ("11",),
             (((None, "99213"), (None, "76805"), (None, "59025"), (None, "76815")),), ((None, "81002"),), (1, 2),
             95.0),
    Template("well_child", "professional", None, ("11",),
             (((None, "99392"), (None, "99393"), (None, "99394"), (None, "99391")),),
             ((None, "90460"), (None, "90707"), (None, "90700"), (None, "96110"), (None, "99173")), (1, 4), 75.0),
    Template("home_health", "institutional", "0321", (), ((("0551", None), ("0421", None)),), (("0431", None),),
             (1, 3), 160.0),
    Template("hospital_visit", "professional", None, ("21",), (((None, "99223"), (None, "99222")),),
             ((None, "99232"), (None, "99233"), (None, "99238")), (2, 6), 120.0),
    Template("crisis", "professional", None, ("53", "15"), (((None, "H2011"), (None, "H0031")),), ((None, "H2011"),),
             (1, 3), 130.0),
)
T: dict[str, int] = {template.name: i for i, template in enumerate(TEMPLATES)}
INSTITUTIONAL_STAY = frozenset({T["inpatient"], T["inpatient_via_ed"], T["snf"], T["delivery"]})

REVENUE_CODES: tuple[str, ...] = tuple(sorted({r for t in TEMPLATES for o in (*t.lead, t.extra) for r, _ in o if r}))
HCPCS_CODES: tuple[str, ...] = tuple(sorted({h for t in TEMPLATES for o in (*t.lead, t.extra) for _, h in o if h}))
PLACES: tuple[str, ...] = tuple(sorted({p for t in TEMPLATES for p in t.places}))
BILL_TYPES: tuple[str, ...] = tuple(sorted({t.bill_type for t in TEMPLATES if t.bill_type}))
DELIVERY_PROCEDURE = "10E0XZZ"  # ICD-10-PCS: delivery of products of conception, external approach

# --- pharmacy: NDCs (11 digits, 5-4-2) of common drugs, grouped by the condition they treat. The codes follow the
# NDC format; the labeler/product pairs are those of well-known products as far as we know, but they were not
# checked against the FDA NDC directory, so do not rely on the drug names.
NDC_BY_GROUP: dict[str, tuple[str, ...]] = {
    "diabetes": ("00093104801", "00006027731", "00088222033"),
    "cardio": ("00071015523", "00003089421", "00378018101"),
    "respiratory": ("00173068220", "00173069700"),
    "mental": ("00049491066", "00093713456"),
    "acute": ("00093310905", "00093226701", "00904198261"),
    "pregnancy": ("00093532001",),
}
