"""The synthetic provider network: ECM, Community Supports, PCP, behavioral health, CCS case management, and the
hospitals, nursing facilities, labs and pharmacies that bill the claims. Sized from the member count per county."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from stdnum import luhn

from carehub.domain.network import PROVIDER_TYPES
from carehub.synth.reference import LAST_NAMES, STREETS, places

# Population of Focus codes (spec/populations-of-focus.md) that ECM providers declare they serve.
POPULATIONS: tuple[str, ...] = (
    "ADULT_HOMELESS", "ADULT_AVOIDABLE_UTILIZATION", "ADULT_SMH_SUD", "ADULT_REENTRY", "ADULT_LTC_RISK",
    "ADULT_NF_TRANSITION", "ADULT_BIRTH_EQUITY", "CHILD_HOMELESS", "FAMILY_HOMELESS", "CHILD_AVOIDABLE_UTILIZATION",
    "CHILD_SMH_SUD", "CHILD_REENTRY", "CHILD_CCS", "CHILD_WELFARE", "CHILD_IDD", "CHILD_BIRTH_EQUITY",
)
# The 14 pre-approved Community Supports (ILOS) of seed 000, section "ILOS" (lines 103-117).
SUPPORTS: tuple[str, ...] = (
    "HOUSING_TRANSITION_NAVIGATION", "HOUSING_DEPOSITS", "HOUSING_TENANCY_SUSTAINING",
    "SHORT_TERM_POST_HOSPITALIZATION_HOUSING", "RECUPERATIVE_CARE", "RESPITE_SERVICES", "DAY_HABILITATION",
    "NF_TRANSITION_ASSISTED_LIVING", "COMMUNITY_TRANSITION_HOME", "PERSONAL_CARE_HOMEMAKER",
    "ENVIRONMENTAL_ACCESSIBILITY_ADAPTATIONS", "MEDICALLY_TAILORED_MEALS", "SOBERING_CENTERS", "ASTHMA_REMEDIATION",
)
ECM_TYPES = ("FQHC", "COMMUNITY_HEALTH_CENTER", "COUNTY", "COUNTY_BEHAVIORAL_HEALTH", "PCP_SPECIALIST_GROUP",
             "HOSPITAL", "HOMELESSNESS_ORGANIZATION", "JUSTICE_ORGANIZATION", "LOCAL_HEALTH_DEPARTMENT",
             "RHC_IHS", "COMMUNITY_MENTAL_HEALTH_CENTER", "SUD_TREATMENT", "BEHAVIORAL_HEALTH_ENTITY")
assert set(ECM_TYPES) <= set(PROVIDER_TYPES)

# role -> (provider.kind, provider types, members per provider, minimum per county, name words)
ROLES: dict[str, tuple[str, tuple[str, ...], int, int, tuple[str, ...]]] = {
    "ECM": ("ECM", ECM_TYPES, 5000, 4, ("Community Care Partners", "Health Collaborative", "Care Network")),
    "CS": ("CS", ("HOMELESSNESS_ORGANIZATION", "OTHER", "COMMUNITY_HEALTH_CENTER"), 10000, 2,
           ("Housing Alliance", "Meals Cooperative", "Respite Services")),
    "PCP": ("PCP", ("PCP_SPECIALIST_GROUP", "FQHC", "COMMUNITY_HEALTH_CENTER", "RHC_IHS"), 1500, 3,
            ("Family Medicine", "Community Clinic", "Pediatrics", "Health Center")),
    "BH": ("BH", ("COUNTY_BEHAVIORAL_HEALTH", "COMMUNITY_MENTAL_HEALTH_CENTER", "SUD_TREATMENT",
                  "BEHAVIORAL_HEALTH_ENTITY"), 8000, 2, ("Behavioral Health", "Recovery Center", "Counseling")),
    "CCS": ("CCS_CASE_MANAGEMENT", ("COUNTY",), 200000, 1, ("County CCS Program",)),
    "HOSPITAL": ("OTHER", ("HOSPITAL",), 25000, 1, ("Medical Center", "Community Hospital")),
    "SNF": ("OTHER", ("OTHER",), 30000, 1, ("Post-Acute Care", "Skilled Nursing")),
    "LAB": ("OTHER", ("OTHER",), 100000, 1, ("Clinical Laboratory",)),
    "PHARMACY": ("OTHER", ("OTHER",), 8000, 2, ("Pharmacy",)),
}
CAPACITY = {"ECM": (60, 600), "CS": (20, 300), "PCP": (1200, 2500), "BH": (100, 800), "CCS": (300, 3000)}
WORDS = ("Sunrise", "Golden State", "Valley", "Harbor", "Sierra", "Pacific", "Mission", "Oak Grove", "Riverbend",
         "Bridgeway", "Cornerstone", "Unity", "Vista", "Redwood", "Sequoia", "Horizon")


def npi_with_check_digit(first9: int) -> str:
    """A 10-digit NPI: the Luhn check digit is computed over "80840" + the first 9 digits (CMS NPI standard)."""
    body = f"{first9:09d}"
    return body + luhn.calc_check_digit("80840" + body)


@dataclass
class Network:
    """Providers, and per role and county the indexes of providers into `npis` (for claims and programs)."""

    table: pa.Table
    npis: tuple[str, ...]
    roles: dict[str, list[np.ndarray]]  # role -> per plan-county array of indexes into npis

    def pick(self, role: str, county: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One provider of `role` in each given county (indexes into npis), uniformly."""
        lists = self.roles[role]
        sizes = np.array([len(x) for x in lists])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        flat = np.concatenate(lists)
        return flat[offsets[county] + (rng.random(len(county)) * sizes[county]).astype(np.int64)]


def build_network(rng: np.random.Generator, counties: tuple[str, ...], members_per_county: np.ndarray) -> Network:
    """Generate the network for the plan's counties, sized from the expected members in each county."""
    plan_places = places()
    rows: list[dict[str, object]] = []
    roles: dict[str, list[np.ndarray]] = {role: [] for role in ROLES}
    total = sum(max(m, math.ceil(n / per)) for _, _, per, m, _ in ROLES.values() for n in members_per_county)
    bases = np.unique(rng.integers(100_000_000, 200_000_000, size=total * 2))
    bases = rng.permutation(bases)[:total]
    for c, county in enumerate(counties):
        county_places = plan_places[county]
        for role, (kind, types, per, minimum, names) in ROLES.items():
            count = max(minimum, math.ceil(members_per_county[c] / per))
            indexes = []
            for k in range(count):
                i = len(rows)
                indexes.append(i)
                city, zip_code, area = county_places[k % len(county_places)]
                provider_type = types[int(rng.integers(len(types)))]
                name = (f"{LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]} {names[k % len(names)]}" if role == "PCP"
                        else f"{WORDS[int(rng.integers(len(WORDS)))]} {names[k % len(names)]} of {county} {k + 1}")
                low, high = CAPACITY.get(role, (0, 0))
                languages = ["en", "es"] + (["vi", "yue"] if rng.random() < 0.2 else [])
                rows.append({
                    "npi": npi_with_check_digit(int(bases[i])),
                    "name": name,
                    "kind": kind,
                    "provider_type": provider_type,
                    "counties": county,
                    # every population is served by at least one ECM provider of the county (round robin)
                    "populations": ";".join(p for j, p in enumerate(POPULATIONS)
                                            if j % count == k or rng.random() < 0.3) if role == "ECM" else "",
                    "supports": ";".join(s for j, s in enumerate(SUPPORTS) if j % count == k or rng.random() < 0.15)
                    if role == "CS" else "",
                    "languages": ";".join(languages) if role in CAPACITY else "",
                    "capacity": int(rng.integers(low, high + 1)) if high else None,
                    "tin": f"{int(rng.choice([33, 68, 94, 95])):02d}{int(rng.integers(0, 10**7)):07d}",
                    "phone": f"({area}) 555-01{int(rng.integers(0, 100)):02d}",
                    "email": f"intake{i + 1}@provider.example.org",
                    "address": f"{int(rng.integers(100, 9999))} {STREETS[int(rng.integers(len(STREETS)))]}, "
                               f"{city}, CA {zip_code}",
                })
            roles[role].append(np.array(indexes, dtype=np.int64))
    columns = ("npi", "name", "kind", "provider_type", "counties", "populations", "supports", "languages",
               "capacity", "tin", "phone", "email", "address")
    table = pa.table({col: pa.array([r[col] if r[col] != "" else None for r in rows],
                                    type=pa.int64() if col == "capacity" else pa.string()) for col in columns})
    return Network(table=table, npis=tuple(str(r["npi"]) for r in rows), roles=roles)
