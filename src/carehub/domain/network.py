"""Provider network vocabularies."""

from __future__ import annotations

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
