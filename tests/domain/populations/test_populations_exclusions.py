"""Exclusions (reported, never dropped), continuity, go-live by county, who is considered, priority, value sets."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from plan_builder import Plan, met

from carehub.domain.populations import OUTPUT_COLUMNS
from carehub.domain.populations.cli import identify_to_csv

D = "2024-08-31"
INSIDE_6M = ["2024-03-01", "2024-04-10", "2024-05-20", "2024-06-30", "2024-08-31"]


def avoidable_utilizer(plan: Plan, pid: str, **person) -> None:
    plan.person(pid, "1980-05-01", **person)
    for day in INSIDE_6M:
        plan.ed(pid, day)


@pytest.mark.parametrize(("setup", "reason"), [
    (lambda p: p.assessment("1", "SELF_MANAGES_WELL", "true", "2024-02-01"), "SELF_MANAGED"),
    (lambda p: p.program("1", "HOSPICE", "2024-07-01"), "HOSPICE_OR_PALLIATIVE"),
    (lambda p: p.program("1", "PALLIATIVE_IOP", "2024-07-01", "2024-12-31"), "HOSPICE_OR_PALLIATIVE"),
    (lambda p: p.program("1", "TCM", "2024-01-01"), "COUNTY_TCM"),
    (lambda p: p.assessment("1", "UNSAFE_ENVIRONMENT", "true", "2024-05-01"), "UNSAFE"),
    (lambda p: p.program("1", "CHW", "2024-08-01"), "CHW_BENEFIT"),
    (lambda p: p.program("1", "PACE", "2021-01-01"), "DUPLICATIVE_PROGRAM"),
    (lambda p: p.program("1", "CCM", "2024-06-01"), "PLAN_CASE_MANAGEMENT"),
])
def test_each_exclusion_is_reported_with_its_reason(plan: Plan, setup, reason):
    avoidable_utilizer(plan, "1")
    setup(plan)
    row = met(plan.identify(D), "1")["ADULT_AVOIDABLE_UTILIZATION"]
    assert (row["excluded"], row["exclusion_reason"]) == ("true", reason)
    assert row["criteria"] == "AVOIDABLE_ED_5_IN_6M"


def _with_outreach(plan: Plan, rows: list[str], value_sets: Path | None = None) -> list[dict[str, str]]:
    """Identify with an outreach-outcome file (what `carehub identify` exports from the operational database)."""
    outreach = plan.root / "outreach_outcome.csv"
    outreach.write_text("person_id,outcome,outcome_date\n" + "".join(f"{r}\n" for r in rows))
    out = plan.root / "with_outreach.csv"
    identify_to_csv(as_of=date.fromisoformat(D), folder=plan.write(), out=out, value_sets=value_sets,
                    outreach=outreach)
    with out.open() as f:
        return list(csv.DictReader(f))


def test_unresponsive_to_outreach_within_the_look_back(plan: Plan):
    """004 VI.C.1.d; look-back 180 days by default (value set outreach_outcomes.csv): D - 179 days excludes,
    D - 180 does not; an outcome after D does not count."""
    for pid in ("unreachable", "declined_179", "declined_180", "after_d", "hospice_too", "no_outreach"):
        avoidable_utilizer(plan, pid)
    plan.program("hospice_too", "HOSPICE", "2024-08-01")
    rows = _with_outreach(plan, ["unreachable,UNREACHABLE,2024-06-01", "declined_179,declined,2024-03-05",
                                 "declined_180,DECLINED,2024-03-04", "after_d,UNREACHABLE,2024-09-01",
                                 "hospice_too,UNREACHABLE,2024-07-01"])
    reason = {r["person_id"]: (r["excluded"], r["exclusion_reason"]) for r in rows}
    assert reason == {
        "unreachable": ("true", "UNRESPONSIVE"),
        "declined_179": ("true", "UNRESPONSIVE"),
        "declined_180": ("false", ""),
        "after_d": ("false", ""),
        "hospice_too": ("true", "HOSPICE_OR_PALLIATIVE"),  # the spec's table order: hospice before unresponsive
        "no_outreach": ("false", ""),
    }
    # without the operational outcomes (a run over plan data alone) nobody is excluded as unresponsive
    assert {r["exclusion_reason"] for r in plan.identify(D)} == {"", "HOSPICE_OR_PALLIATIVE"}


def test_the_outreach_look_back_is_the_plans(plan: Plan, tmp_path: Path):
    avoidable_utilizer(plan, "1")
    plan_sets = tmp_path / "plan_value_sets"
    plan_sets.mkdir()
    (plan_sets / "outreach_outcomes.csv").write_text("outcome,lookback_days,description\nUNREACHABLE,30,plan\n")
    assert _with_outreach(plan, ["1,UNREACHABLE,2024-06-01"])[0]["exclusion_reason"] == "UNRESPONSIVE"
    assert _with_outreach(plan, ["1,UNREACHABLE,2024-06-01"], plan_sets)[0]["exclusion_reason"] == ""
    assert _with_outreach(plan, ["1,UNREACHABLE,2024-08-15"], plan_sets)[0]["exclusion_reason"] == "UNRESPONSIVE"


def test_exclusion_programs_must_cover_d(plan: Plan):
    avoidable_utilizer(plan, "1")
    plan.program("1", "HOSPICE", "2023-01-01", "2024-08-30")
    row = met(plan.identify(D), "1")["ADULT_AVOIDABLE_UTILIZATION"]
    assert (row["excluded"], row["exclusion_reason"]) == ("false", "")


def test_tcm_communicable_disease_does_not_exclude_during_2024_25_only(plan: Plan):
    avoidable_utilizer(plan, "1")
    plan.program("1", "TCM", "2024-01-01", detail="COMMUNICABLE_DISEASE")
    during = met(plan.identify("2024-08-31"), "1")["ADULT_AVOIDABLE_UTILIZATION"]
    after = met(plan.identify("2025-07-01"), "1")
    assert during["excluded"] == "false"
    assert after == {}  # by 2025-07-01 the visits are out of the window; re-plant and check the exclusion
    for day in ["2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"]:
        plan.ed("1", day)
    row = met(plan.identify("2025-07-01"), "1")["ADULT_AVOIDABLE_UTILIZATION"]
    assert (row["excluded"], row["exclusion_reason"]) == ("true", "COUNTY_TCM")


def test_first_reason_in_policy_order_wins(plan: Plan):
    avoidable_utilizer(plan, "1")
    plan.program("1", "CCM", "2024-01-01")
    plan.program("1", "HOSPICE", "2024-01-01")
    assert met(plan.identify(D), "1")["ADULT_AVOIDABLE_UTILIZATION"]["exclusion_reason"] == "HOSPICE_OR_PALLIATIVE"


@pytest.mark.parametrize(("program", "start", "end", "expected"), [
    ("WPC", "2021-01-01", "", "true"),
    ("HHP", "2024-08-01", "", "true"),
    ("ECM", "2023-01-01", "2024-04-01", "true"),  # ECM elsewhere within the last 6 months
    ("ECM", "2023-01-01", "2024-02-29", "false"),  # ended exactly D - 6 months
    ("WPC", "2021-01-01", "2021-12-31", "false"),
])
def test_continuity_for_wpc_hhp_and_recent_ecm(plan: Plan, program, start, end, expected):
    avoidable_utilizer(plan, "1")
    plan.program("1", program, start, end)
    assert met(plan.identify(D), "1")["ADULT_AVOIDABLE_UTILIZATION"]["continuity"] == expected


def test_go_live_phase_2_county_later_than_phase_1(plan: Plan):
    plan.person("alameda", "1980-01-01", county="Alameda")  # Phase 1 (WPC, HHP)
    plan.person("fresno", "1980-01-01", county="Fresno")  # Phase 2
    for pid in ("alameda", "fresno"):
        for day in ["2021-11-01", "2021-12-01", "2022-01-05", "2022-02-01", "2022-02-20"]:
            plan.ed(pid, day)
    rows = plan.identify("2022-03-01")
    assert set(met(rows, "alameda")) == {"ADULT_AVOIDABLE_UTILIZATION"}
    assert met(rows, "fresno") == {}


def test_adult_reentry_live_from_2022_in_los_angeles_only(plan: Plan):
    # Los Angeles's WPC pilot served people leaving incarceration, so ECM took them on at launch (go_live.csv's county
    # row, seed 000 note to Figure 2); elsewhere the population went live on 2024-01-01.
    for pid, county in (("la", "Los Angeles"), ("alameda", "Alameda"), ("kern", "Kern")):
        plan.person(pid, "1980-01-01", county=county)
        plan.incarceration(pid, "JAIL", "2022-05-01")
        plan.claim(pid, "2022-06-01", dx=("F11.20",))
    rows = plan.identify("2022-08-01")
    assert set(met(rows, "la")) == {"ADULT_REENTRY"}
    assert met(rows, "alameda") == {} and met(rows, "kern") == {}


def test_children_populations_not_live_before_2023_07_01(plan: Plan):
    plan.person("1", "2010-01-01")
    plan.program("1", "FOSTER_CARE", "2020-01-01")
    assert plan.identify("2023-06-30") == []
    assert set(met(plan.identify("2023-07-01"), "1")) == {"CHILD_WELFARE"}


def test_death_on_or_before_d_and_no_eligibility_at_d(plan: Plan):
    avoidable_utilizer(plan, "died", death="2024-08-31")
    avoidable_utilizer(plan, "dies_later", death="2024-09-01")
    avoidable_utilizer(plan, "ended", end="2024-08-30")
    avoidable_utilizer(plan, "future", start="2024-09-01")
    rows = plan.identify(D)
    assert {r["person_id"] for r in rows} == {"dies_later"}


# One route into a population per table the shared rules read (housing, diagnoses, assessments, programs,
# incarceration, ED visits), each with the person's birth date.
ROUTES = {
    "ADULT_HOMELESS": ("1975-01-01", lambda p, pid: (p.housing(pid, "UNSHELTERED", "2024-06-01"),
                                                     p.claim(pid, "2024-02-01", dx=("E11.9",), hcpcs="99213"))),
    "ADULT_SMH_SUD": ("1970-01-01", lambda p, pid: (p.ed(pid, "2024-01-10", dx="F20.9"),
                                                    p.ed(pid, "2024-05-10", dx="F20.9"),
                                                    p.housing(pid, "DOUBLED_UP", "2023-12-01", "2024-02-01"))),
    "CHILD_SMH_SUD": ("2010-01-01", lambda p, pid: p.program(pid, "DMC_ODS", "2024-02-01")),
    "ADULT_REENTRY": ("1990-01-01", lambda p, pid: (p.incarceration(pid, "JAIL", "2024-05-01"),
                                                    p.claim(pid, "2024-06-01", dx=("F11.20",)))),
    "ADULT_LTC_RISK": ("1950-01-01", lambda p, pid: (
        p.assessment(pid, "SNF_LEVEL_OF_CARE", "true", "2024-03-01"),
        p.assessment(pid, "CAN_RESIDE_IN_COMMUNITY", "true", "2024-03-01"),
        p.assessment(pid, "ACES_SCORE", "5", "2024-03-01"))),
    "CHILD_WELFARE": ("2010-01-01", lambda p, pid: (p.program(pid, "FOSTER_CARE", "2020-01-01"),
                                                    p.program(pid, "WPC", "2024-01-01"))),
}


@pytest.mark.parametrize("population", sorted(ROUTES))
def test_people_not_considered_on_d_meet_no_population_by_any_route(plan: Plan, population: str):
    """The shared rules (diagnoses, programs, housing, releases, assessments) keep everyone's facts; each
    population starts from the people considered on D, so a member who died on or before D or whose eligibility
    does not cover D is never reported, excluded, continued or ranked."""
    birth, route = ROUTES[population]
    for pid, span in {"here": {}, "died": {"death": "2024-08-31"}, "ended": {"end": "2024-08-30"},
                      "future": {"start": "2024-09-01"}}.items():
        plan.person(pid, birth, **span)
        route(plan, pid)
        plan.program(pid, "HOSPICE", "2024-07-01")  # an exclusion, for the people it would apply to
    rows = plan.identify(D)
    assert met(rows, "here")[population]["exclusion_reason"] == "HOSPICE_OR_PALLIATIVE"
    assert {r["person_id"] for r in rows} == {"here"}


def test_output_columns_priority_and_ordering(plan: Plan):
    avoidable_utilizer(plan, "calm")
    avoidable_utilizer(plan, "discharged")
    plan.stay("discharged", "2024-08-20", "2024-08-25", dx="S72.001A")
    plan.housing("discharged", "UNSHELTERED", "2024-01-01")  # also ADULT_HOMELESS: two rows, one priority
    avoidable_utilizer(plan, "excluded")
    plan.stay("excluded", "2024-08-20", "2024-08-25", dx="S72.001A")
    plan.program("excluded", "HOSPICE", "2024-08-01")
    path = plan.root / "out.csv"
    rows = plan.identify(D)
    assert path.read_text().splitlines()[0] == ",".join(OUTPUT_COLUMNS)
    assert [(r["person_id"], r["population"], r["priority"]) for r in rows] == [
        ("discharged", "ADULT_AVOIDABLE_UTILIZATION", "1"),
        ("discharged", "ADULT_HOMELESS", "1"),
        ("calm", "ADULT_AVOIDABLE_UTILIZATION", "2"),
        ("excluded", "ADULT_AVOIDABLE_UTILIZATION", "3"),
    ]


def test_plan_value_set_replaces_the_default(plan: Plan, tmp_path: Path):
    avoidable_utilizer(plan, "1")
    for day in INSIDE_6M:
        plan.ed("1", day, dx="S72.001A")
    own = tmp_path / "own"
    own.mkdir()
    (own / "diagnoses.csv").write_text("value_set,code_prefix,exclude,description\nAVOIDABLE_ED,S72,false,test\n")
    assert met(plan.identify(D, own), "1")["ADULT_AVOIDABLE_UTILIZATION"]["evidence"].count("claim:") == 5
