"""Human labels for the codes identification writes (populations, criteria, exclusions, priority factors) and a
reader for its evidence references, so a coordinator sees "5 avoidable ED visits in 6 months" and "Claim C123"
instead of codes.

Source: spec/populations-of-focus.md (population, criterion and exclusion definitions; seed 004 VI.A-C) and
spec/input-layout.md "Output of identification" (criteria and evidence are `;`-separated). The codes are those the
rule files of this package emit; a code without a label is shown as itself, so a new rule never breaks a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

POPULATIONS: dict[str, str] = {
    "ADULT_HOMELESS": "Adults experiencing homelessness",
    "ADULT_AVOIDABLE_UTILIZATION": "Adults at risk for avoidable hospital or ED utilization",
    "ADULT_SMH_SUD": "Adults with serious mental health and/or substance use disorder needs",
    "ADULT_REENTRY": "Adults transitioning from incarceration",
    "ADULT_LTC_RISK": "Adults living in the community at risk for long-term care institutionalization",
    "ADULT_NF_TRANSITION": "Adult nursing facility residents transitioning to the community",
    "ADULT_BIRTH_EQUITY": "Adults who are pregnant or postpartum (birth equity)",
    "CHILD_HOMELESS": "Unaccompanied children and youth experiencing homelessness",
    "FAMILY_HOMELESS": "Families experiencing homelessness",
    "CHILD_AVOIDABLE_UTILIZATION": "Children and youth at risk for avoidable hospital or ED utilization",
    "CHILD_SMH_SUD": "Children and youth with serious mental health and/or substance use disorder needs",
    "CHILD_REENTRY": "Children and youth transitioning from a youth correctional facility",
    "CHILD_CCS": "Children and youth enrolled in CCS / WCM with additional needs",
    "CHILD_WELFARE": "Children and youth involved in child welfare",
    "CHILD_IDD": "Children and youth with intellectual or developmental disabilities",
    "CHILD_BIRTH_EQUITY": "Youth who are pregnant or postpartum (birth equity)",
}

CRITERIA: dict[str, str] = {
    "AVOIDABLE_ED_5_IN_6M": "5 or more avoidable ED visits in the last 6 months",
    "AVOIDABLE_STAYS_3_IN_6M": "3 or more avoidable unplanned hospital stays in the last 6 months",
    "AVOIDABLE_ED_3_IN_12M": "3 or more avoidable ED visits in the last 12 months",
    "AVOIDABLE_STAYS_2_IN_12M": "2 or more avoidable unplanned hospital stays in the last 12 months",
    "HOMELESS_HOUSING_STATUS": "Housing status on the as-of date is homeless",
    "HOMELESS_DX_Z59_0_6M": "Homelessness diagnosis (Z59.0) in the last 6 months",
    "COMPLEX_NEED": "Complex physical, behavioral or developmental health need",
    "COMPLEX_SOCIAL_FACTOR": "Complex social factor in the last 12 months",
    "UNACCOMPANIED": "Not living with a parent or guardian",
    "HOUSEHOLD_UNKNOWN": "Household not on record (unaccompanied, or homeless with family): confirm at outreach",
    "HOUSEHOLD_WITH_MINORS": "Household with dependent children or youth",
    "SMHS_DMC_PROGRAM_12M": "Specialty mental health or Drug Medi-Cal services in the last 12 months",
    "SMI_SUD_PRINCIPAL_DX_12M": "Serious mental illness or substance use principal diagnosis in the last 12 months",
    "HIGH_RISK_ASSESSMENT": "High-risk assessment (institutionalization, overdose or suicide)",
    "CRISIS_ED_INPATIENT_NO_PRIMARY_CARE_12M": "Crisis, ED or inpatient care without a primary care visit in 12 months",
    "SMH_SUD_ED_2_IN_12M": "2 or more ED visits for mental health or substance use in the last 12 months",
    "SMH_SUD_STAYS_2_IN_12M": "2 or more stays for mental health or substance use in the last 12 months",
    "PREGNANT_OR_POSTPARTUM": "Pregnant or postpartum",
    "PREGNANT": "Pregnant",
    "POSTPARTUM": "Postpartum (delivery in the last 12 months)",
    "RELEASED_12M": "Released from prison or jail in the last 12 months",
    "PRE_RELEASE_90D": "Expected release from prison or jail within 90 days",
    "YOUTH_RELEASED_12M": "Released from a youth facility in the last 12 months",
    "MENTAL_ILLNESS": "Mental illness diagnosis",
    "SUD": "Substance use disorder diagnosis",
    "CHRONIC_CONDITION": "Chronic condition diagnosis",
    "CHRONIC": "Chronic condition diagnosis",
    "IDD": "Intellectual or developmental disability",
    "TBI": "Traumatic brain injury",
    "HIV": "HIV",
    "SNF_LEVEL_OF_CARE": "Meets skilled nursing facility level of care",
    "CAN_RESIDE_IN_COMMUNITY": "Can reside safely in the community",
    "NURSING_FACILITY": "Current nursing facility resident",
    "WANTS_TO_TRANSITION": "Wants to transition to the community",
    "CCS_PROGRAM": "Enrolled in California Children's Services / Whole Child Model",
    "FOSTER_CARE_12M": "In foster care now or in the last 12 months",
    "AGED_OUT_FOSTER_CARE": "Aged out of foster care (now 21 to 25)",
    "ADOPTION_ASSISTANCE": "Receives adoption assistance",
    "FAMILY_MAINTENANCE_12M": "Family maintenance services in the last 12 months",
    "OTHER_POPULATION": "Also meets another Population of Focus",
    "DISPARITY_GROUP": "In a group with documented birth-outcome disparities",
}

# Criterion codes that say substance use treatment happened (42 CFR Part 2): withheld from provider staff.
PART2_CRITERIA: frozenset[str] = frozenset({"SUD", "SMI_SUD_PRINCIPAL_DX_12M", "SMH_SUD_ED_2_IN_12M",
                                            "SMH_SUD_STAYS_2_IN_12M", "SMHS_DMC_PROGRAM_12M"})

EXCLUSIONS: dict[str, str] = {
    "SELF_MANAGED": "Member self-manages well (assessment in the last 12 months)",
    "HOSPICE_OR_PALLIATIVE": "Receiving hospice or intensive outpatient palliative care",
    "COUNTY_TCM": "Enrolled in county Targeted Case Management",
    "UNSAFE": "Unsafe behavior or environment documented in the last 12 months",
    "CHW_BENEFIT": "Receiving the Community Health Worker benefit",
    "DUPLICATIVE_PROGRAM": "Enrolled in a duplicative program (e.g. MSSP, PACE, a waiver)",
    "PLAN_CASE_MANAGEMENT": "In plan complex or basic case management (coordinate instead)",
    "UNRESPONSIVE": "Unreachable or declined after outreach",
}

PRIORITY_FACTORS: dict[str, str] = {
    "RECENT_DISCHARGE_30D": "Discharged from a hospital stay in the last 30 days",
    "RECENT_RELEASE_90D": "Released (or about to be released) from incarceration within 90 days",
    "UNSHELTERED_NOW": "Unsheltered on the as-of date",
    "ADDITIONAL_POPULATIONS": "Additional Populations of Focus met",
    "ED_VISITS_6M": "ED visits in the last 6 months",
    "UNPLANNED_STAYS_6M": "Unplanned hospital stays in the last 6 months",
}

# The same, short enough for a worklist cell; `{}` takes the factor's value.
PRIORITY_FACTORS_SHORT: dict[str, str] = {
    "RECENT_DISCHARGE_30D": "Discharged ≤ 30 days",
    "RECENT_RELEASE_90D": "Released ≤ 90 days",
    "UNSHELTERED_NOW": "Unsheltered",
    "ADDITIONAL_POPULATIONS": "Other populations: {}",
    "ED_VISITS_6M": "ED visits (6 mo): {}",
    "UNPLANNED_STAYS_6M": "Unplanned stays (6 mo): {}",
}

EVIDENCE_KINDS: dict[str, str] = {
    "claim": "Claim",
    "program": "Program enrollment",
    "housing": "Housing episode",
    "incarceration": "Incarceration",
    "assessment": "Assessment",
    "eligibility": "Eligibility",
    "outreach": "ECM outreach outcome",
}


def label(table: dict[str, str], code: str) -> str:
    """The label of a code, or the code itself when the table has none."""
    return table.get(code, code)


def split_codes(value: str | None) -> list[str]:
    """A `;`-separated output field as a list (empty entries dropped)."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


@dataclass(frozen=True)
class Evidence:
    """One evidence reference: `claim:C123`, `program:WPC:2025-01-01`, `housing:UNSHELTERED:2026-09-01`,
    `incarceration:JAIL:2024-05-01`, `assessment:ACES_SCORE:2024-02-01`, `eligibility:race:...`,
    `outreach:UNREACHABLE:2024-06-01`."""

    reference: str
    kind: str
    detail: str
    on: date | None
    note: str = ""  # what the referenced record is, when the reader looked it up (e.g. a claim's codes)

    @property
    def kind_label(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind.replace("_", " ").capitalize() or "Reference")

    @property
    def is_part2(self) -> bool:
        """A Drug Medi-Cal program span (42 CFR Part 2 information)."""
        return self.kind == "program" and self.detail.upper() in {"DMC", "DMC_ODS"}


def parse_evidence(reference: str) -> Evidence:
    """Split a reference into kind, detail and date (the last `:`-part when it is an ISO date)."""
    kind, _, rest = reference.partition(":")
    detail, on = rest, None
    head, _, tail = rest.rpartition(":")
    if head:
        try:
            on = date.fromisoformat(tail)
            detail = head
        except ValueError:
            pass
    return Evidence(reference=reference, kind=kind, detail=detail, on=on)


def short_factors(value: str | None) -> list[tuple[str, str, str]]:
    """Priority factors `NAME=value;...` as (`NAME=value`, short text with its value, full label), for a worklist
    line."""
    return [(f"{code}={amount}", PRIORITY_FACTORS_SHORT.get(code, code).format(amount), label)
            for code, label, amount in parse_factors(value)]


def parse_factors(value: str | None) -> list[tuple[str, str, str]]:
    """Priority factors `NAME=value;...` as (code, label, value)."""
    out = []
    for part in split_codes(value):
        code, _, amount = part.partition("=")
        if amount.endswith(".0"):
            amount = amount[:-2]
        out.append((code, label(PRIORITY_FACTORS, code), amount))
    return out
