"""domain/outreach.py and domain/care_team.py: the plan's outreach settings, pace, unreachable, in-person first,
monthly gaps, and Lead Care Manager matching."""

from __future__ import annotations

from datetime import date

import pytest

from carehub.domain import care_team, outreach
from carehub.domain.outreach import Attempt, OutreachPolicy, OutreachState

POLICY = OutreachPolicy(required_attempts=3, distinct_methods=2, time_limit_days=90, first_attempt_days=10)
START = date(2025, 1, 1)


def test_shipped_policy_file_and_overrides():
    assert outreach.load_policy() == OutreachPolicy(3, 2, 90, 10, True, 1)
    tuned = outreach.load_policy(overrides={"required_attempts": 5, "in_person_first": 0})
    assert (tuned.required_attempts, tuned.in_person_first) == (5, False)
    with pytest.raises(ValueError, match="unknown outreach settings: attempts"):
        outreach.load_policy(overrides={"attempts": 2})
    with pytest.raises(ValueError):
        outreach.load_policy(overrides={"time_limit_days": 0})


def test_pace_first_attempt_then_evenly_to_the_limit():
    assert outreach.expected_attempts(START, date(2025, 1, 10), POLICY) == 0
    assert outreach.expected_attempts(START, date(2025, 1, 11), POLICY) == 1
    assert outreach.expected_attempts(START, date(2025, 2, 15), POLICY) == 2  # day 45 of 90
    assert outreach.expected_attempts(START, date(2025, 6, 1), POLICY) == 3
    one = [Attempt(date(2025, 1, 5), "IN_PERSON", "NO_ANSWER")]
    assert outreach.attempts_behind(one, started_on=START, today=date(2025, 2, 15), policy=POLICY) == 1
    assert outreach.attempts_behind([], started_on=START, today=date(2025, 2, 15), policy=POLICY) == 2
    reached = [Attempt(date(2025, 1, 5), "PHONE", "REACHED_DECLINED")]
    assert outreach.attempts_behind(reached, started_on=START, today=date(2025, 3, 1), policy=POLICY) == 0


def test_unreachable_only_after_the_limit_with_required_attempts_and_methods():
    three = [Attempt(date(2025, 1, 5), "IN_PERSON", "NO_ANSWER"), Attempt(date(2025, 2, 1), "PHONE", "NO_ANSWER"),
             Attempt(date(2025, 3, 1), "TEXT", "LEFT_MESSAGE")]
    assert outreach.deadline(START, POLICY) == date(2025, 4, 1)
    assert not outreach.unreachable(three, started_on=START, today=date(2025, 4, 1), policy=POLICY)
    assert outreach.unreachable(three, started_on=START, today=date(2025, 4, 2), policy=POLICY)
    assert outreach.state(three, started_on=START, today=date(2025, 4, 2), policy=POLICY) == OutreachState.UNREACHABLE
    phones = [Attempt(date(2025, 1, d), "PHONE", "NO_ANSWER") for d in (5, 6, 7)]
    # one method only, and no in-person attempt: not enough
    assert not outreach.unreachable(phones, started_on=START, today=date(2025, 5, 1), policy=POLICY)
    assert outreach.state(phones, started_on=START, today=date(2025, 5, 1), policy=POLICY) == OutreachState.OVERDUE
    no_in_person = [Attempt(date(2025, 1, d), m, "NO_ANSWER") for d, m in ((5, "PHONE"), (6, "TEXT"), (7, "MAIL"))]
    assert not outreach.unreachable(no_in_person, started_on=START, today=date(2025, 5, 1), policy=POLICY)
    assert outreach.unreachable(no_in_person, started_on=START, today=date(2025, 5, 1), policy=POLICY,
                                preferred_method="PHONE")
    assert outreach.state(three[:1], started_on=START, today=date(2025, 2, 15), policy=POLICY) == OutreachState.BEHIND
    assert outreach.state(three[:2], started_on=START, today=date(2025, 2, 15),
                          policy=POLICY) == OutreachState.ON_TRACK
    assert outreach.days_left(START, date(2025, 3, 30), POLICY) == 2


def test_in_person_first_warning_unless_member_prefers_another_method():
    phone_first = [Attempt(date(2025, 1, 2), "IN_PERSON", "NO_ANSWER"), Attempt(date(2025, 1, 1), "PHONE",
                                                                                 "NO_ANSWER")]
    assert "in person first" in outreach.in_person_first_warning(phone_first, POLICY)
    assert outreach.in_person_first_warning(phone_first, POLICY, preferred_method="PHONE") == ""
    in_person_first = [Attempt(date(2025, 1, 1), "IN_PERSON", "NO_ANSWER"),
                       Attempt(date(2025, 1, 2), "PHONE", "NO_ANSWER")]
    assert outreach.in_person_first_warning(in_person_first, POLICY) == ""
    assert outreach.in_person_first_warning([], POLICY) == ""
    off = OutreachPolicy(in_person_first=False)
    assert outreach.in_person_first_warning(phone_first, off) == ""


def test_monthly_gaps_count_complete_months_of_enrollment_only():
    contacts = [date(2025, 1, 20), date(2025, 3, 3)]
    gaps = outreach.monthly_gaps(contacts, enrolled_on=date(2025, 1, 15), ended_on=None, today=date(2025, 5, 10),
                                 policy=POLICY)
    assert gaps == [date(2025, 2, 1), date(2025, 4, 1)]
    ended = outreach.monthly_gaps(contacts, enrolled_on=date(2025, 1, 15), ended_on=date(2025, 2, 10),
                                  today=date(2025, 5, 10), policy=POLICY)
    assert ended == [date(2025, 2, 1)]
    two = OutreachPolicy(monthly_minimum_contacts=2)
    assert outreach.monthly_gaps(contacts, enrolled_on=date(2025, 1, 1), ended_on=date(2025, 1, 31),
                                 today=date(2025, 5, 1), policy=two) == [date(2025, 1, 1)]


def _cm(id_, role, languages=("en",), populations=(), caseload=0, max_caseload=10):
    return care_team.Candidate(id_, role, tuple(languages), tuple(populations), caseload, max_caseload)


def test_matching_language_population_role_fit_and_headroom():
    needs = care_team.Needs(language="Spanish", populations=("ADULT_HOMELESS",))
    nurse = _cm(1, "NURSE", ("en", "es"))
    housing = _cm(2, "HOUSING_NAVIGATOR", ("es",), ("ADULT_HOMELESS",))
    full = _cm(3, "HOUSING_NAVIGATOR", ("es",), ("ADULT_HOMELESS",), caseload=10)
    english = _cm(4, "HOUSING_NAVIGATOR", ("en",), ("ADULT_HOMELESS",), caseload=5)
    ranked = care_team.rank(needs, [nurse, housing, full, english])
    assert [m.candidate_id for m in ranked] == [2, 4, 1, 3]
    assert ranked[0].reasons == ("speaks the member's language", "experienced with ADULT_HOMELESS",
                                 "role fits the member's population")
    assert ranked[-1].full
    assert care_team.best(needs, [full]) is None
    switch = care_team.Needs(language="es", populations=("ADULT_HOMELESS",), exclude_ids=(2,))
    assert care_team.best(switch, [nurse, housing, full]).candidate_id == 1
    prefers_nurse = care_team.Needs(populations=("ADULT_HOMELESS",), preferred_role="NURSE")
    assert care_team.rank(prefers_nurse, [nurse, _cm(5, "CHW")])[0].candidate_id == 1


@pytest.mark.parametrize(("line", "kind"), [
    ({"claim_type": "institutional", "bill_type": "0111"}, "INPATIENT"),
    ({"claim_type": "Institutional", "bill_type": "112"}, "INPATIENT"),
    ({"claim_type": "institutional", "bill_type": "0211"}, "SNF"),
    ({"claim_type": "institutional", "bill_type": "0131", "revenue": "0450"}, "ED"),
    ({"claim_type": "institutional", "bill_type": "0131", "revenue": "0981"}, "ED"),
    ({"claim_type": "professional", "place_of_service": "23"}, "ED"),
    ({"claim_type": "professional", "place_of_service": "11", "hcpcs": "99285"}, "ED"),
    ({"claim_type": "professional", "place_of_service": "11", "hcpcs": "99213"}, ""),
    ({"claim_type": "institutional", "bill_type": "0131", "revenue": "0460"}, ""),
    ({"claim_type": None}, ""),
])
def test_utilization_kind(line, kind):
    args = {"claim_type": None, "bill_type": None, "revenue": None, "place_of_service": None, "hcpcs": None}
    assert outreach.utilization_kind(**{**args, **line}) == kind


def test_need_rank_puts_recent_events_first():
    calm = outreach.need_rank(recent_discharge=False, recent_release=False, unsheltered=False, populations=3,
                              score=90.0)
    released = outreach.need_rank(recent_discharge=False, recent_release=True, unsheltered=False, populations=1,
                                  score=None)
    outside = outreach.need_rank(recent_discharge=False, recent_release=False, unsheltered=True, populations=1,
                                 score=1.0)
    assert sorted([calm, outside, released]) == [released, outside, calm]
