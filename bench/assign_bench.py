"""Assignment benchmark (issue 5): a batch of authorized members over a synthetic ECM network.

    .venv/bin/python bench/assign_bench.py [--members 100000] [--providers 500] [--seed 5]

Reports: wall time of the whole batch (named-provider rules, then the min-cost-flow best match); for the
best-match sub-problem, the members placed and the objective of min-cost flow against a greedy baseline (members
one at a time in file order, each to its cheapest provider with room); and on small instances the min-cost-flow
objective against the optimum: brute force over every assignment (tiny) and the LP relaxation solved by GLOP
(a lower bound on any assignment; min-cost flow is integral, so equal means optimal).
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import time
from collections import Counter

from ortools.linear_solver import pywraplp

from carehub.domain.assignment import MemberCase, Provider, Rule, assign_batch
from carehub.domain.assignment.policy import experienced_populations, normalize_county
from carehub.domain.assignment.solver import MatchProblem, build_problem, greedy, load_cost, solve
from carehub.domain.network import PROVIDER_TYPES
from carehub.domain.populations.labels import POPULATIONS

LANGUAGES = ("en",) * 6 + ("es",) * 3 + ("vi", "yue", "tl", "ko")


def synthetic(members: int, providers: int, seed: int, counties: int = 20, slack: float = 1.05):
    """A network of `providers` ECM providers over `counties` counties (10% serve two), each serving 3-8 of the
    16 populations, and `members` members; total capacity is `slack` x members, spread unevenly (log-normal)."""
    rng = random.Random(seed)
    names = [f"County {c:02d}" for c in range(counties)]
    pops = list(POPULATIONS)
    types = list(PROVIDER_TYPES)
    weights = [rng.lognormvariate(0, 0.6) for _ in range(providers)]
    scale = members * slack / sum(weights)
    network: dict[str, Provider] = {}
    for k in range(providers):
        served = {names[k % counties]} | ({names[rng.randrange(counties)]} if rng.random() < 0.1 else set())
        ptype = rng.choice(types)
        npi = f"{1_000_000_000 + k:010d}"
        network[npi] = Provider(
            npi=npi, kind="ECM", provider_type=ptype, counties=frozenset(normalize_county(c) for c in served),
            populations=frozenset(rng.sample(pops, rng.randint(3, 8))),
            languages=frozenset({"en", "es"} | ({rng.choice(LANGUAGES)} if rng.random() < 0.4 else set())),
            capacity=max(1, round(weights[k] * scale)), experienced_populations=experienced_populations(ptype))
    local: dict[str, list[str]] = {}
    for npi, p in sorted(network.items()):
        for c in p.counties:
            local.setdefault(c, []).append(npi)
    batch = []
    for i in range(members):
        county = rng.choice(names)
        named = lambda p, c=county: rng.choice(local[normalize_county(c)]) if rng.random() < p else ""  # noqa: E731
        batch.append(MemberCase(
            person_id=f"P{i:09d}", population=rng.choice(pops), county=county,
            language=rng.choice(LANGUAGES), preferred_npi=named(0.05), previous_npis=tuple(filter(None, [named(0.1)])),
            behavioral_health_npis=tuple(filter(None, [named(0.1)])), pcp_npi=named(0.2)))
    return batch, network


def brute_force(problem: MatchProblem) -> tuple[int, int]:
    """(members placed, objective) of the best assignment by enumeration: most placed, then least cost."""
    members = [(i, g) for g, ms in enumerate(problem.group_members) for i in ms]
    choices = [[None] + [p for p, _ in problem.group_arcs[g]] for _, g in members]
    best: tuple[int, int] | None = None
    for pick in itertools.product(*choices):
        used = Counter(p for p in pick if p is not None)
        if any(n > problem.remaining[p] for p, n in used.items()):
            continue
        counts = Counter((g, p) for (_, g), p in zip(members, pick, strict=True) if p is not None)
        # the objective charges member places to the first members of a group; enumerate only those
        placed_first = all(
            [pick[k] is not None for k, (_, g) in enumerate(members) if g == h] ==
            sorted([pick[k] is not None for k, (_, g) in enumerate(members) if g == h], reverse=True)
            for h in range(len(problem.group_members)))
        if not placed_first:
            continue
        key = (-sum(counts.values()), problem.objective(counts))
        if best is None or key < best:
            best = key
    assert best is not None
    return -best[0], best[1]


def lp_bound(problem: MatchProblem, placed: int) -> float:
    """LP optimum of the same objective with exactly `placed` members placed (GLOP)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = {}
    for g, arcs in enumerate(problem.group_arcs):
        for p, _ in arcs:
            x[(g, p)] = solver.NumVar(0, len(problem.group_members[g]), "")
    # member places: fraction served of each member of each group, cheapest places first
    y = {}
    for g, ms in enumerate(problem.group_members):
        for i in ms:
            y[i] = solver.NumVar(0, 1, "")
        solver.Add(sum(y[i] for i in ms) == sum(x[(g, p)] for p, _ in problem.group_arcs[g]))
    u = {}  # provider load units
    for p, cap in enumerate(problem.remaining):
        for k in range(cap):
            u[(p, k)] = solver.NumVar(0, 1, "")
        solver.Add(sum(u[(p, k)] for k in range(cap)) == sum(v for (g, q), v in x.items() if q == p))
    solver.Add(sum(y.values()) == placed)
    cost = {(g, p): c for g, arcs in enumerate(problem.group_arcs) for p, c in arcs}
    solver.Minimize(sum(cost[k] * v for k, v in x.items()) + sum(problem.positions[i] * v for i, v in y.items())
                    + sum(load_cost(k, problem.remaining[p], problem.w_load) * v for (p, k), v in u.items()))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return solver.Objective().Value()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--providers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    batch, network = synthetic(args.members, args.providers, args.seed)
    started = time.perf_counter()
    result = assign_batch(batch, network)
    elapsed = time.perf_counter() - started
    rules = Counter(a.rule for a in result)
    print(f"batch: {args.members:,} members, {args.providers} providers, capacity "
          f"{sum(p.capacity or 0 for p in network.values()):,}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"assign_batch wall time: {elapsed:.2f} s; peak RSS {rss} MiB")
    print("by rule: " + ", ".join(f"{r}: {rules[r]:,}" for r in Rule if rules[r]))

    # The best-match sub-problem alone, as assign_batch sees it: everyone, no named providers.
    plain = [MemberCase(m.person_id, m.population, m.county, m.language) for m in batch]
    remaining = {n: p.capacity or 0 for n, p in network.items()}
    t0 = time.perf_counter()
    problem = build_problem(plain, range(len(plain)), network, remaining)
    t1 = time.perf_counter()
    flow = solve(problem)
    t2 = time.perf_counter()
    base = greedy(problem)
    t3 = time.perf_counter()
    arcs = sum(len(a) for a in problem.group_arcs)
    print(f"best match only: {len(problem.groups):,} member groups, {arcs:,} group-provider arcs; "
          f"build {t1 - t0:.2f} s, min-cost flow {t2 - t1:.2f} s, greedy {t3 - t2:.2f} s")
    for name, counts in (("min-cost flow", flow), ("greedy", base)):
        placed = sum(counts.values())
        lang = sum(n for (g, p), n in counts.items()
                   if problem.groups[g][2] and problem.groups[g][2] not in problem.providers[p].languages)
        exp = sum(n for (g, p), n in counts.items()
                  if problem.groups[g][1] not in problem.providers[p].experienced_populations)
        print(f"  {name:14s} placed {placed:,}; language mismatches {lang:,}; without population experience "
              f"{exp:,}; objective {problem.objective(counts):,}")

    rng = random.Random(args.seed)
    worse = 0
    for trial in range(30):  # tiny instances: brute force
        small, net = synthetic(7, 3, 1000 + trial, counties=1, slack=0.8)
        prob = build_problem(small, range(len(small)), net, {n: p.capacity or 0 for n, p in net.items()})
        placed, best = brute_force(prob)
        got = solve(prob)
        assert (sum(got.values()), prob.objective(got)) == (placed, best), trial
        worse += sum(greedy(prob).values()) < placed or prob.objective(greedy(prob)) > best
    print(f"brute force, 30 instances of 7 members x 3 providers: min-cost flow optimal in 30/30; "
          f"greedy worse in {worse}/30")
    mid, net = synthetic(2_000, 40, rng.randrange(10**6), counties=4)
    prob = build_problem(mid, range(len(mid)), net, {n: p.capacity or 0 for n, p in net.items()})
    got = solve(prob)
    bound = lp_bound(prob, sum(got.values()))
    print(f"LP (GLOP), 2,000 members x 40 providers: min-cost flow objective {prob.objective(got):,}, "
          f"LP optimum {bound:,.0f}, greedy {prob.objective(greedy(prob)):,} "
          f"(placed {sum(got.values()):,} vs greedy {sum(greedy(prob).values()):,})")


if __name__ == "__main__":
    main()
