"""Agreement between the synthesizer's planted ground truth and the engine (spec/populations-of-focus.md is the
contract for both): every planted (person, population) is identified with the planted exclusion, and no near-miss
is identified. `_truth/populations.csv` rows: kind `planted` = meets the population (excluded with
`excluded_reason` when set); kind `near_miss` = does NOT get that (population, excluded_reason): with a reason, the
person meets the population but is not excluded for that reason; without one, the person does not meet it."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest
from rich.console import Console

from carehub.domain.populations import identify_folder, write_csv
from carehub.synth.plan import generate_plan

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, str]], dict[tuple[str, str], str]]:
    """A 4,000-member synthetic plan: its truth rows and the engine's (person, population) -> exclusion."""
    root = tmp_path_factory.mktemp("agreement")
    generate_plan(root / "plan", members=4000, seed=11, fmt="parquet", as_of=AS_OF,
                  console=Console(quiet=True))
    con, _ = identify_folder(root / "plan", AS_OF)
    write_csv(con, root / "out.csv")
    con.close()
    with (root / "plan" / "_truth" / "populations.csv").open() as f:
        truth = list(csv.DictReader(f))
    with (root / "out.csv").open() as f:
        found = {(r["person_id"], r["population"]): r["exclusion_reason"] for r in csv.DictReader(f)}
    return truth, found


def _report(problems: list[str]) -> str:
    by_kind = Counter(p.split(":")[0] for p in problems)
    return f"{len(problems)} disagreements {dict(by_kind)}; first ones:\n  " + "\n  ".join(problems[:20])


def test_the_synthetic_plan_plants_every_population_and_near_misses(synthetic) -> None:
    truth, _ = synthetic
    planted = {r["population"] for r in truth if r["kind"] == "planted"}
    assert len(planted) == 16
    assert sum(r["kind"] == "near_miss" for r in truth) > 50


def test_every_planted_member_is_found_with_the_planted_exclusion(synthetic) -> None:
    truth, found = synthetic
    problems = []
    for row in (r for r in truth if r["kind"] == "planted"):
        key = (row["person_id"], row["population"])
        if key not in found:
            problems.append(f"missed {row['population']}: {row['person_id']}")
        elif found[key] != (row["excluded_reason"] or ""):
            problems.append(f"exclusion {row['population']}: {row['person_id']} planted "
                            f"{row['excluded_reason'] or '(none)'}, engine {found[key] or '(none)'}")
    assert not problems, _report(problems)


def test_no_near_miss_is_identified(synthetic) -> None:
    truth, found = synthetic
    problems = []
    for row in (r for r in truth if r["kind"] == "near_miss"):
        key, reason = (row["person_id"], row["population"]), row["excluded_reason"] or ""
        if key in found and (not reason or found[key] == reason):
            problems.append(f"near-miss {row['population']}/{reason or 'met'}: {row['person_id']} "
                            f"identified (exclusion {found[key] or '(none)'})")
    assert not problems, _report(problems)
