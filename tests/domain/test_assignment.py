"""Assignment policy: each rule, their precedence, capacity, county and population, ties, and the batch solver."""

from __future__ import annotations

from stdnum import luhn

from carehub.domain.assignment import MemberCase, Provider, Rule, assign_batch
from carehub.domain.assignment.solver import build_problem, greedy, solve


def npi(n: int) -> str:
    body = f"1{n:08d}"
    return body + luhn.calc_check_digit("80840" + body)


PREF, PREV, CCS, BH, PCP, OTHER, OTHER2 = (npi(i) for i in range(1, 8))


def ecm(number: str, capacity: int = 5, counties=("alameda",), populations=("ADULT_HOMELESS", "ADULT_SMH_SUD",
        "CHILD_CCS"), languages=("en",), provider_type: str = "", **kw) -> Provider:
    from carehub.domain.assignment.policy import experienced_populations

    return Provider(npi=number, kind=kw.pop("kind", "ECM"), counties=frozenset(counties),
                    populations=frozenset(populations), languages=frozenset(languages), capacity=capacity,
                    provider_type=provider_type, experienced_populations=experienced_populations(provider_type))


def member(pid: str = "P1", population: str = "ADULT_SMH_SUD", **kw) -> MemberCase:
    kw.setdefault("county", "Alameda")
    return MemberCase(person_id=pid, population=population, **kw)


EVERY_RULE = dict(preferred_npi=PREF, previous_npis=(PREV,), ccs_case_manager_npis=(CCS,),
                  behavioral_health_npis=(BH,), pcp_npi=PCP)


def network(*providers: Provider) -> dict[str, Provider]:
    return {p.npi: p for p in providers}


def only(members, providers):
    [a] = assign_batch(members, providers)
    return a.provider_npi, a.rule


def test_each_rule_in_order_of_precedence():
    everyone = [ecm(n) for n in (PREF, PREV, CCS, BH, PCP, OTHER)]
    m = member(**EVERY_RULE)
    expected = [(PREF, Rule.MEMBER_PREFERENCE), (PREV, Rule.EXISTING_RELATIONSHIP), (CCS, Rule.CCS_CASE_MANAGER),
                (BH, Rule.BEHAVIORAL_HEALTH), (PCP, Rule.PCP), (OTHER, Rule.BEST_MATCH)]
    for k, outcome in enumerate(expected):
        assert only([m], network(*everyone[k:])) == outcome


def test_nothing_qualifies_is_unassigned_with_the_reasons():
    providers = network(ecm(PREF, capacity=0), ecm(PREV, counties=("fresno",)),
                        ecm(PCP, kind="PCP"), ecm(OTHER, populations=("ADULT_HOMELESS",)))
    [a] = assign_batch([member(**EVERY_RULE)], providers)
    assert (a.provider_npi, a.rule) == ("", Rule.UNASSIGNED)
    assert [str(c) for c in a.alternatives] == [
        f"MEMBER_PREFERENCE:{PREF}:FULL", f"EXISTING_RELATIONSHIP:{PREV}:COUNTY",
        f"CCS_CASE_MANAGER:{CCS}:NOT_IN_NETWORK", f"BEHAVIORAL_HEALTH:{BH}:NOT_IN_NETWORK", f"PCP:{PCP}:NOT_ECM"]


def test_full_preferred_provider_falls_to_the_next_rule():
    providers = network(ecm(PREF, capacity=1), ecm(PCP))
    first, second = assign_batch([member("P1", preferred_npi=PREF, pcp_npi=PCP),
                                  member("P2", preferred_npi=PREF, pcp_npi=PCP)], providers)
    assert (first.provider_npi, first.rule) == (PREF, Rule.MEMBER_PREFERENCE)
    assert (second.provider_npi, second.rule) == (PCP, Rule.PCP)
    assert [str(c) for c in second.alternatives] == [f"MEMBER_PREFERENCE:{PREF}:FULL"]


def test_precedence_across_the_batch_a_preference_beats_an_earlier_members_pcp():
    # P1 (first in the file) has PREF only as PCP; P2 asked for PREF. Preferences are served first.
    providers = network(ecm(PREF, capacity=1), ecm(OTHER))
    a1, a2 = assign_batch([member("P1", pcp_npi=PREF), member("P2", preferred_npi=PREF)], providers)
    assert (a2.provider_npi, a2.rule) == (PREF, Rule.MEMBER_PREFERENCE)
    assert (a1.provider_npi, a1.rule) == (OTHER, Rule.BEST_MATCH)


def test_county_and_population_mismatch():
    providers = network(ecm(PREF, counties=("fresno",)), ecm(PCP, populations=("ADULT_HOMELESS",)))
    [a] = assign_batch([member(preferred_npi=PREF, pcp_npi=PCP)], providers)
    assert a.rule == Rule.UNASSIGNED
    assert [c.outcome for c in a.alternatives] == ["COUNTY", "POPULATION"]


def test_member_without_a_county_is_not_assigned():
    assert only([member(county="", preferred_npi=PREF)], network(ecm(PREF))) == ("", Rule.UNASSIGNED)


def test_county_names_compare_loosely():
    assert only([member(county="  ALAMEDA County")], network(ecm(OTHER)))[1] == Rule.BEST_MATCH


def test_behavioral_health_rule_only_for_smh_sud_populations():
    providers = network(ecm(BH))
    assert only([member(population="ADULT_SMH_SUD", behavioral_health_npis=(BH,))], providers)[1] == \
        Rule.BEHAVIORAL_HEALTH
    assert only([member(population="ADULT_HOMELESS", behavioral_health_npis=(BH,))], providers)[1] == \
        Rule.BEST_MATCH


def test_ccs_case_manager_for_ccs_child():
    providers = network(ecm(CCS), ecm(PCP))
    assert only([member(population="CHILD_CCS", ccs_case_manager_npis=(CCS,), pcp_npi=PCP)], providers) == \
        (CCS, Rule.CCS_CASE_MANAGER)


def test_second_relationship_used_when_the_first_is_full():
    providers = network(ecm(PREV, capacity=0), ecm(OTHER))
    assert only([member(previous_npis=(PREV, OTHER))], providers) == (OTHER, Rule.EXISTING_RELATIONSHIP)


def test_best_match_prefers_language_then_experience_then_load():
    spanish = ecm(npi(20), languages=("en", "es"))
    experienced = ecm(npi(21), provider_type="HOMELESSNESS_ORGANIZATION")
    plain = ecm(npi(22))
    m = member(population="ADULT_HOMELESS", language="Spanish")
    assert only([m], network(spanish, experienced, plain)) == (spanish.npi, Rule.BEST_MATCH)
    assert only([member(population="ADULT_HOMELESS")], network(experienced, plain))[0] == experienced.npi
    # load: two equal providers share four members two and two, not four on one
    a, b = ecm(npi(23), capacity=10), ecm(npi(24), capacity=10)
    result = assign_batch([member(f"P{i}") for i in range(4)], network(a, b))
    assert sorted(r.provider_npi for r in result) == [a.npi, a.npi, b.npi, b.npi]


def test_ties_are_broken_the_same_way_every_time():
    providers = [ecm(npi(30 + i)) for i in range(5)]
    members = [member(f"P{i}") for i in range(7)]
    first = assign_batch(members, network(*providers))
    again = assign_batch(members, network(*reversed(providers)))
    assert [a.provider_npi for a in first] == [a.provider_npi for a in again]
    assert first[0].provider_npi == npi(30)  # lowest NPI wins a full tie


def test_solver_uses_capacity_where_greedy_would_strand_a_member():
    # P1 (first) could go to either provider and prefers WIDE (language); P2 can only go to WIDE.
    wide = ecm(npi(40), capacity=1, counties=("alameda", "fresno"), languages=("es",))
    narrow = ecm(npi(41), capacity=1, counties=("alameda",))
    members = [member("P1", language="es"), member("P2", county="Fresno", language="es")]
    problem = build_problem(members, [0, 1], network(wide, narrow), {wide.npi: 1, narrow.npi: 1})
    assert sum(greedy(problem).values()) == 1  # greedy strands P2
    assert sum(solve(problem).values()) == 2
    result = assign_batch(members, network(wide, narrow))
    assert [(a.provider_npi, a.rule) for a in result] == [(narrow.npi, Rule.BEST_MATCH), (wide.npi, Rule.BEST_MATCH)]


def test_capacity_is_never_exceeded_and_the_rest_are_unassigned():
    providers = network(ecm(npi(50), capacity=3), ecm(npi(51), capacity=2))
    result = assign_batch([member(f"P{i}", preferred_npi=npi(50)) for i in range(8)], providers)
    assigned = [a.provider_npi for a in result if a.provider_npi]
    assert assigned.count(npi(50)) == 3 and assigned.count(npi(51)) == 2
    assert [a.rule for a in result].count(Rule.UNASSIGNED) == 3
    assert [a.rule for a in result][:3] == [Rule.MEMBER_PREFERENCE] * 3  # file order wins a contested preference
