"""Each Population of Focus and its criterion boundaries, on plans built by hand (spec/populations-of-focus.md)."""

from __future__ import annotations

from pathlib import Path

from plan_builder import Plan, met

D = "2024-08-31"  # D - 6 months = 2024-02-29, D - 12 months = 2023-08-31
INSIDE_6M = ["2024-03-01", "2024-04-10", "2024-05-20", "2024-06-30", "2024-08-31"]


def test_five_avoidable_ed_visits_in_six_months_meet_adult_avoidable_utilization(plan: Plan):
    plan.person("1", "1980-05-01")
    claims = [plan.ed("1", day) for day in INSIDE_6M]
    rows = plan.identify(D)
    assert rows == [{
        "person_id": "1", "member_id": "M1", "population": "ADULT_AVOIDABLE_UTILIZATION",
        "criteria": "AVOIDABLE_ED_5_IN_6M", "evidence": ";".join(sorted(f"claim:{c}" for c in claims)),
        "excluded": "false", "exclusion_reason": "", "continuity": "false", "priority": "1"}]


def test_four_avoidable_ed_visits_are_not_enough(plan: Plan):
    plan.person("1", "1980-05-01")
    for day in INSIDE_6M[:4]:
        plan.ed("1", day)
    assert plan.identify(D) == []


def test_six_month_window_excludes_d_minus_six_months_and_includes_d(plan: Plan):
    plan.person("edge", "1980-05-01")
    plan.person("today", "1980-05-01")
    for day in INSIDE_6M[:4]:
        plan.ed("edge", day)
        plan.ed("today", day)
    plan.ed("edge", "2024-02-29")  # exactly D - 6 months: outside (D - 6 months, D]
    plan.ed("today", D)  # a second claim on D is the same visit date as INSIDE_6M[4]... use another date
    rows = plan.identify(D)
    assert set(met(rows, "edge")) == set()
    assert set(met(rows, "today")) == {"ADULT_AVOIDABLE_UTILIZATION"}


def test_visits_after_d_do_not_count(plan: Plan):
    plan.person("1", "1980-05-01")
    for day in INSIDE_6M[:4]:
        plan.ed("1", day)
    plan.ed("1", "2024-09-01")
    assert plan.identify(D) == []


def test_ed_visit_followed_by_same_or_next_day_admission_counts_as_the_admission(plan: Plan):
    plan.person("next", "1980-05-01")
    plan.person("same", "1980-05-01")
    plan.person("later", "1980-05-01")
    for pid in ("next", "same", "later"):
        for day in INSIDE_6M:
            plan.ed(pid, day)
    plan.stay("next", "2024-05-21", "2024-05-24", dx="S72.001A")
    plan.stay("same", "2024-05-20", "2024-05-24", dx="S72.001A")
    plan.stay("later", "2024-05-22", "2024-05-24", dx="S72.001A")  # two days later: the visit still counts
    rows = plan.identify(D)
    assert "ADULT_AVOIDABLE_UTILIZATION" not in met(rows, "next")
    assert "ADULT_AVOIDABLE_UTILIZATION" not in met(rows, "same")
    assert "ADULT_AVOIDABLE_UTILIZATION" in met(rows, "later")


def test_icd_codes_with_or_without_dot_and_any_case_are_the_same_code(plan: Plan):
    plan.person("1", "1980-05-01")
    for day, dx in zip(INSIDE_6M, ["J06.9", "J069", "j06.9", "N39.0", "N390"], strict=True):
        plan.ed("1", day, dx=dx)
    assert met(plan.identify(D), "1")["ADULT_AVOIDABLE_UTILIZATION"]["criteria"] == "AVOIDABLE_ED_5_IN_6M"


def test_ed_visits_for_emergencies_outside_the_value_set_are_not_avoidable(plan: Plan):
    plan.person("1", "1980-05-01")
    for day in INSIDE_6M:
        plan.ed("1", day, dx="S72.001A")  # hip fracture
    assert "ADULT_AVOIDABLE_UTILIZATION" not in met(plan.identify(D), "1")


def test_institutional_ed_revenue_code_counts_as_an_ed_visit(plan: Plan):
    plan.person("1", "1980-05-01")
    for day in INSIDE_6M:
        plan.claim("1", day, kind="institutional", dx=("J45.909",), rev="450", bill="131")
    assert "ADULT_AVOIDABLE_UTILIZATION" in met(plan.identify(D), "1")


def test_three_avoidable_unplanned_stays_in_six_months(plan: Plan):
    plan.person("urgent", "1970-01-01")
    plan.person("elective", "1970-01-01")
    for adm, dis in [("2024-03-05", "2024-03-08"), ("2024-05-01", "2024-05-03"), ("2024-08-01", "2024-08-04")]:
        plan.stay("urgent", adm, dis, dx="I50.9", admit_type="1")
        plan.stay("elective", adm, dis, dx="I50.9", admit_type="3")
    rows = plan.identify(D)
    assert met(rows, "urgent")["ADULT_AVOIDABLE_UTILIZATION"]["criteria"] == "AVOIDABLE_STAYS_3_IN_6M"
    assert "ADULT_AVOIDABLE_UTILIZATION" not in met(rows, "elective")


def test_an_inpatient_and_a_nursing_stay_admitted_the_same_day_are_one_stay(plan: Plan):
    # spec "unplanned stay": one stay per admission date, whatever kind of stay its claims are
    plan.person("same_day", "1970-01-01")
    plan.person("three_days", "1970-01-01")
    plan.stay("same_day", "2024-05-01", "2024-05-03", bill="0111")
    plan.stay("same_day", "2024-05-01", "2024-05-20", bill="0211")
    plan.stay("same_day", "2024-07-01", "2024-07-03", bill="0111")
    for adm, dis in [("2024-04-01", "2024-04-03"), ("2024-05-01", "2024-05-03"), ("2024-07-01", "2024-07-03")]:
        plan.stay("three_days", adm, dis)
    rows = plan.identify(D)
    assert met(rows, "same_day") == {}
    assert met(rows, "three_days")["ADULT_AVOIDABLE_UTILIZATION"]["criteria"] == "AVOIDABLE_STAYS_3_IN_6M"


def test_smh_sud_stays_are_counted_by_admission_date(plan: Plan):
    # ">= 2 stays with an SMI/SUD principal diagnosis": an inpatient and a nursing claim admitted the same day are one
    for pid in ("one_date", "two_dates"):
        plan.person(pid, "1970-01-01")
        plan.program(pid, "SMHS", "2023-01-01")
        plan.housing(pid, "DOUBLED_UP", "2024-01-01", "2024-02-01")  # a complex social factor
        plan.claim(pid, "2024-01-15", dx=("F20.9",), hcpcs="99213")  # primary care: not crisis care alone
    plan.stay("one_date", "2024-05-01", "2024-05-03", dx="F20.9", admit_type="3")
    plan.stay("one_date", "2024-05-01", "2024-05-20", dx="F20.9", admit_type="3", bill="0211")
    plan.stay("two_dates", "2024-05-01", "2024-05-03", dx="F20.9", admit_type="3")
    plan.stay("two_dates", "2024-06-01", "2024-06-20", dx="F20.9", admit_type="3", bill="0211")
    rows = plan.identify(D)
    assert "ADULT_SMH_SUD" not in met(rows, "one_date")
    assert "SMH_SUD_STAYS_2_IN_12M" in met(rows, "two_dates")["ADULT_SMH_SUD"]["criteria"]


def test_every_dental_code_of_the_spec_is_avoidable(plan: Plan):
    # spec "avoidable ED visit": dental K00-K08
    for n in range(9):
        plan.person(f"K0{n}", "1980-05-01")
        for day in INSIDE_6M:
            plan.ed(f"K0{n}", day, dx=f"K0{n}.9" if n != 7 else "K07.60")
    rows = plan.identify(D)
    assert {pid for pid in (f"K0{n}" for n in range(9))
            if "ADULT_AVOIDABLE_UTILIZATION" in met(rows, pid)} == {f"K0{n}" for n in range(9)}


# spec "avoidable stay": the AHRQ PQI diagnoses (heart failure, community-acquired pneumonia, UTI, diabetes with
# complications or uncontrolled), not diabetes without complications nor hypostatic pneumonia
ACSC_IN = ("I09.81", "J15.211", "J16.0", "N11.9", "N15.1", "N28.85", "E11.65", "E10.10")
ACSC_OUT = ("E11.9", "E10.9", "E13.9", "J18.2")


def test_avoidable_stays_are_the_pqi_diagnoses(plan: Plan):
    for code in ACSC_IN + ACSC_OUT:
        plan.person(code, "1970-01-01")
        for adm, dis in [("2024-03-05", "2024-03-08"), ("2024-05-01", "2024-05-03"), ("2024-08-01", "2024-08-04")]:
            plan.stay(code, adm, dis, dx=code)
    rows = plan.identify(D)
    assert {code for code in ACSC_IN + ACSC_OUT if "ADULT_AVOIDABLE_UTILIZATION" in met(rows, code)} == set(ACSC_IN)


def test_asymptomatic_hiv_and_emphysema_are_chronic_conditions(plan: Plan):
    # spec "chronic condition": HIV (the spec's HIV is B20, Z21) and COPD (emphysema J43) make a complex need
    for pid, dx in (("Z21", "Z21"), ("J43", "J43.9"), ("none", "R51")):
        plan.person(pid, "1980-01-01")
        plan.housing(pid, "UNSHELTERED", "2024-01-01")
        plan.claim(pid, "2024-06-01", dx=(dx,), hcpcs="99213")
    rows = plan.identify(D)
    assert set(met(rows, "Z21")) == set(met(rows, "J43")) == {"ADULT_HOMELESS"}
    assert met(rows, "none") == {}


def test_a_vacuum_or_forceps_delivery_ends_pregnancy(plan: Plan):
    # spec "postpartum": a delivery procedure, here ICD-10-PCS vacuum (10D07Z6) and low forceps (10D07Z3) extraction
    for pid, procedure in (("vacuum", "10D07Z6"), ("forceps", "10D07Z3"), ("no_procedure", "")):
        plan.person(pid, "1995-01-01", race="black or african american")
        plan.claim(pid, "2024-03-01", dx=("Z34.83",))
        plan.claim(pid, "2024-06-01", kind="institutional", dx=("O70.0",), bill="0111", admit_type="3",
                   admission="2024-06-01", discharge="2024-06-03", end="2024-06-03", procedure=procedure)
    rows = plan.identify(D)
    assert met(rows, "vacuum")["ADULT_BIRTH_EQUITY"]["criteria"] == "POSTPARTUM;DISPARITY_GROUP"
    assert met(rows, "forceps")["ADULT_BIRTH_EQUITY"]["criteria"] == "POSTPARTUM;DISPARITY_GROUP"
    assert met(rows, "no_procedure")["ADULT_BIRTH_EQUITY"]["criteria"] == "PREGNANT;DISPARITY_GROUP"


def test_21st_birthday_on_d_makes_an_adult(plan: Plan):
    plan.person("adult", "2003-08-31")  # 21 on D
    plan.person("child", "2003-09-01")  # 21 tomorrow
    for pid in ("adult", "child"):
        for day in INSIDE_6M:
            plan.ed(pid, day)
    rows = plan.identify(D)
    assert set(met(rows, "adult")) == {"ADULT_AVOIDABLE_UTILIZATION"}
    assert set(met(rows, "child")) == {"CHILD_AVOIDABLE_UTILIZATION"}
    assert met(rows, "child")["CHILD_AVOIDABLE_UTILIZATION"]["criteria"] == "AVOIDABLE_ED_3_IN_12M"


def test_child_three_avoidable_ed_visits_in_twelve_months(plan: Plan):
    plan.person("three", "2012-01-01")
    plan.person("two", "2012-01-01")
    for day in ["2023-09-01", "2024-01-15", "2024-08-01"]:
        plan.ed("three", day, dx="H66.90")
    for day in ["2023-08-31", "2024-01-15", "2024-08-01"]:  # 2023-08-31 = D - 12 months: outside
        plan.ed("two", day, dx="H66.90")
    rows = plan.identify(D)
    assert set(met(rows, "three")) == {"CHILD_AVOIDABLE_UTILIZATION"}
    assert met(rows, "two") == {}


def test_adult_homeless_needs_homelessness_and_a_complex_need(plan: Plan):
    plan.person("both", "1975-01-01")
    plan.person("housing_only", "1975-01-01")
    plan.housing("both", "UNSHELTERED", "2024-06-01")
    plan.housing("housing_only", "UNSHELTERED", "2024-06-01")
    chronic = plan.claim("both", "2024-02-01", dx=("E11.9",), hcpcs="99213")
    rows = plan.identify(D)
    assert met(rows, "both")["ADULT_HOMELESS"]["criteria"] == "HOMELESS_HOUSING_STATUS;COMPLEX_NEED"
    assert met(rows, "both")["ADULT_HOMELESS"]["evidence"] == f"claim:{chronic};housing:UNSHELTERED:2024-06-01"
    assert met(rows, "housing_only") == {}


def test_homelessness_diagnosis_in_the_last_six_months(plan: Plan):
    plan.person("recent", "1975-01-01")
    plan.person("old", "1975-01-01")
    plan.claim("recent", "2024-07-01", dx=("Z59.02", "F32.9"))
    plan.claim("old", "2024-01-01", dx=("Z59.02", "F32.9"))
    rows = plan.identify(D)
    assert met(rows, "recent")["ADULT_HOMELESS"]["criteria"] == "HOMELESS_DX_Z59_0_6M;COMPLEX_NEED"
    assert met(rows, "old") == {}


def test_adult_homeless_with_minors_before_and_after_2023_07_01(plan: Plan):
    plan.person("1", "1985-01-01")
    plan.housing("1", "SHELTERED", "2023-01-01", minors=True)
    plan.claim("1", "2023-03-01", dx=("J45.909",))
    assert set(met(plan.identify("2023-06-30"), "1")) == {"ADULT_HOMELESS"}
    assert set(met(plan.identify("2023-07-01"), "1")) == {"FAMILY_HOMELESS"}


def test_children_homeless_list_includes_doubled_up_and_unaccompanied_youth(plan: Plan):
    plan.person("youth", "2008-01-01")
    plan.person("family_child", "2015-01-01")
    plan.person("adult", "1990-01-01")
    plan.housing("youth", "DOUBLED_UP", "2024-05-01", minors=False)
    plan.housing("family_child", "MOTEL_OR_CAMPGROUND", "2024-05-01", minors=True)
    plan.housing("adult", "DOUBLED_UP", "2024-05-01", minors=False)
    plan.claim("adult", "2024-05-02", dx=("E11.9",))
    rows = plan.identify(D)
    assert met(rows, "youth")["CHILD_HOMELESS"]["criteria"] == "HOMELESS_HOUSING_STATUS;UNACCOMPANIED"
    assert met(rows, "family_child")["FAMILY_HOMELESS"]["evidence"] == "housing:MOTEL_OR_CAMPGROUND:2024-05-01"
    assert met(rows, "adult") == {}  # doubled up is not on the adult list


def test_a_homeless_child_whose_household_is_not_on_record_is_reported_but_not_called_unaccompanied(plan: Plan):
    plan.person("infant_dx", "2022-06-01")  # a homelessness diagnosis says nothing of the household
    plan.person("sheltered_blank", "2013-01-01")
    plan.person("adult_dx", "1980-01-01")
    plan.claim("infant_dx", "2024-06-01", dx=("Z59.02",))
    plan.housing("sheltered_blank", "SHELTERED", "2024-01-01", minors=None)
    plan.claim("adult_dx", "2024-06-01", dx=("Z59.02", "E11.9"))
    rows = plan.identify(D)
    assert met(rows, "infant_dx")["CHILD_HOMELESS"]["criteria"] == "HOMELESS_DX_Z59_0_6M;HOUSEHOLD_UNKNOWN"
    assert met(rows, "sheltered_blank")["CHILD_HOMELESS"]["criteria"] == "HOMELESS_HOUSING_STATUS;HOUSEHOLD_UNKNOWN"
    assert set(met(rows, "adult_dx")) == {"ADULT_HOMELESS"}  # an unknown household: no dependent children on record


def test_adult_smh_sud_needs_criteria_social_factor_and_acuity(plan: Plan):
    plan.person("full", "1970-01-01")
    plan.person("no_acuity", "1970-01-01")
    for pid in ("full", "no_acuity"):
        plan.program(pid, "SMHS", "2023-01-01")
        plan.claim(pid, "2024-04-01", dx=("Z59.41",), hcpcs="99213")
    plan.assessment("full", "HIGH_RISK_SUICIDE", "true", "2024-06-01")
    rows = plan.identify(D)
    assert met(rows, "full")["ADULT_SMH_SUD"]["criteria"] == (
        "SMHS_DMC_PROGRAM_12M;COMPLEX_SOCIAL_FACTOR;HIGH_RISK_ASSESSMENT")
    assert "program:SMHS:2023-01-01" in met(rows, "full")["ADULT_SMH_SUD"]["evidence"]
    assert met(rows, "no_acuity") == {}


def test_adult_smh_sud_by_two_ed_visits_with_smi_principal_diagnosis(plan: Plan):
    plan.person("1", "1970-01-01")
    plan.ed("1", "2024-01-10", dx="F20.9")
    plan.ed("1", "2024-05-10", dx="F20.9")
    plan.housing("1", "DOUBLED_UP", "2023-12-01", "2024-02-01")
    plan.claim("1", "2024-03-01", hcpcs="99213", dx=("F20.9",))  # primary care: not "sole source"
    criteria = met(plan.identify(D), "1")["ADULT_SMH_SUD"]["criteria"]
    assert criteria == "SMI_SUD_PRINCIPAL_DX_12M;COMPLEX_SOCIAL_FACTOR;SMH_SUD_ED_2_IN_12M"


def test_child_smh_sud_needs_only_the_program_criteria(plan: Plan):
    plan.person("1", "2010-01-01")
    plan.program("1", "DMC_ODS", "2024-02-01")
    assert met(plan.identify(D), "1")["CHILD_SMH_SUD"]["evidence"] == "program:DMC_ODS:2024-02-01"


def test_adult_reentry_released_within_twelve_months_with_a_condition(plan: Plan):
    plan.person("recent", "1990-01-01")
    plan.person("old", "1990-01-01")
    plan.person("pre", "1990-01-01")
    plan.person("no_condition", "1990-01-01")
    plan.incarceration("recent", "JAIL", "2024-05-01")
    plan.incarceration("old", "PRISON", "2023-08-31")
    plan.incarceration("pre", "PRISON", expected="2024-10-15")
    plan.incarceration("no_condition", "JAIL", "2024-05-01")
    for pid in ("recent", "old", "pre"):
        plan.claim(pid, "2024-06-01", dx=("F11.20",))
    rows = plan.identify(D)
    assert met(rows, "recent")["ADULT_REENTRY"]["criteria"] == "RELEASED_12M;MENTAL_ILLNESS;SUD"
    assert "incarceration:JAIL:2024-05-01" in met(rows, "recent")["ADULT_REENTRY"]["evidence"]
    assert met(rows, "old") == {}
    assert met(rows, "pre")["ADULT_REENTRY"]["criteria"].startswith("PRE_RELEASE_90D;")
    assert met(rows, "no_condition") == {}


def test_child_reentry_from_a_youth_facility(plan: Plan):
    plan.person("1", "2007-01-01")
    plan.incarceration("1", "YOUTH", "2024-02-01")
    assert met(plan.identify(D), "1")["CHILD_REENTRY"]["evidence"] == "incarceration:YOUTH:2024-02-01"


def test_adult_ltc_risk_and_not_a_current_nursing_facility_resident(plan: Plan):
    plan.person("community", "1950-01-01")
    plan.person("resident", "1950-01-01")
    for pid in ("community", "resident"):
        plan.assessment(pid, "SNF_LEVEL_OF_CARE", "true", "2024-03-01")
        plan.assessment(pid, "CAN_RESIDE_IN_COMMUNITY", "true", "2024-03-01")
        plan.assessment(pid, "ACES_SCORE", "5", "2024-03-01")
    plan.program("resident", "NURSING_FACILITY", "2023-01-01")
    rows = plan.identify(D)
    assert met(rows, "community")["ADULT_LTC_RISK"]["criteria"] == (
        "SNF_LEVEL_OF_CARE;COMPLEX_SOCIAL_FACTOR;CAN_RESIDE_IN_COMMUNITY")
    assert met(rows, "resident") == {}


def test_adult_nf_transition(plan: Plan):
    plan.person("wants", "1950-01-01")
    plan.person("stays", "1950-01-01")
    plan.program("wants", "NURSING_FACILITY", "2023-01-01", detail="WANTS_TO_TRANSITION")
    plan.program("stays", "NURSING_FACILITY", "2023-01-01")
    for pid in ("wants", "stays"):
        plan.assessment(pid, "CAN_RESIDE_IN_COMMUNITY", "true", "2024-03-01")
    rows = plan.identify(D)
    assert met(rows, "wants")["ADULT_NF_TRANSITION"]["evidence"] == (
        "assessment:CAN_RESIDE_IN_COMMUNITY:2024-03-01;program:NURSING_FACILITY:2023-01-01")
    assert met(rows, "stays") == {}


def test_child_ccs_with_a_complex_social_factor(plan: Plan):
    plan.person("1", "2014-01-01")
    plan.person("no_factor", "2014-01-01")
    plan.program("1", "CCS_WCM", "2022-01-01")
    plan.program("no_factor", "CCS", "2022-01-01")
    plan.assessment("1", "LAW_ENFORCEMENT_CONTACT", "true", "2024-04-01")
    rows = plan.identify(D)
    assert met(rows, "1")["CHILD_CCS"]["criteria"] == "CCS_PROGRAM;COMPLEX_SOCIAL_FACTOR"
    assert met(rows, "no_factor") == {}


def test_child_welfare_foster_care_adoption_and_aged_out_youth_at_25_not_26(plan: Plan):
    plan.person("foster", "2010-01-01")
    plan.program("foster", "FOSTER_CARE", "2020-01-01")
    plan.person("adopted", "2012-01-01")
    plan.program("adopted", "ADOPTION_ASSISTANCE", "2016-01-01")
    plan.person("age25", "1998-09-01")  # 25 on D, 26 tomorrow
    plan.program("age25", "FOSTER_CARE", "2010-01-01", "2016-09-01")  # ended on the 18th birthday
    plan.person("age26", "1998-08-31")  # 26 on D
    plan.program("age26", "FOSTER_CARE", "2010-01-01", "2016-08-31")
    plan.person("left_at_17", "2000-01-01")
    plan.program("left_at_17", "FOSTER_CARE", "2010-01-01", "2017-06-30")
    rows = plan.identify(D)
    assert met(rows, "foster")["CHILD_WELFARE"]["criteria"] == "FOSTER_CARE_12M"
    assert met(rows, "adopted")["CHILD_WELFARE"]["criteria"] == "ADOPTION_ASSISTANCE"
    assert met(rows, "age25")["CHILD_WELFARE"]["criteria"] == "AGED_OUT_FOSTER_CARE"
    assert met(rows, "age26") == {}
    assert met(rows, "left_at_17") == {}


def test_child_idd_needs_another_population(plan: Plan):
    plan.person("foster_idd", "2012-01-01")
    plan.person("idd_only", "2012-01-01")
    plan.program("foster_idd", "FOSTER_CARE", "2020-01-01")
    plan.program("foster_idd", "REGIONAL_CENTER", "2015-01-01")
    plan.claim("idd_only", "2024-03-01", dx=("F84.0",))
    rows = plan.identify(D)
    assert set(met(rows, "foster_idd")) == {"CHILD_WELFARE", "CHILD_IDD"}
    assert met(rows, "foster_idd")["CHILD_IDD"]["evidence"] == "program:REGIONAL_CENTER:2015-01-01"
    assert met(rows, "idd_only") == {}


def test_child_idd_counts_birth_equity_only_where_it_is_live(plan: Plan, tmp_path: Path):
    # spec "Go-live by county": a population counts only where live, also as CHILD_IDD's "another population"
    schedule = tmp_path / "plan_value_sets"
    schedule.mkdir()
    (schedule / "go_live.csv").write_text(
        "population,phase,county,live_from,source\n"
        "CHILD_IDD,*,,2023-07-01,test\nCHILD_BIRTH_EQUITY,*,,2024-01-01,test\n"
        "CHILD_BIRTH_EQUITY,,Fresno,2024-07-01,test\n")
    for pid, county in (("alameda", "Alameda"), ("fresno", "Fresno")):
        plan.person(pid, "2009-01-01", county=county, race="black or african american")
        plan.program(pid, "REGIONAL_CENTER", "2015-01-01")
        plan.claim(pid, "2024-01-15", dx=("Z34.00",))
    rows = plan.identify("2024-03-01", schedule)
    assert set(met(rows, "alameda")) == {"CHILD_BIRTH_EQUITY", "CHILD_IDD"}
    assert met(rows, "fresno") == {}


def test_birth_equity_by_disparity_group_or_another_population(plan: Plan):
    plan.person("black", "1995-01-01", race="black or african american")
    plan.person("white", "1995-01-01", race="white")
    plan.person("teen", "2007-01-01", race="american indian or alaska native")
    for pid in ("black", "white", "teen"):
        plan.claim(pid, "2024-05-01", dx=("Z34.90",))
    rows = plan.identify(D)
    assert met(rows, "black")["ADULT_BIRTH_EQUITY"]["criteria"] == "PREGNANT;DISPARITY_GROUP"
    assert met(rows, "white") == {}
    assert set(met(rows, "teen")) == {"CHILD_BIRTH_EQUITY"}


def test_disparity_criterion_applies_from_2024_01_01(plan: Plan, tmp_path: Path):
    # Make birth equity live earlier, so only the rule's own effective date decides.
    schedule = tmp_path / "plan_value_sets"
    schedule.mkdir()
    (schedule / "go_live.csv").write_text(
        "population,phase,county,live_from,source\n"
        "ADULT_BIRTH_EQUITY,*,,2022-01-01,test\nADULT_HOMELESS,*,,2022-01-01,test\n")
    plan.person("disparity", "1995-01-01", race="black or african american")
    plan.person("homeless", "1995-01-01", race="white")
    for pid in ("disparity", "homeless"):
        plan.claim(pid, "2023-11-01", dx=("Z34.90",))
    plan.housing("homeless", "UNSHELTERED", "2023-10-01")
    plan.claim("homeless", "2023-10-02", dx=("E11.9",))
    before = plan.identify("2023-12-31", schedule)
    after = plan.identify("2024-01-01", schedule)
    assert met(before, "disparity") == {}
    assert met(after, "disparity")["ADULT_BIRTH_EQUITY"]["criteria"] == "PREGNANT;DISPARITY_GROUP"
    assert met(before, "homeless")["ADULT_BIRTH_EQUITY"]["criteria"] == "PREGNANT;OTHER_POPULATION"


def test_postpartum_after_delivery_is_no_longer_pregnant(plan: Plan):
    plan.person("1", "1995-01-01", race="native hawaiian or other pacific islander")
    plan.claim("1", "2024-01-10", dx=("Z34.90",))
    delivery = plan.claim("1", "2024-03-01", kind="institutional", dx=("O80", "Z37.0"), bill="111",
                          admission="2024-03-01", discharge="2024-03-03", admit_type="3")
    row = met(plan.identify(D), "1")["ADULT_BIRTH_EQUITY"]
    assert row["criteria"] == "POSTPARTUM;DISPARITY_GROUP"
    assert f"claim:{delivery}" in row["evidence"]
