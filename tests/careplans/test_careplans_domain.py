"""Care plan policy: domains, LTSS elements, diffs and reassessment due dates (carehub.domain.careplan)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carehub.domain import careplan as policy
from carehub.domain import deadlines


def complete_content(*, ltss: bool = False) -> dict:
    content = policy.empty_content()
    for code, entry in content["domains"].items():
        entry.update(goals=f"I want help with {code}", needs="need", strategies="plan", responsible="Lee",
                     due_date="2027-01-31", status="IN_PROGRESS")
    if ltss:
        content["ltss"] = {code: "written" for code in policy.LTSS_ELEMENT_CODES}
    return content


def test_the_ten_domains_of_the_policy_each_cite_their_source():
    assert policy.DOMAIN_CODES == ("PHYSICAL", "MENTAL", "DEVELOPMENTAL", "SUD", "LTSS", "ORAL", "COMMUNITY",
                                   "HEALTH_PROMOTION", "TRANSITIONAL", "SUPPORTS")
    assert all(d.source.startswith("seed 004 (PHC MCCP2032) VI.D.5.c.3") for d in policy.DOMAINS)
    assert [e.source for e in policy.LTSS_ELEMENTS][0] == "seed 004 (PHC MCCP2032) VI.D.5.b.3 a); 42 CFR 438.208(c)"
    assert [e.source.split(";")[0][-2:] for e in policy.LTSS_ELEMENTS] == ["a)", "b)", "c)", "d)", "e)", "f)", "g)"]


def test_every_domain_is_required_and_missing_fields_are_named():
    content = complete_content()
    content["domains"]["ORAL"].update(goals="", due_date="")
    assert policy.missing_items(content, ltss_needs=False) == [
        "Oral health: missing the member's goals (in their words), due date"]
    assert policy.missing_items(policy.empty_content(), ltss_needs=False)[0].startswith("Physical health: missing")
    assert len(policy.missing_items(policy.empty_content(), ltss_needs=False)) == 10


def test_a_domain_without_a_current_need_says_why():
    content = complete_content()
    content["domains"]["DEVELOPMENTAL"] = {"no_need": "Adult; no developmental needs identified"}
    assert policy.missing_items(content, ltss_needs=False) == []


def test_ltss_needs_require_every_person_centered_element_and_the_ltss_domain():
    content = complete_content()
    content["domains"]["LTSS"] = {"no_need": "none"}
    problems = policy.missing_items(content, ltss_needs=True)
    assert problems[0].startswith("Long-term services and supports (LTSS): missing")
    assert len(problems) == 1 + 7
    assert "People the member chose to take part in care planning" in problems[1]
    assert policy.missing_items(complete_content(ltss=True), ltss_needs=True) == []


def test_diff_names_domain_field_before_and_after():
    before, after = complete_content(), complete_content()
    after["domains"]["MENTAL"]["status"] = "MET"
    after["ltss"]["CHOICES"] = "Chose home care agency A"
    assert policy.diff_content(before, after) == [
        policy.Change("Mental health", "status", "IN_PROGRESS", "MET"),
        policy.Change("LTSS person-centered planning", "Choices offered about services and supports and who "
                      "provides them", "", "Chose home care agency A")]


@pytest.mark.parametrize(("authorized", "automatic", "assessed", "expected"), [
    (date(2026, 1, 15), True, None, date(2026, 7, 14)),   # automatic: by the last day of its six months
    (date(2025, 8, 31), True, None, date(2026, 2, 27)),   # month end clamps, as the authorization's end does
    (date(2026, 1, 15), True, date(2026, 1, 10), date(2026, 7, 14)),  # assessed before it started: still 6 months
    (date(2026, 1, 15), True, date(2026, 3, 1), date(2027, 3, 1)),    # reassessed: then the plan's cycle
    (date(2026, 1, 15), False, None, date(2027, 1, 15)),           # reviewed: the plan's cycle
    (date(2026, 1, 15), False, date(2026, 2, 1), date(2027, 2, 1)),
    (None, False, date(2026, 2, 1), date(2027, 2, 1)),
    (None, False, None, None),
])
def test_reassessment_due(authorized, automatic, assessed, expected):
    assert policy.reassessment_due(authorized_on=authorized, automatic=automatic, last_assessed_on=assessed) \
        == expected


def test_the_cycle_is_plan_tunable_and_must_be_positive():
    assert policy.reassessment_due(authorized_on=date(2026, 1, 15), automatic=False, last_assessed_on=None,
                                   cycle_months=9) == date(2026, 10, 15)
    with pytest.raises(ValueError):
        policy.reassessment_due(authorized_on=None, automatic=False, last_assessed_on=None, cycle_months=0)


def test_due_state_boundaries():
    due = date(2026, 6, 30)
    assert policy.due_state(due, date(2026, 5, 30)) == policy.DueState.LATER      # 31 days before
    assert policy.due_state(due, date(2026, 5, 31)) == policy.DueState.DUE_SOON   # 30 days before
    assert policy.due_state(due, due) == policy.DueState.DUE_SOON
    assert policy.due_state(due, date(2026, 7, 1)) == policy.DueState.OVERDUE


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(authorized=st.none() | days, automatic=st.booleans(), assessed=st.none() | days,
       cycle=st.integers(min_value=1, max_value=36))
def test_reassessment_is_always_after_what_it_counts_from(authorized, automatic, assessed, cycle):
    due = policy.reassessment_due(authorized_on=authorized, automatic=automatic, last_assessed_on=assessed,
                                  cycle_months=cycle)
    if authorized is None and assessed is None:
        assert due is None
        return
    assert due is not None
    if assessed is not None:
        assert due > assessed or (automatic and authorized is not None and assessed < authorized)
    if automatic and authorized is not None and (assessed is None or assessed < authorized):
        # the six-month transition reassessment, whatever the cycle: on the automatic authorization's last day
        assert due == deadlines.authorization_end(authorized, 6)
