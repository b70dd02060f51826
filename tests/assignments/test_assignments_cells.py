"""Capacity by county and population (providers.CapacityLine) limits assignment: a provider with room overall but
a full cell for the member's county and population is passed over (named rules record FULL; the best match uses
another provider), in the domain solver and in the app."""

from __future__ import annotations

from datetime import datetime

import pytest
from assign_helpers import LA, NPI_A, NPI_B, approved, ecm_provider
from factories import make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import services
from carehub.apps.providers import services as network_services
from carehub.domain.assignment import MemberCase, Provider, assign_batch
from carehub.domain.assignment.solver import build_problem, greedy, solve

SOON = datetime(2025, 6, 4, 9, 0, tzinfo=LA)


def provider(npi: str, capacity: int, cells=()) -> Provider:
    return Provider(npi=npi, counties=frozenset({"alameda", "marin"}), populations=frozenset({"ADULT_HOMELESS"}),
                    capacity=capacity, cell_capacity=tuple(cells))


def member(n: int, county: str = "Alameda", language: str = "", preferred: str = "") -> MemberCase:
    return MemberCase(person_id=f"P{n}", population="ADULT_HOMELESS", county=county, language=language,
                      preferred_npi=preferred)


def test_solver_respects_a_cell_limit_across_language_groups():
    network = {NPI_A: provider(NPI_A, 10, [("alameda", "ADULT_HOMELESS", 2)]), NPI_B: provider(NPI_B, 1)}
    members = [member(1, language="es"), member(2, language="en"), member(3, language="vi"),
               member(4, language="vi"), member(5, "Marin")]
    out = assign_batch(members, network)
    # Four Alameda members in three language groups share A's two Alameda places; B has one; Marin is not limited.
    assert [a.provider_npi for a in out] == [NPI_A, NPI_B, NPI_A, "", NPI_A]
    problem = build_problem(members, range(5), network, {NPI_A: 10, NPI_B: 1})
    for counts in (solve(problem), greedy(problem)):
        alameda_to_a = sum(n for (g, p), n in counts.items()
                           if problem.providers[p].npi == NPI_A and problem.groups[g][0] == "alameda")
        assert alameda_to_a == 2


def test_a_full_cell_is_recorded_as_full_for_a_named_provider():
    network = {NPI_A: provider(NPI_A, 10, [("alameda", "ADULT_HOMELESS", 0)]), NPI_B: provider(NPI_B, 10)}
    (decision,) = assign_batch([member(1, preferred=NPI_A)], network)
    assert decision.provider_npi == NPI_B and str(decision.alternatives[0]) == f"MEMBER_PREFERENCE:{NPI_A}:FULL"
    (other_county,) = assign_batch([member(2, county="Marin", preferred=NPI_A)], network)
    assert (other_county.provider_npi, other_county.rule) == (NPI_A, "MEMBER_PREFERENCE")


def test_only_the_cell_limit_binds_when_the_provider_has_room():
    network = {NPI_A: provider(NPI_A, 10, [("alameda", "ADULT_HOMELESS", 1)])}
    out = assign_batch([member(1), member(2), member(3, "Marin")], network)
    assert [a.provider_npi for a in out] == [NPI_A, "", NPI_A]


@pytest.mark.django_db
def test_the_app_limits_assignment_by_the_recorded_capacity_lines():
    plan = make_user(Role.PLAN_CARE_COORDINATION)
    a = ecm_provider(NPI_A, capacity=10)
    network_services.set_capacity_line(a, county="Alameda County", population="ADULT_HOMELESS", capacity=1,
                                       actor=make_user(Role.PLAN_PROVIDER_RELATIONS))
    for _ in range(3):
        approved(make_member(county="Alameda"), actor=plan)
    assert services.network()[NPI_A].cell_limits() == {("alameda", "ADULT_HOMELESS"): 1}
    outcome = services.assign_authorized(actor=plan, now=SOON)
    assert [x.provider_npi for x in outcome.assigned] == [NPI_A] and len(outcome.unassigned) == 2
    # The cell is now full: the open assignment counts against it.
    assert services.network()[NPI_A].cell_limits() == {("alameda", "ADULT_HOMELESS"): 0}
    ecm_provider(NPI_B, capacity=10)
    assert len(services.assign_authorized(actor=plan, now=SOON).assigned) == 2
