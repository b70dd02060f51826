"""BEST_MATCH: the members no named-provider rule placed, assigned for the whole batch at once.

Source: seed 000 III.2.f.1.v (match ECM provider experience and skill set to members); seed 004 VI.E.1.a and
VI.E.1.d (experienced in the Population of Focus; culturally appropriate care); issue 5 (language, then population
experience, then load; OR-Tools min-cost flow so capacity is used well).

The network: source -> one node per group of interchangeable members (same county, population and language)
-> qualifying providers -> sink. Max flow with min cost: as many members assigned as capacity allows (a greedy
pass can strand a member whose only provider was taken by someone with other choices), then the least cost.
Costs, lexicographic per member (each weight exceeds everything below it):
  language  W_LANG when the provider does not list the member's language (unknown language: no cost);
  experience W_EXP when the provider has no experience with the member's population;
  load      provider -> sink arcs in LOAD_BANDS bands: the unit taking the provider from k to k+1 members costs
            floor(k * LOAD_BANDS / capacity) * W_LOAD, so members spread by share of capacity used;
  ties      the provider's rank by NPI (W_RANK each), then the member's place in the batch (1 each, on the
            source -> member arcs): when capacity runs short and matches are equal, members earlier in the file
            (the file is in priority order) are served first, and equal choices go the same way every time.
Integer costs stay far below int64 at 100,000 members and 500 providers (largest arc cost ~1e9).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.graph.python import min_cost_flow

from carehub.domain.assignment.policy import MemberCase, Provider, normalize_county, normalize_language

__all__ = ["LOAD_BANDS", "MatchProblem", "arc_cost", "build_problem", "greedy", "load_cost", "solve"]

LOAD_BANDS = 10


@dataclass
class MatchProblem:
    """Members grouped by (county, population, language), the providers each group may go to, and the weights."""

    providers: list[Provider]  # sorted by NPI; rank = index
    remaining: list[int]
    groups: list[tuple[str, str, str]]
    group_members: list[list[int]]  # indexes into the batch's member list, in batch order
    group_arcs: list[list[tuple[int, int]]]  # (provider index, arc cost), cheapest first
    w_load: int
    positions: dict[int, int]  # member index -> place among the members being matched
    # (provider index, county, population) -> what the provider has left in that cell, where the plan limited it
    cell_limits: dict[tuple[int, str, str], int] = field(default_factory=dict)

    def objective(self, counts: Mapping[tuple[int, int], int]) -> int:
        """Total cost of a solution given as (group, provider) -> members assigned."""
        cost = {(g, p): c for g, arcs in enumerate(self.group_arcs) for p, c in arcs}
        per_provider: dict[int, int] = defaultdict(int)
        total = 0
        for (g, p), n in counts.items():
            total += cost[(g, p)] * n
            per_provider[p] += n
        for g, members in enumerate(self.group_members):  # the first members of each group are the ones served
            served = sum(n for (h, _), n in counts.items() if h == g)
            total += sum(self.positions[i] for i in members[:served])
        for p, n in per_provider.items():
            total += sum(load_cost(k, self.remaining[p], self.w_load) for k in range(n))
        return total


def load_cost(k: int, capacity: int, w_load: int) -> int:
    """Cost of the unit taking a provider from k to k+1 members of `capacity` (convex in k)."""
    return (k * LOAD_BANDS // capacity) * w_load


def arc_cost(provider: Provider, rank: int, population: str, language: str, n_providers: int,
             n_members: int) -> int:
    """Member-group -> provider cost: language, then population experience, then (tie) NPI rank."""
    w_rank = n_members  # > the largest member place
    w_load = w_rank * n_providers  # > the largest rank tie plus member place
    w_exp = LOAD_BANDS * w_load  # > the largest load cost plus everything below it
    w_lang = 2 * w_exp  # > w_exp plus everything below it
    cost = rank * w_rank
    if language and language not in provider.languages:
        cost += w_lang
    if population not in provider.experienced_populations:
        cost += w_exp
    return cost


def build_problem(members: Sequence[MemberCase], indexes: Sequence[int], providers: Mapping[str, Provider],
                  remaining: Mapping[str, int],
                  cells: Mapping[tuple[str, str, str], int] | None = None) -> MatchProblem:
    """Group the members at `indexes` and list, per group, the ECM providers serving its county and population
    with capacity left. `cells`: (NPI, county, population) -> capacity left in that cell (default: each
    provider's cell_capacity); a full cell gets no arc."""
    if cells is None:
        cells = {(npi, county, population): n for npi, p in providers.items()
                 for (county, population), n in p.cell_limits().items()}
    open_providers = sorted((p for p in providers.values() if p.kind == "ECM" and remaining.get(p.npi, 0) > 0),
                            key=lambda p: p.npi)
    by_county_population: dict[tuple[str, str], list[int]] = defaultdict(list)
    for rank, p in enumerate(open_providers):
        for county in p.counties:
            for population in p.populations:
                by_county_population[(county, population)].append(rank)
    group_index: dict[tuple[str, str, str], int] = {}
    groups: list[tuple[str, str, str]] = []
    group_members: list[list[int]] = []
    for i in indexes:
        m = members[i]
        key = (normalize_county(m.county), m.population, normalize_language(m.language))
        g = group_index.setdefault(key, len(groups))
        if g == len(groups):
            groups.append(key)
            group_members.append([])
        group_members[g].append(i)
    n = max(len(open_providers), 1)
    n_members = max(len(indexes), 1)
    group_arcs = []
    cell_limits: dict[tuple[int, str, str], int] = {}
    for county, population, language in groups:
        arcs = []
        for r in by_county_population.get((county, population), []) if county else []:
            limit = cells.get((open_providers[r].npi, county, population))
            if limit is not None:
                if limit <= 0:
                    continue
                cell_limits[(r, county, population)] = limit
            arcs.append((r, arc_cost(open_providers[r], r, population, language, n, n_members)))
        group_arcs.append(sorted(arcs, key=lambda a: (a[1], a[0])))
    return MatchProblem(open_providers, [remaining[p.npi] for p in open_providers], groups, group_members,
                        group_arcs, w_load=n * n_members, positions={i: k for k, i in enumerate(indexes)},
                        cell_limits=cell_limits)


def solve(problem: MatchProblem) -> dict[tuple[int, int], int]:
    """Max flow at min cost: (group, provider index) -> members of the group assigned to that provider."""
    groups, providers = len(problem.groups), len(problem.providers)
    source, sink = 0, 1 + groups + providers
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs: list[tuple[int, int, int]] = []  # (arc id, group, provider)
    total = 0
    # A limited (provider, county, population) cell is a node between its groups and the provider: the groups of
    # that county and population (one per language) share its capacity.
    cell_nodes: dict[tuple[int, str, str], int] = {}
    next_node = 2 + groups + providers
    for key, limit in sorted(problem.cell_limits.items()):
        cell_nodes[key] = next_node
        flow.add_arc_with_capacity_and_unit_cost(next_node, 1 + groups + key[0], limit, 0)
        next_node += 1
    for g, members in enumerate(problem.group_members):
        if not problem.group_arcs[g]:
            continue
        for i in members:  # one unit per member, costing its place: earlier members first when short
            flow.add_arc_with_capacity_and_unit_cost(source, 1 + g, 1, problem.positions[i])
        total += len(members)
        county, population, _ = problem.groups[g]
        for p, cost in problem.group_arcs[g]:
            head = cell_nodes.get((p, county, population), 1 + groups + p)
            arcs.append((flow.add_arc_with_capacity_and_unit_cost(1 + g, head, len(members), cost), g, p))
    for p, capacity in enumerate(problem.remaining):
        node = 1 + groups + p
        for band in range(LOAD_BANDS):  # units k with floor(k * BANDS / capacity) == band
            first, last = -(-band * capacity // LOAD_BANDS), -(-(band + 1) * capacity // LOAD_BANDS)
            if last > first:
                flow.add_arc_with_capacity_and_unit_cost(node, sink, last - first, band * problem.w_load)
    if not total:
        return {}
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: status {status}")
    counts: dict[tuple[int, int], int] = {}
    for arc, g, p in arcs:
        n = flow.flow(arc)
        if n:
            counts[(g, p)] = n
    return counts


def greedy(problem: MatchProblem) -> dict[tuple[int, int], int]:
    """Baseline for the benchmark: members one at a time in batch order, each to its cheapest provider with room
    (arc cost plus the load cost of the next unit). Not used for assignment."""
    used = [0] * len(problem.providers)
    cell_used: dict[tuple[int, str, str], int] = defaultdict(int)
    order = sorted((i, g) for g, members in enumerate(problem.group_members) for i in members)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for _, g in order:
        best = None
        county, population, _ = problem.groups[g]
        for p, cost in problem.group_arcs[g]:
            limit = problem.cell_limits.get((p, county, population))
            if limit is not None and cell_used[(p, county, population)] >= limit:
                continue
            if used[p] < problem.remaining[p]:
                total = cost + load_cost(used[p], problem.remaining[p], problem.w_load)
                if best is None or (total, p) < best:
                    best = (total, p)
        if best is not None:
            used[best[1]] += 1
            cell_used[(best[1], county, population)] += 1
            counts[(g, best[1])] += 1
    return dict(counts)
