"""Why a member is no longer identified for a population: the order of the reasons and the age limits' edges."""

from __future__ import annotations

from datetime import date

import pytest

from carehub.domain.populations.leaving import AGE_LIMITS, Leaving, MemberFacts, describe, leaving

AS_OF = date(2024, 8, 31)


def facts(*, birth=date(1990, 5, 1), death=None, enrolled=True, last=None) -> MemberFacts:
    return MemberFacts(birth_date=birth, death_date=death, enrolled=enrolled, last_enrolled=last)


def test_enrolled_means_a_span_covers_the_date():
    from carehub.domain.populations.leaving import member_facts

    def spans(*pairs):
        return member_facts(None, None, list(pairs), AS_OF)

    assert spans((date(2024, 1, 1), None)).enrolled
    assert spans((date(2024, 1, 1), AS_OF)).enrolled  # ends on the date itself
    ended = spans((date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 1, 1), date(2024, 8, 15)),
                  (date(2024, 9, 1), None))  # re-enrolled after the date: not enrolled on it
    assert (ended.enrolled, ended.last_enrolled) == (False, date(2024, 8, 15))
    assert (spans().enrolled, spans().last_enrolled) == (False, None)


def test_death_comes_first_then_enrollment_then_age_then_criteria():
    assert leaving("ADULT_HOMELESS", AS_OF, facts(death=date(2024, 8, 20), enrolled=False)) == (
        Leaving.DECEASED, date(2024, 8, 20))
    assert leaving("CHILD_CCS", AS_OF, facts(birth=date(2003, 8, 1), enrolled=False, last=date(2024, 8, 15))) == (
        Leaving.NOT_ENROLLED, date(2024, 8, 15))
    assert leaving("CHILD_CCS", AS_OF, facts(birth=date(2003, 8, 1))) == (Leaving.AGED_OUT, date(2024, 8, 1))
    assert leaving("ADULT_HOMELESS", AS_OF, facts()) == (Leaving.CRITERIA, None)


def test_a_death_after_the_date_and_a_member_missing_from_the_file():
    assert leaving("ADULT_HOMELESS", AS_OF, facts(death=date(2024, 9, 1))) == (Leaving.CRITERIA, None)
    assert leaving("ADULT_HOMELESS", AS_OF, None) == (Leaving.NOT_ENROLLED, None)


@pytest.mark.parametrize("population, birth, expected", [
    ("CHILD_SMH_SUD", date(2003, 8, 31), (Leaving.AGED_OUT, date(2024, 8, 31))),  # 21 on the date itself
    ("CHILD_SMH_SUD", date(2003, 9, 1), (Leaving.CRITERIA, None)),  # 21 the day after
    ("CHILD_WELFARE", date(2003, 8, 1), (Leaving.CRITERIA, None)),  # former foster youth: up to 26
    ("CHILD_WELFARE", date(1998, 8, 31), (Leaving.AGED_OUT, date(2024, 8, 31))),
    ("FAMILY_HOMELESS", date(2003, 8, 1), (Leaving.CRITERIA, None)),  # any age
    ("ADULT_SMH_SUD", date(1950, 1, 1), (Leaving.CRITERIA, None)),
])
def test_age_limits(population, birth, expected):
    assert leaving(population, AS_OF, facts(birth=birth)) == expected


def test_a_leap_day_birthday_counts_on_the_first_of_march():
    born = date(2004, 2, 29)  # turns 21 in 2025, which has no 29 February
    assert leaving("CHILD_CCS", date(2025, 2, 28), facts(birth=born)) == (Leaving.CRITERIA, None)
    assert leaving("CHILD_CCS", date(2025, 3, 1), facts(birth=born)) == (Leaving.AGED_OUT, date(2025, 3, 1))


def test_codes_for_the_apis_and_the_discontinuation_reasons():
    from carehub.domain.discontinuation import Reason, default_reasons
    from carehub.domain.populations.leaving import DISCONTINUATION, reason_code

    assert reason_code("NOT_ENROLLED", date(2024, 8, 15)) == "NOT_ENROLLED:2024-08-15"
    assert reason_code("CRITERIA", None) == "CRITERIA"
    assert set(DISCONTINUATION.values()) <= set(default_reasons())  # real reasons of the discontinuation policy
    assert DISCONTINUATION == {"DECEASED": Reason.DECEASED, "NOT_ENROLLED": Reason.LOST_ELIGIBILITY}


def test_words_for_a_coordinator():
    assert describe("NOT_ENROLLED", date(2024, 8, 15)) == "Medi-Cal eligibility ended 2024-08-15"
    assert describe("NOT_ENROLLED", None) == "No longer enrolled with the plan"
    assert describe("DECEASED", date(2024, 8, 20)) == "Died 2024-08-20"
    assert describe("AGED_OUT", date(2024, 8, 1), "CHILD_WELFARE") == "Turned 26 on 2024-08-01"
    assert describe("AGED_OUT", date(2024, 8, 1), "CHILD_CCS") == "Turned 21 on 2024-08-01"
    assert describe("CRITERIA", None) == "No longer meets the criteria"


def test_the_age_limits_are_those_the_rule_files_test():
    """AGE_LIMITS explains what the rules do; read each population's SQL so the two cannot drift apart: the
    oldest age a rule admits (`age < N`, `age BETWEEN a AND b`), none where it has no upper bound."""
    import re
    from pathlib import Path

    from carehub.domain.populations import leaving as module
    from carehub.domain.populations.labels import POPULATIONS

    rules = Path(module.__file__).parent
    found = {}
    for code in POPULATIONS:
        sql = (rules / f"pop_{code.lower()}.sql").read_text()
        code_lines = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        below = [int(n) for n in re.findall(r"\bage < (\d+)", code_lines)]
        below += [int(b) + 1 for _, b in re.findall(r"\bage BETWEEN (\d+) AND (\d+)", code_lines)]
        if below and not re.search(r"\bage >= \d+", code_lines):
            found[code] = max(below)
    assert found == AGE_LIMITS
