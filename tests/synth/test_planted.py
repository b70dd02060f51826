"""The ground truth (_truth/populations.csv) matches the data: planted members really meet their population's rule
(spec/populations-of-focus.md), near-misses really miss it, and background members stay clear of the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from carehub.synth.network import POPULATIONS
from carehub.synth.scenarios import EXCLUSIONS

from .conftest import AS_OF, Plan

D = f"date '{AS_OF.isoformat()}'"
DROP_OUTS = "adult_homeless_disenrolled"  # met ADULT_HOMELESS last month, lost eligibility before D
AVOIDABLE = r"^(J0[0-6]|H6[56]|N390|K0[0-8]|M54|R51|J45|J44|E1[01])"
ACSC = r"^(E1[01]|J44|J45|I10|I50|J18|N390|E86)"
VIEWS = f"""
create or replace temp view ed as
  select distinct person_id, claim_start_date d, replace(diagnosis_code_1, '.', '') dx from medical_claim
  where (claim_type = 'institutional' and (revenue_center_code between '0450' and '0459'
         or revenue_center_code = '0981'))
     or (claim_type = 'professional' and (place_of_service_code = '23' or hcpcs_code between '99281' and '99285'));
create or replace temp view stay as
  select distinct person_id, admission_date a, replace(diagnosis_code_1, '.', '') dx,
         bool_or(revenue_center_code between '0450' and '0459') through_ed, max(admit_type_code) admit_type
  from medical_claim where substr(bill_type_code, 1, 3) in ('011', '021') group by all;
create or replace temp view ed_visit as
  select * from ed where not exists
    (select 1 from stay s where s.person_id = ed.person_id and s.a between ed.d and ed.d + 1);
create or replace temp view avoidable_stay as
  select * from stay where (admit_type in ('1', '2') or through_ed) and regexp_matches(dx, '{ACSC}');
create or replace temp view member as
  select person_id, any_value(birth_date) birth_date, any_value(race) race, any_value(gender) gender,
         bool_or(enrollment_start_date <= {D} and coalesce(enrollment_end_date, {D}) >= {D}) enrolled_on_d,
         any_value(death_date) death_date
  from eligibility group by 1;
"""


@pytest.fixture(scope="module")
def plan(parquet_plan: Plan) -> Plan:
    parquet_plan.db.execute(VIEWS)
    return parquet_plan


def people(plan: Plan, population: str, kind: str, reason: str | None = "") -> set[str]:
    sql = "select person_id from truth where population = ? and kind = ?"
    params = [population, kind]
    if reason is not None:
        sql += " and coalesce(excluded_reason, '') = ?"
        params.append(reason)
    return {row[0] for row in plan.rows(sql, params)}


def counts(plan: Plan, sql: str) -> dict[str, int]:
    return dict(plan.rows(sql))


def test_every_population_and_every_exclusion_is_planted_with_near_misses(plan: Plan):
    planted = {row[0] for row in plan.rows("select population from truth where kind = 'planted'")}
    assert planted == set(POPULATIONS)
    reasons = {row[0] for row in plan.rows("select excluded_reason from truth where kind = 'planted' "
                                           "and excluded_reason is not null")}
    assert reasons == set(EXCLUSIONS) - {"UNRESPONSIVE"}
    near = {row[0] for row in plan.rows("select population from truth where kind = 'near_miss'")}
    assert len(near) >= 14
    per_population = counts(plan, "select population, count(distinct person_id) from truth where kind = 'planted' "
                                  "group by 1")
    assert min(per_population.values()) >= 3
    planted_share = plan.scalar("select count(distinct person_id) from truth") / 4000
    assert 0.03 < planted_share < 0.15


def test_planted_members_are_enrolled_alive_and_of_the_right_age(plan: Plan):
    rows = plan.rows(f"""select t.population, m.enrolled_on_d, m.death_date,
                            date_diff('year', m.birth_date, {D}) - case when strftime(m.birth_date, '%m%d')
                              > strftime({D}, '%m%d') then 1 else 0 end age
                         from truth t join member m using (person_id)
                         where t.scenario <> '{DROP_OUTS}'""")
    assert all(enrolled and death is None for _, enrolled, death, _ in rows)
    for population, _, _, age in rows:
        if population.startswith("ADULT_"):
            assert age >= 21, population
        elif population in ("CHILD_HOMELESS", "CHILD_AVOIDABLE_UTILIZATION", "CHILD_REENTRY", "CHILD_CCS",
                            "CHILD_SMH_SUD", "CHILD_IDD", "CHILD_BIRTH_EQUITY"):
            assert age < 21, population


def test_adult_avoidable_utilization_from_the_claims(plan: Plan):
    ed = counts(plan, f"""select person_id, count(distinct d) from ed_visit where regexp_matches(dx, '{AVOIDABLE}')
                          and d > {D} - interval 6 month and d <= {D} group by 1""")
    stays = counts(plan, f"select person_id, count(*) from avoidable_stay where a > {D} - interval 6 month group by 1")
    planted = people(plan, "ADULT_AVOIDABLE_UTILIZATION", "planted", reason=None)
    assert planted and all(ed.get(p, 0) >= 5 or stays.get(p, 0) >= 3 for p in planted)
    near = people(plan, "ADULT_AVOIDABLE_UTILIZATION", "near_miss") - planted
    assert near and all(ed.get(p, 0) <= 4 and stays.get(p, 0) <= 2 for p in near)
    assert sum(ed.get(p, 0) == 4 for p in near) >= 3  # exactly 4 avoidable ED visits in 6 months
    assert sum(stays.get(p, 0) == 2 for p in near) >= 1


def test_child_avoidable_utilization_from_the_claims(plan: Plan):
    ed = counts(plan, f"""select person_id, count(distinct d) from ed_visit where regexp_matches(dx, '{AVOIDABLE}')
                          and d > {D} - interval 12 month group by 1""")
    stays = counts(plan, f"select person_id, count(*) from avoidable_stay where a > {D} - interval 12 month group by 1")
    planted = people(plan, "CHILD_AVOIDABLE_UTILIZATION", "planted")
    assert planted and all(ed.get(p, 0) >= 3 or stays.get(p, 0) >= 2 for p in planted)
    near = people(plan, "CHILD_AVOIDABLE_UTILIZATION", "near_miss")
    assert near and all(ed.get(p, 0) == 2 and stays.get(p, 0) == 0 for p in near)


def test_adult_homeless_from_housing_and_diagnoses(plan: Plan):
    homeless = {row[0] for row in plan.rows(f"""
        select person_id from housing_status where start_date <= {D} and coalesce(end_date, {D}) >= {D}
          and household_with_minors = 'false' and status in ('UNSHELTERED', 'SHELTERED', 'LACKS_NIGHTTIME_RESIDENCE',
          'EXITING_INSTITUTION', 'IMMINENT_LOSS_30_DAYS', 'FLEEING_VIOLENCE')
        union select person_id from medical_claim where replace(diagnosis_code_1, '.', '') like 'Z590%'
          and claim_start_date > {D} - interval 6 month""")}
    planted = people(plan, "ADULT_HOMELESS", "planted")
    assert planted and planted <= homeless
    assert not (people(plan, "ADULT_HOMELESS", "near_miss") - drop_outs(plan)) & homeless


def drop_outs(plan: Plan) -> set[str]:
    return {row[0] for row in plan.rows(f"select person_id from truth where scenario = '{DROP_OUTS}'")}


def test_drop_outs_were_homeless_and_enrolled_last_month_and_are_not_enrolled_on_d(plan: Plan):
    """The members no longer eligible of a monthly comparison: homeless since before last month's end, with a
    complex need, one eligibility span that ends 3-25 days before D, and no claim after it."""
    month_before = f"({D} - interval 1 month)"
    rows = plan.rows(f"""
        select m.person_id, m.enrolled_on_d, max(e.enrollment_end_date) ends, count(*) spans,
               bool_or(h.start_date <= {month_before} and h.end_date is null) homeless_then,
               (select max(claim_start_date) from medical_claim c where c.person_id = m.person_id) last_claim
        from member m join eligibility e using (person_id) join housing_status h using (person_id)
        where m.person_id in (select person_id from truth where scenario = '{DROP_OUTS}') group by m.person_id, 2""")
    assert len(rows) == len(drop_outs(plan)) >= 3
    for person_id, enrolled_on_d, ends, spans, homeless_then, last_claim in rows:
        assert not enrolled_on_d and spans == 1 and homeless_then, person_id
        assert AS_OF - timedelta(days=25) <= ends <= AS_OF - timedelta(days=3), (person_id, ends)
        assert last_claim is None or last_claim < ends, (person_id, last_claim)


def test_reentry_releases_inside_and_just_outside_twelve_months(plan: Plan):
    released = dict(plan.rows("""select person_id, max(coalesce(release_date, expected_release_date - 365))
                                  from incarceration group by 1"""))
    recent = f"{AS_OF.year - 1}-{AS_OF.month:02d}-{AS_OF.day:02d}"
    for person in people(plan, "ADULT_REENTRY", "planted") | people(plan, "CHILD_REENTRY", "planted"):
        assert str(released[person]) > recent or released[person] is None
    for person in people(plan, "ADULT_REENTRY", "near_miss") | people(plan, "CHILD_REENTRY", "near_miss"):
        assert str(released[person]) < recent  # released 13 or more months ago
    youth = {row[0] for row in plan.rows("select person_id from incarceration where facility_type = 'YOUTH'")}
    assert people(plan, "CHILD_REENTRY", "planted") <= youth


def test_birth_equity_needs_pregnancy_and_a_disparity_group(plan: Plan):
    pregnancy = {row[0] for row in plan.rows(f"""select person_id from medical_claim
        where regexp_matches(replace(diagnosis_code_1, '.', ''), '^(O|Z34|Z37)') and claim_start_date > {D} - 365""")}
    races = dict(plan.rows("select person_id, race from member"))
    disparity = {"black or african american", "american indian or alaska native",
                 "native hawaiian or other pacific islander"}
    for population in ("ADULT_BIRTH_EQUITY", "CHILD_BIRTH_EQUITY"):
        planted = people(plan, population, "planted")
        assert planted and planted <= pregnancy and {races[p] for p in planted} <= disparity
        for person in people(plan, population, "near_miss"):
            assert races[person] not in disparity or person not in pregnancy


def test_exclusions_are_present_for_excluded_members_and_absent_for_near_misses(plan: Plan):
    facts = {
        "SELF_MANAGED": "select person_id from assessment where kind = 'SELF_MANAGES_WELL' and {recent}",
        "UNSAFE": "select person_id from assessment where kind like 'UNSAFE_%' and {recent}",
        "HOSPICE_OR_PALLIATIVE": "select person_id from program_enrollment where program in ('HOSPICE', "
                                 "'PALLIATIVE_IOP') and {covering}",
        "COUNTY_TCM": "select person_id from program_enrollment where program = 'TCM' and {covering}",
        "CHW_BENEFIT": "select person_id from program_enrollment where program = 'CHW' and {covering}",
        "DUPLICATIVE_PROGRAM": "select person_id from program_enrollment where program in ('MSSP', 'ALW', 'HCBA', "
                               "'HIV_AIDS_WAIVER', 'DD_WAIVER', 'SDP', 'CAL_MEDICONNECT', 'FIDE_SNP', 'PACE', "
                               "'FAMILY_MOSAIC', 'CCT') and {covering}",
        "PLAN_CASE_MANAGEMENT": "select person_id from program_enrollment where program in ('CCM', 'BCM') "
                                "and {covering}",
    }
    recent = f"assessed_on > {D} - interval 12 month and value = 'true'"
    covering = f"start_date <= {D} and coalesce(end_date, {D}) >= {D}"
    for reason, sql in facts.items():
        having = {row[0] for row in plan.rows(sql.format(recent=recent, covering=covering))}
        excluded = {row[0] for row in plan.rows("select person_id from truth where excluded_reason = ? and "
                                                "kind = 'planted'", [reason])}
        near = {row[0] for row in plan.rows("select person_id from truth where excluded_reason = ? and "
                                            "kind = 'near_miss'", [reason])}
        assert excluded and excluded <= having, reason
        assert near and not near & having, reason


def test_background_members_stay_clear_of_the_rules(plan: Plan):
    background = "(select person_id from member where person_id not in (select person_id from truth))"
    assert plan.scalar(f"""select count(*) from ed_visit where regexp_matches(dx, '{AVOIDABLE}')
                           and person_id in {background}""") == 0
    assert plan.scalar(f"select count(*) from avoidable_stay where person_id in {background}") == 0
    assert plan.scalar(f"""select count(*) from medical_claim where person_id in {background} and
        regexp_matches(replace(diagnosis_code_1, '.', ''), '^(F2|F3[01]|F10|F11|F15|Z59[01]|Z5[5-9]|Z6[0-5])')
        and replace(diagnosis_code_1, '.', '') not in ('F329', 'F32A')""") == 0
    assert plan.scalar(f"select count(*) from housing_status where status <> 'HOUSED' "
                       f"and person_id in {background}") == 0
    assert plan.scalar(f"select count(*) from incarceration where person_id in {background}") == 0
    assert plan.scalar(f"""select count(*) from program_enrollment where person_id in {background}
                           and program not in ('WPC', 'HHP', 'ECM')""") == 0
    assert plan.scalar(f"""select count(*) from assessment where person_id in {background}
                           and (kind not in ('HRA', 'ACES_SCORE') or (kind = 'ACES_SCORE' and value::int >= 4))""") == 0
