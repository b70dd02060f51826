"""Planting: choosing which members of a chunk carry a scenario, and the helpers scenarios use to write facts.

A scenario (scenarios.py) makes a member meet a Population of Focus, meet one and be excluded, or narrowly miss
one (a near-miss). What was planted is written to _truth/populations.csv so that identification can be checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from carehub.domain.counties import county
from carehub.synth import codes
from carehub.synth.claims import add_ed_visits
from carehub.synth.codes import T
from carehub.synth.context import Calendar, Events, Rows, day_number
from carehub.synth.members import Members, birth_for_age, refresh
from carehub.synth.network import Network
from carehub.synth.reference import mix

PROGRAM_COLUMNS = ("program", "start_date", "end_date", "source", "detail")
HOUSING_COLUMNS = ("status", "start_date", "end_date", "source", "household_with_minors")
INCARCERATION_COLUMNS = ("facility_type", "admission_date", "release_date", "expected_release_date", "source")
ASSESSMENT_COLUMNS = ("kind", "value", "assessed_on", "source")
TRUTH_COLUMNS = ("population", "excluded_reason", "kind", "scenario")


@dataclass
class Planter:
    """What scenarios write into: the chunk's members, claim events and CalAIM tables."""

    rng: np.random.Generator
    cal: Calendar
    members: Members
    network: Network
    counties: tuple[str, ...]
    events: Events
    programs: Rows
    housing: Rows
    incarceration: Rows
    assessments: Rows
    truth: Rows

    @classmethod
    def new(cls, rng: np.random.Generator, cal: Calendar, members: Members, network: Network,
            counties: tuple[str, ...], events: Events) -> Planter:
        return cls(rng, cal, members, network, counties, events,
                   Rows(PROGRAM_COLUMNS, ("start_date", "end_date")),
                   Rows(HOUSING_COLUMNS, ("start_date", "end_date")),
                   Rows(INCARCERATION_COLUMNS, ("admission_date", "release_date", "expected_release_date")),
                   Rows(ASSESSMENT_COLUMNS, ("assessed_on",)), Rows(TRUTH_COLUMNS, ()))

    # --- dates ---
    def ago(self, size: int, lo: int, hi: int) -> np.ndarray:
        """Days between `lo` and `hi` days before D (inclusive)."""
        return self.cal.d - self.rng.integers(lo, hi + 1, size=size)

    def distinct_ago(self, member: np.ndarray, k: np.ndarray, lo: int, hi: int, gap: int = 1
                     ) -> tuple[np.ndarray, np.ndarray]:
        """k[i] days for member[i], all between lo and hi days before D and at least `gap` days apart."""
        out_member, out_day = [], []
        for count in np.unique(k):
            who = member[k == count]
            room = hi - lo - (count - 1) * gap
            offsets = np.sort(self.rng.integers(0, room + 1, size=(len(who), count)), axis=1) + np.arange(count) * gap
            out_member.append(np.repeat(who, count))
            out_day.append((self.cal.d - lo - offsets).ravel())
        if not out_member:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(out_member), np.concatenate(out_day)

    def pick(self, group: tuple[str, ...], size: int) -> np.ndarray:
        ids = np.array(codes.dx_ids(group))
        return ids[self.rng.integers(len(ids), size=size)]

    def choose(self, options: tuple[str, ...], size: int) -> np.ndarray:
        return np.asarray(options, dtype=object)[self.rng.integers(len(options), size=size)]

    def npi(self, role: str, member: np.ndarray) -> np.ndarray:
        """An NPI of a provider of `role` (ECM, BH, CCS, ...) in each member's county."""
        return np.asarray(self.network.npis, dtype=object)[
            self.network.pick(role, self.members.county[member], self.rng)]

    # --- facts ---
    def visits(self, member: np.ndarray, day: np.ndarray, dx: np.ndarray | int, template: str = "office") -> None:
        self.events.add(member, T[template], day, dx)

    def ed_visits(self, member: np.ndarray, day: np.ndarray, dx: np.ndarray) -> None:
        add_ed_visits(self.events, member, day, dx)

    def complex_need(self, member: np.ndarray, lo: int = 10) -> None:
        """A chronic-condition office visit in the last 12 months (`lo` to 300 days before D): the member's
        condition when the spec's chronic value set lists it (spec "complex need"), else hypertension."""
        chronic = self.members.chronic[member, 0]
        listed = np.isin(chronic, np.array(codes.dx_ids(codes.CHRONIC_IN_VALUE_SET)))
        dx = np.where(listed, chronic, codes.DX_INDEX["I10"])
        self.visits(member, self.ago(len(member), lo, 300), dx)

    def program(self, member: np.ndarray, program: str | np.ndarray, start: np.ndarray,
                end: np.ndarray | None = None, source: str = "PLAN", detail: str | np.ndarray = "") -> None:
        self.programs.add(member, program=program, start_date=start, end_date=end, source=source, detail=detail)

    def assess(self, member: np.ndarray, kind: str | np.ndarray, value: str | np.ndarray, lo: int, hi: int,
               source: str = "PLAN_CARE_MANAGEMENT") -> None:
        self.assessments.add(member, kind=kind, value=value, assessed_on=self.ago(len(member), lo, hi),
                             source=source)

    def housed(self, member: np.ndarray, status: str | np.ndarray, start: np.ndarray, end: np.ndarray | None,
               with_minors: bool | np.ndarray) -> None:
        self.housing.add(member, status=status, start_date=start, end_date=end, source="HMIS",
                         household_with_minors=np.where(np.asarray(with_minors), "true", "false").astype(object)
                         if isinstance(with_minors, np.ndarray) else ("true" if with_minors else "false"))


PlantFn = Callable[[Planter, np.ndarray], None]


@dataclass(frozen=True)
class Scenario:
    """A kind of member to plant: ages on D, share of members, what it writes, and its ground truth rows."""

    name: str
    rate: float
    ages: tuple[int, int]
    plant: PlantFn
    truth: tuple[tuple[str, str, str], ...]  # (population, excluded_reason, kind planted|near_miss)
    female: bool = False
    disparity: bool | None = None  # True: Black, AIAN or NHPI; False: any other race
    # A drop-out: eligibility ends this many days before D (lo, hi), so the member met the population last month
    # and is no longer enrolled on D (a near-miss on D, "no longer eligible" against last month's run).
    leaves: tuple[int, int] | None = None


def counts_for(scenarios: tuple[Scenario, ...], n: int) -> list[int]:
    """Members per scenario in a chunk of n: the scenario's share, at least 3, at most half the chunk in all."""
    counts = [max(3, round(s.rate * n)) for s in scenarios]
    if sum(counts) > n // 2:
        factor = (n // 2) / sum(counts)
        counts = [int(c * factor) for c in counts]
    return counts


def plant_all(p: Planter, scenarios: tuple[Scenario, ...]) -> dict[str, np.ndarray]:
    """Assign scenarios to random members, set their demographics, and return the members of each scenario.
    Facts are written later (plant_facts), once enrollment exists."""
    m, rng = p.members, p.rng
    order = rng.permutation(m.n)
    values = mix("race_ethnicity").values
    disparity_idx = np.array([i for i, v in enumerate(values) if v.split("|")[0] in
                              ("black or african american", "american indian or alaska native",
                               "native hawaiian or other pacific islander")])
    other_idx = np.array([i for i in range(len(values)) if i not in set(disparity_idx.tolist())])
    female_idx = mix("gender").values.index("female")
    chosen: dict[str, np.ndarray] = {}
    at = 0
    for scenario, count in zip(scenarios, counts_for(scenarios, m.n), strict=True):
        idx = np.sort(order[at:at + count])
        at += count
        chosen[scenario.name] = idx
        m.planted[idx] = True
        age = rng.integers(scenario.ages[0], scenario.ages[1] + 1, size=len(idx))
        m.birth[idx] = birth_for_age(rng, p.cal, age)
        if scenario.leaves is not None:  # a day from the member index, spread over the range
            m.leaves[idx] = p.cal.d - scenario.leaves[0] - idx % (scenario.leaves[1] - scenario.leaves[0] + 1)
        if scenario.female:
            m.gender[idx] = female_idx
        if scenario.disparity is True:
            m.race_eth[idx] = disparity_idx[rng.integers(len(disparity_idx), size=len(idx))]
        elif scenario.disparity is False:
            m.race_eth[idx] = other_idx[rng.integers(len(other_idx), size=len(idx))]
        refresh(rng, m, p.cal, idx)
    return chosen


def plant_facts(p: Planter, scenarios: tuple[Scenario, ...], chosen: dict[str, np.ndarray]) -> None:
    """Write each scenario's facts and truth rows, then continuity programs for some planted members."""
    for scenario in scenarios:
        idx = chosen[scenario.name]
        if len(idx) == 0:
            continue
        scenario.plant(p, idx)
        for population, reason, kind in scenario.truth:
            p.truth.add(idx, population=population, excluded_reason=reason, kind=kind, scenario=scenario.name)
    planted = np.concatenate([chosen[s.name] for s in scenarios if any(k == "planted" for *_, k in s.truth)])
    add_continuity(p, planted)


def add_continuity(p: Planter, member: np.ndarray) -> None:
    """Some planted members were in Whole Person Care or Health Homes (until 2021-12-31, in counties that had
    them, seed 000 Appendix A) or received ECM elsewhere in the last 6 months (continuity, seed 000 I.c)."""
    rng = p.rng
    flags = np.array([(county(c).wpc, county(c).hhp) for c in p.counties])
    r = rng.random(len(member))
    wpc = member[(r < 0.08) & flags[p.members.county[member], 0]]
    hhp = member[(r >= 0.08) & (r < 0.14) & flags[p.members.county[member], 1]]
    program_end = day_number(date(2021, 12, 31))
    for who, name, source in ((wpc, "WPC", "WPC_LEAD_ENTITY"), (hhp, "HHP", "HHP_CB_CME")):
        start = program_end - rng.integers(180, 1500, size=len(who))
        p.program(who, name, start, np.full(len(who), program_end), source, p.npi("ECM", who))
    ecm = member[(r >= 0.14) & (r < 0.22)]
    end = p.ago(len(ecm), 15, 150)
    p.program(ecm, "ECM", end - rng.integers(90, 500, size=len(ecm)), end, "PRIOR_PLAN", p.npi("ECM", ecm))
