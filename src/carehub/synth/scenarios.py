"""The planted scenarios: every Population of Focus, every exclusion, and near-misses, with their shares.

Rules: spec/populations-of-focus.md (seed 004 VI.A and VI.C). Windows are placed well inside the rule's window
(e.g. "last 6 months" facts 0-170 days before D) and near-misses well outside it (e.g. 400+ days for "12 months")
so that month arithmetic cannot flip them. Shares are of all members; together about 6% of members are planted,
in line with the few percent of a Medi-Cal plan that ECM serves.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from carehub.synth import codes
from carehub.synth.claims import add_pregnancies, add_stays
from carehub.synth.planting import Planter, Scenario

ADULT_HOMELESS_STATUSES = ("UNSHELTERED", "SHELTERED", "LACKS_NIGHTTIME_RESIDENCE", "EXITING_INSTITUTION",
                           "IMMINENT_LOSS_30_DAYS", "FLEEING_VIOLENCE")
CHILD_HOMELESS_STATUSES = ("UNSHELTERED", "SHELTERED", "DOUBLED_UP", "MOTEL_OR_CAMPGROUND", "LACKS_NIGHTTIME_RESIDENCE")
ADULT_DUPLICATIVE = ("MSSP", "ALW", "HCBA", "HIV_AIDS_WAIVER", "SDP", "CAL_MEDICONNECT", "FIDE_SNP", "PACE", "CCT")
CHILD_DUPLICATIVE = ("DD_WAIVER", "FAMILY_MOSAIC", "HCBA")


def _split(p: Planter, m: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    mask = p.rng.random(len(m)) < share
    return m[mask], m[~mask]


# --- adults ---
def homeless_adult(p: Planter, m: np.ndarray) -> None:
    by_dx, by_hmis = _split(p, m, 0.15)
    p.visits(by_dx, p.ago(len(by_dx), 5, 150), p.pick(codes.HOMELESS_Z, len(by_dx)))
    p.housed(by_hmis, p.choose(ADULT_HOMELESS_STATUSES, len(by_hmis)), p.ago(len(by_hmis), 30, 700), None, False)
    some = by_hmis[p.rng.random(len(by_hmis)) < 0.3]
    p.visits(some, p.ago(len(some), 5, 300), p.pick(codes.HOMELESS_Z, len(some)))
    p.complex_need(m)


def homeless_ended(p: Planter, m: np.ndarray) -> None:
    end = p.ago(len(m), 60, 150)
    p.housed(m, "UNSHELTERED", end - p.rng.integers(100, 400, size=len(m)), end, False)
    p.visits(m, p.ago(len(m), 220, 330), codes.DX_INDEX["Z59.02"])
    p.complex_need(m)


def homeless_then_disenrolled(p: Planter, m: np.ndarray) -> None:
    """Homeless with a complex need since well before last month's end, then out of Medi-Cal in D's month
    (Scenario.leaves): every fact predates the end of eligibility."""
    p.housed(m, p.choose(ADULT_HOMELESS_STATUSES, len(m)), p.ago(len(m), 60, 700), None, False)
    p.complex_need(m, lo=40)


def doubled_up_single(p: Planter, m: np.ndarray) -> None:
    p.housed(m, "DOUBLED_UP", p.ago(len(m), 30, 500), None, False)
    p.complex_need(m)


def avoidable_ed(p: Planter, m: np.ndarray, low: int, high: int, window: int, outside: int, child: bool) -> None:
    """`low..high` avoidable ED visits within `window` days before D, plus `outside` visits before the window."""
    group = codes.AVOIDABLE_ED_CHILD if child else codes.AVOIDABLE_ED_ADULT
    who, day = p.distinct_ago(m, p.rng.integers(low, high + 1, size=len(m)), 1, window)
    p.ed_visits(who, day, p.pick(group, len(who)))
    if outside:
        who, day = p.distinct_ago(m, np.full(len(m), outside), window + 60, window + 190)
        p.ed_visits(who, day, p.pick(group, len(who)))


def avoidable_stays(p: Planter, m: np.ndarray, low: int, high: int, window: int, outside: int, child: bool) -> None:
    """`low..high` unplanned stays for ambulatory-care-sensitive conditions within `window` days before D."""
    group = codes.ACSC_CHILD if child else codes.ACSC_ADULT
    for count, lo, hi in ((p.rng.integers(low, high + 1, size=len(m)), 8, window),
                          (np.full(len(m), outside), window + 40, window + 160)):
        if not count.any():
            continue
        who, day = p.distinct_ago(m, count, lo, hi, gap=20)
        via_ed = p.rng.random(len(who)) < 0.7
        los = p.rng.integers(2, 6, size=len(who))
        dx = p.pick(group, len(who))
        add_stays(p.events, who[via_ed], day[via_ed], dx[via_ed], los[via_ed], admit=1, via_ed=True)
        add_stays(p.events, who[~via_ed], day[~via_ed], dx[~via_ed], los[~via_ed], admit=2, via_ed=False)


def smh_sud_adult(p: Planter, m: np.ndarray, social: bool = True) -> None:
    sud, smhs = _split(p, m, 0.3)
    p.program(smhs, "SMHS", p.ago(len(smhs), 60, 900), None, "COUNTY_BEHAVIORAL_HEALTH", p.npi("BH", smhs))
    p.program(sud, "DMC_ODS", p.ago(len(sud), 60, 900), None, "COUNTY_BEHAVIORAL_HEALTH", p.npi("BH", sud))
    for who, group in ((smhs, codes.SMI), (sud, codes.SUD)):
        visits, day = p.distinct_ago(who, p.rng.integers(2, 6, size=len(who)), 5, 330)
        p.visits(visits, day, p.pick(group, len(visits)), "behavioral")
    if social:
        r = p.rng.random(len(m))
        doubled, police, sdoh = m[r < 0.35], m[(r >= 0.35) & (r < 0.7)], m[r >= 0.7]
        p.housed(doubled, "DOUBLED_UP", p.ago(len(doubled), 30, 300), None, False)
        p.assess(police, "LAW_ENFORCEMENT_CONTACT", "true", 10, 300, "COUNTY_BEHAVIORAL_HEALTH")
        p.visits(sdoh, p.ago(len(sdoh), 10, 300), p.pick(codes.SDOH, len(sdoh)))
    risk, ed = _split(p, m, 0.6 if social else 1.0)
    kinds = ("HIGH_RISK_SUICIDE", "HIGH_RISK_OVERDOSE", "HIGH_RISK_INSTITUTIONALIZATION")
    p.assess(risk, p.choose(kinds, len(risk)), "true", 10, 300, "COUNTY_BEHAVIORAL_HEALTH")
    who, day = p.distinct_ago(ed, p.rng.integers(2, 4, size=len(ed)), 5, 330)
    p.ed_visits(who, day, p.pick(codes.SMI, len(who)))


def reentry_adult(p: Planter, m: np.ndarray, release_lo: int = 20, release_hi: int = 330) -> None:
    pre, post = _split(p, m, 0.2 if release_lo < 365 else 0.0)
    release = p.ago(len(post), release_lo, release_hi)
    facility = p.choose(("PRISON", "JAIL", "JAIL"), len(post))
    p.incarceration.add(post, facility_type=facility, admission_date=release - p.rng.integers(60, 1500, len(post)),
                        release_date=release, source=np.where(facility == "PRISON", "CDCR", "COUNTY_JAIL"))
    admission = p.ago(len(pre), 60, 300)
    p.incarceration.add(pre, facility_type=p.choose(("PRISON", "JAIL"), len(pre)), admission_date=admission,
                        expected_release_date=p.cal.d + p.rng.integers(5, 86, size=len(pre)), source="CDCR")
    condition = p.pick(("E11.9", "I10", "J44.9", "B20", "Z87.820", "F41.1", "F32.9", "G40.909"), len(m))
    day = np.empty(len(m), dtype=np.int64)
    in_pre = np.isin(m, pre)
    day[~in_pre] = p.ago(int((~in_pre).sum()), 10, 330)
    # before admission, but within the last 12 months: conditions count "in the last 12 months" (spec, shared
    # definitions), and an older diagnosis would make the planted member a miss
    day[in_pre] = np.maximum(admission - p.rng.integers(10, 150, size=len(pre)), p.cal.d - 330)
    p.visits(m, day, condition)


def ltc_risk(p: Planter, m: np.ndarray, can_reside: str = "true") -> None:
    p.assess(m, "SNF_LEVEL_OF_CARE", "true", 10, 300, "PLAN_UTILIZATION_MANAGEMENT")
    p.assess(m, "CAN_RESIDE_IN_COMMUNITY", can_reside, 10, 300, "PLAN_UTILIZATION_MANAGEMENT")
    p.visits(m, p.ago(len(m), 10, 300), p.pick(codes.SDOH, len(m)))
    p.complex_need(m)


def nf_resident(p: Planter, m: np.ndarray, detail: str = "WANTS_TO_TRANSITION") -> None:
    admission = p.ago(len(m), 200, 1400)
    p.program(m, "NURSING_FACILITY", admission, None, "MDS", detail)
    p.assess(m, "CAN_RESIDE_IN_COMMUNITY", "true", 10, 200, "MDS")
    p.members.institutional[m] = True
    chronic = p.members.chronic[m, 0]
    dx = np.where(chronic >= 0, chronic, codes.DX_INDEX["I50.9"])
    for month in range(12):  # monthly interim bills of the ongoing long-term stay (admit type 3, elective)
        start = p.cal.d - 30 * (month + 1) + 1
        ok = admission <= start
        p.events.add(m[ok], codes.T["snf"], np.full(int(ok.sum()), start), dx[ok], los=29, admit=3,
                     admission=admission[ok])


def pregnant_or_postpartum(p: Planter, m: np.ndarray) -> None:
    pregnant, postpartum = _split(p, m, 0.55)
    add_pregnancies(p.rng, p.events, pregnant, p.cal.d + p.rng.integers(20, 200, size=len(pregnant)), p.cal)
    add_pregnancies(p.rng, p.events, postpartum, p.ago(len(postpartum), 30, 330), p.cal)


def delivered_long_ago(p: Planter, m: np.ndarray) -> None:
    add_pregnancies(p.rng, p.events, m, p.ago(len(m), 400, 450), p.cal)


# --- children and youth ---
def homeless_child(p: Planter, m: np.ndarray, with_minors: bool) -> None:
    p.housed(m, p.choose(CHILD_HOMELESS_STATUSES, len(m)), p.ago(len(m), 20, 500), None, with_minors)
    p.complex_need(m)


def homeless_family_adult(p: Planter, m: np.ndarray) -> None:
    p.housed(m, p.choose(ADULT_HOMELESS_STATUSES[:2], len(m)), p.ago(len(m), 20, 500), None, True)
    p.complex_need(m)


def smh_child(p: Planter, m: np.ndarray) -> None:
    program, diagnosis = _split(p, m, 0.6)
    p.program(program, "SMHS", p.ago(len(program), 30, 700), None, "COUNTY_BEHAVIORAL_HEALTH", p.npi("BH", program))
    who, day = p.distinct_ago(program, np.full(len(program), 3), 5, 330)
    p.visits(who, day, p.pick(codes.MENTAL_CHILD, len(who)), "behavioral")
    who, day = p.distinct_ago(diagnosis, np.full(len(diagnosis), 3), 5, 330)
    p.visits(who, day, p.pick(codes.SMI + codes.SUD[1:2], len(who)), "behavioral")


def mental_not_smh_child(p: Planter, m: np.ndarray) -> None:
    end = p.ago(len(m), 430, 600)
    p.program(m, "SMHS", end - p.rng.integers(100, 400, size=len(m)), end, "COUNTY_BEHAVIORAL_HEALTH")
    who, day = p.distinct_ago(m, np.full(len(m), 2), 5, 330)
    p.visits(who, day, p.pick(("F41.1", "F90.0"), len(who)), "behavioral")


def youth_release(p: Planter, m: np.ndarray, lo: int, hi: int) -> None:
    release = p.ago(len(m), lo, hi)
    p.incarceration.add(m, facility_type="YOUTH", admission_date=release - p.rng.integers(30, 400, size=len(m)),
                        release_date=release, source="COUNTY_PROBATION")


def ccs(p: Planter, m: np.ndarray, social: bool = True) -> None:
    p.program(m, p.choose(("CCS", "CCS_WCM"), len(m)), p.ago(len(m), 100, 2000), None, "DHCS_CCS", p.npi("CCS", m))
    who, day = p.distinct_ago(m, np.full(len(m), 2), 10, 330)
    p.visits(who, day, p.pick(codes.CCS_CONDITIONS, len(who)))
    if not social:
        p.assess(m, "ACES_SCORE", p.rng.integers(0, 4, size=len(m)).astype(str), 10, 300)
        return
    aces, food = _split(p, m, 0.6)
    p.assess(aces, "ACES_SCORE", p.rng.integers(4, 9, size=len(aces)).astype(str), 10, 300)
    p.visits(food, p.ago(len(food), 10, 300), codes.DX_INDEX["Z59.41"])


def foster(p: Planter, m: np.ndarray, ended: tuple[int, int] | None = None) -> None:
    end = None if ended is None else p.ago(len(m), *ended)
    start = (p.cal.d if end is None else end) - p.rng.integers(60, 1500, size=len(m))
    p.program(m, "FOSTER_CARE", np.maximum(start, p.members.birth[m]), end, "CWS_CMS")
    p.members.aid_code[m] = "4C"


def aged_out(p: Planter, m: np.ndarray) -> None:
    """Foster care that ended at 18 or 19 (the member is now older)."""
    birth = p.members.birth[m]
    end = birth + 18 * 365 + 5 + p.rng.integers(0, 600, size=len(m))
    p.program(m, "FOSTER_CARE", birth + 365 * p.rng.integers(8, 16, size=len(m)), end, "CWS_CMS")


def child_welfare_program(p: Planter, m: np.ndarray, program: str, ended: tuple[int, int] | None) -> None:
    end = None if ended is None else p.ago(len(m), *ended)
    start = (p.cal.d if end is None else end) - p.rng.integers(100, 900, size=len(m))
    p.program(m, program, np.maximum(start, p.members.birth[m]), end, "CWS_CMS")


def idd(p: Planter, m: np.ndarray) -> None:
    p.program(m, "REGIONAL_CENTER", np.maximum(p.ago(len(m), 100, 2000), p.members.birth[m]), None, "DDS")
    p.visits(m, p.ago(len(m), 10, 330), p.pick(codes.IDD, len(m)), "behavioral")


def idd_with(p: Planter, m: np.ndarray, other: str) -> None:
    idd(p, m)
    if other == "welfare":
        foster(p, m)
    else:
        p.program(m, "SMHS", p.ago(len(m), 30, 700), None, "COUNTY_BEHAVIORAL_HEALTH", p.npi("BH", m))


# --- exclusions: a base population plus the excluding fact (or the fact just outside its window) ---
def exclusion(p: Planter, m: np.ndarray, reason: str, near: bool) -> None:
    child = p.members.age[m] < 21
    if reason == "SELF_MANAGED":
        p.assess(m, "SELF_MANAGES_WELL", "true", *((400, 600) if near else (10, 330)))
    elif reason == "UNSAFE":
        p.assess(m, p.choose(("UNSAFE_BEHAVIOR", "UNSAFE_ENVIRONMENT"), len(m)), "true",
                 *((400, 600) if near else (10, 330)))
    else:
        program = {"HOSPICE_OR_PALLIATIVE": np.where(child, "PALLIATIVE_IOP", "HOSPICE"),
                   "COUNTY_TCM": np.full(len(m), "TCM"), "CHW_BENEFIT": np.full(len(m), "CHW"),
                   "DUPLICATIVE_PROGRAM": np.where(child, p.choose(CHILD_DUPLICATIVE, len(m)),
                                                   p.choose(ADULT_DUPLICATIVE, len(m))),
                   "PLAN_CASE_MANAGEMENT": p.choose(("CCM", "BCM"), len(m))}[reason]
        end = p.ago(len(m), 30, 200) if near else None
        start = (p.cal.d if end is None else end) - p.rng.integers(30, 500, size=len(m))
        p.program(m, program, start, end, "PLAN" if reason != "COUNTY_TCM" else "COUNTY_PUBLIC_HEALTH")
        if reason == "HOSPICE_OR_PALLIATIVE" and not near:
            p.members.hospice[m[~child]] = True


def _with_base(base: str, reason: str, near: bool) -> partial:
    def plant(p: Planter, m: np.ndarray) -> None:
        if base == "adult_ed":
            avoidable_ed(p, m, 5, 7, 170, 0, child=False)
        else:
            foster(p, m)
        exclusion(p, m, reason, near)
    return partial(plant)


EXCLUSIONS = ("SELF_MANAGED", "HOSPICE_OR_PALLIATIVE", "COUNTY_TCM", "UNSAFE", "CHW_BENEFIT", "DUPLICATIVE_PROGRAM",
              "PLAN_CASE_MANAGEMENT")


def _scenarios() -> tuple[Scenario, ...]:
    P, N = "planted", "near_miss"
    s = [
        Scenario("adult_homeless", 0.008, (22, 70), homeless_adult, (("ADULT_HOMELESS", "", P),)),
        Scenario("adult_homeless_ended", 0.0015, (22, 70), homeless_ended, (("ADULT_HOMELESS", "", N),)),
        Scenario("adult_doubled_up", 0.001, (22, 70), doubled_up_single, (("ADULT_HOMELESS", "", N),)),
        Scenario("adult_avoidable_ed", 0.004, (22, 75), partial(avoidable_ed, low=5, high=9, window=170, outside=0,
                 child=False), (("ADULT_AVOIDABLE_UTILIZATION", "", P),)),
        Scenario("adult_avoidable_stays", 0.001, (30, 80), partial(avoidable_stays, low=3, high=4, window=170,
                 outside=0, child=False), (("ADULT_AVOIDABLE_UTILIZATION", "", P),)),
        Scenario("adult_ed_exactly_4", 0.0015, (22, 75), partial(avoidable_ed, low=4, high=4, window=170, outside=2,
                 child=False), (("ADULT_AVOIDABLE_UTILIZATION", "", N),)),
        Scenario("adult_stays_exactly_2", 0.0005, (30, 80), partial(avoidable_stays, low=2, high=2, window=170,
                 outside=1, child=False), (("ADULT_AVOIDABLE_UTILIZATION", "", N),)),
        Scenario("adult_smh_sud", 0.006, (22, 64), smh_sud_adult, (("ADULT_SMH_SUD", "", P),)),
        Scenario("adult_smh_no_social_factor", 0.001, (22, 64), partial(smh_sud_adult, social=False),
                 (("ADULT_SMH_SUD", "", N),)),
        Scenario("adult_reentry", 0.0025, (22, 60), reentry_adult, (("ADULT_REENTRY", "", P),)),
        Scenario("adult_release_13_months_ago", 0.0005, (22, 60), partial(reentry_adult, release_lo=400,
                 release_hi=440), (("ADULT_REENTRY", "", N),)),
        Scenario("adult_ltc_risk", 0.0015, (66, 89), ltc_risk, (("ADULT_LTC_RISK", "", P),)),
        Scenario("adult_ltc_cannot_reside", 0.0003, (66, 89), partial(ltc_risk, can_reside="false"),
                 (("ADULT_LTC_RISK", "", N),)),
        Scenario("adult_nf_transition", 0.001, (56, 89), nf_resident, (("ADULT_NF_TRANSITION", "", P),)),
        Scenario("adult_nf_no_wish", 0.0003, (56, 89), partial(nf_resident, detail=""),
                 (("ADULT_NF_TRANSITION", "", N),)),
        Scenario("adult_birth_equity", 0.002, (22, 40), pregnant_or_postpartum, (("ADULT_BIRTH_EQUITY", "", P),),
                 female=True, disparity=True),
        Scenario("adult_pregnant_no_disparity", 0.001, (22, 40), pregnant_or_postpartum,
                 (("ADULT_BIRTH_EQUITY", "", N),), female=True, disparity=False),
        Scenario("adult_delivered_13_months_ago", 0.0005, (22, 40), delivered_long_ago,
                 (("ADULT_BIRTH_EQUITY", "", N),), female=True, disparity=True),
        Scenario("child_homeless", 0.0015, (14, 19), partial(homeless_child, with_minors=False),
                 (("CHILD_HOMELESS", "", P),)),
        Scenario("family_homeless_child", 0.0015, (1, 17), partial(homeless_child, with_minors=True),
                 (("FAMILY_HOMELESS", "", P), ("CHILD_HOMELESS", "", N))),
        Scenario("family_homeless_adult", 0.0015, (22, 50), homeless_family_adult,
                 (("FAMILY_HOMELESS", "", P), ("ADULT_HOMELESS", "", N))),
        Scenario("child_avoidable_ed", 0.003, (1, 19), partial(avoidable_ed, low=3, high=5, window=330, outside=0,
                 child=True), (("CHILD_AVOIDABLE_UTILIZATION", "", P),)),
        Scenario("child_avoidable_stays", 0.0005, (2, 19), partial(avoidable_stays, low=2, high=3, window=330,
                 outside=0, child=True), (("CHILD_AVOIDABLE_UTILIZATION", "", P),)),
        Scenario("child_ed_exactly_2", 0.001, (1, 19), partial(avoidable_ed, low=2, high=2, window=330, outside=1,
                 child=True), (("CHILD_AVOIDABLE_UTILIZATION", "", N),)),
        Scenario("child_smh_sud", 0.004, (12, 19), smh_child, (("CHILD_SMH_SUD", "", P),)),
        Scenario("child_mental_not_smh", 0.001, (8, 19), mental_not_smh_child, (("CHILD_SMH_SUD", "", N),)),
        Scenario("child_reentry", 0.0005, (14, 19), partial(youth_release, lo=20, hi=330),
                 (("CHILD_REENTRY", "", P),)),
        Scenario("child_release_13_months_ago", 0.0002, (15, 19), partial(youth_release, lo=400, hi=440),
                 (("CHILD_REENTRY", "", N),)),
        Scenario("child_ccs", 0.002, (1, 19), ccs, (("CHILD_CCS", "", P),)),
        Scenario("child_ccs_no_social_factor", 0.0005, (1, 19), partial(ccs, social=False), (("CHILD_CCS", "", N),)),
        Scenario("child_foster_care", 0.0015, (1, 17), foster, (("CHILD_WELFARE", "", P),)),
        Scenario("child_foster_care_ended", 0.0004, (18, 20), partial(foster, ended=(30, 300)),
                 (("CHILD_WELFARE", "", P),)),
        Scenario("child_aged_out", 0.0004, (22, 24), aged_out, (("CHILD_WELFARE", "", P),)),
        Scenario("child_aged_out_over_26", 0.0002, (27, 29), aged_out, (("CHILD_WELFARE", "", N),)),
        Scenario("child_adoption_assistance", 0.0004, (1, 16), partial(child_welfare_program,
                 program="ADOPTION_ASSISTANCE", ended=None), (("CHILD_WELFARE", "", P),)),
        Scenario("child_family_maintenance", 0.0004, (1, 16), partial(child_welfare_program,
                 program="FAMILY_MAINTENANCE", ended=(10, 300)), (("CHILD_WELFARE", "", P),)),
        Scenario("child_family_maintenance_ended", 0.0002, (3, 16), partial(child_welfare_program,
                 program="FAMILY_MAINTENANCE", ended=(420, 600)), (("CHILD_WELFARE", "", N),)),
        Scenario("child_idd_foster", 0.0005, (3, 16), partial(idd_with, other="welfare"),
                 (("CHILD_IDD", "", P), ("CHILD_WELFARE", "", P))),
        Scenario("child_idd_smh", 0.0005, (8, 19), partial(idd_with, other="smh"),
                 (("CHILD_IDD", "", P), ("CHILD_SMH_SUD", "", P))),
        Scenario("child_idd_alone", 0.001, (2, 19), idd, (("CHILD_IDD", "", N),)),
        Scenario("child_birth_equity", 0.0005, (15, 19), pregnant_or_postpartum, (("CHILD_BIRTH_EQUITY", "", P),),
                 female=True, disparity=True),
        Scenario("child_pregnant_no_disparity", 0.0003, (15, 19), pregnant_or_postpartum,
                 (("CHILD_BIRTH_EQUITY", "", N),), female=True, disparity=False),
    ]
    for reason in EXCLUSIONS:
        ages = (66, 85) if reason in ("HOSPICE_OR_PALLIATIVE", "DUPLICATIVE_PROGRAM") else (25, 64)
        key = reason.lower()
        s.append(Scenario(f"excluded_{key}_adult", 0.0004, ages, _with_base("adult_ed", reason, False),
                          (("ADULT_AVOIDABLE_UTILIZATION", reason, P),)))
        s.append(Scenario(f"excluded_{key}_child", 0.0002, (2, 16), _with_base("foster", reason, False),
                          (("CHILD_WELFARE", reason, P),)))
        s.append(Scenario(f"not_excluded_{key}_adult", 0.0002, ages, _with_base("adult_ed", reason, True),
                          (("ADULT_AVOIDABLE_UTILIZATION", "", P), ("ADULT_AVOIDABLE_UTILIZATION", reason, N))))
    # last: the scenarios above keep their members and data (planting draws in list order)
    s.append(Scenario("adult_homeless_disenrolled", 0.001, (22, 70), homeless_then_disenrolled,
                      (("ADULT_HOMELESS", "", N),), leaves=(3, 25)))
    return tuple(s)


SCENARIOS: tuple[Scenario, ...] = _scenarios()
