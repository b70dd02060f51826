"""`carehub synth`: write a synthetic Medi-Cal plan in the input layout (spec/input-layout.md), chunk by chunk.

Members are generated in chunks of CHUNK_SIZE with a numpy Generator seeded from (seed, chunk index), so the same
seed and arguments give the same bytes, and memory stays flat whatever the member count.

Ground truth goes to _truth/populations.csv (ignored by the loader: it starts with "_"), one row per planted fact:
`person_id, population, excluded_reason, kind, scenario` (the scenario's name, scenarios.py). kind `planted`: the
person meets `population` (and is excluded with `excluded_reason` when it is set). kind `near_miss`: the person
narrowly does NOT get that (population, excluded_reason): e.g. (ADULT_AVOIDABLE_UTILIZATION, "", near_miss) has
exactly 4 avoidable ED visits in 6 months; (ADULT_AVOIDABLE_UTILIZATION, SELF_MANAGED, near_miss) meets the
population and is not excluded because the assessment is 13+ months old (the same person also has a `planted` row);
(ADULT_HOMELESS, "", near_miss) of scenario `adult_homeless_disenrolled` met it last month and lost Medi-Cal
eligibility 3-25 days before D. UNRESPONSIVE is not planted: it needs outreach records, which the input layout does
not carry. The truth assumes D on or after 2024-01-01, when every population is live in every county (COUNTY_TCM is
planted without the 2024-25 exception details).

Background members (not in the truth file) are kept clear of the rules: ED visits carry injury diagnoses only,
unplanned stays non-ACSC diagnoses, mental health diagnoses are not SMI, and they have no SDOH codes, no housing
other than HOUSED, no incarceration, no programs, no ACES score of 4 or more. Ways they could still be identified:
an engine whose avoidable-ED or ACSC value set is broader than the spec's default (e.g. the NYU algorithm's
partial weights for some injuries, or sepsis/stroke as ACSC); background pregnancies (women outside the disparity
groups, as the spec defines them) would count for birth equity under a wider disparity definition.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from carehub.synth.claims import background_events, medical_claim_table, pharmacy_claim_table
from carehub.synth.context import NULL_DAY, Calendar, Events, Rows
from carehub.synth.members import CIN_LETTERS, Members, draw_members, eligibility_table, enroll
from carehub.synth.network import build_network
from carehub.synth.planting import Planter, plant_all, plant_facts
from carehub.synth.reference import mix
from carehub.synth.scenarios import SCENARIOS
from carehub.synth.writers import TableSink

CHUNK_SIZE = 50_000
# table -> written as a folder of part files (one per chunk)?
TABLES = {"eligibility": True, "medical_claim": True, "pharmacy_claim": True, "program_enrollment": False,
          "housing_status": False, "incarceration": False, "assessment": False, "provider": False}


@dataclass
class Totals:
    members: int = 0
    eligibility: int = 0
    claim_lines: int = 0
    fills: int = 0
    planted: int = 0
    near_misses: int = 0


def person_ids(first: int, n: int) -> np.ndarray:
    """Stable person ids: P + 9-digit member number."""
    return np.array([f"P{g:09d}" for g in range(first + 1, first + n + 1)], dtype=object)


def member_ids(first: int, n: int, seed: int) -> np.ndarray:
    """CIN-like member ids: 9 characters, 8 digits (starting with 9) and a letter; unique below 10 million."""
    g = np.arange(first, first + n, dtype=np.int64)
    digits = (7_654_321 * g + 1_234_567 * (seed % 97 + 1)) % 10**7
    return np.array([f"9{d:07d}{CIN_LETTERS[(x * 31 + seed) % len(CIN_LETTERS)]}"
                     for d, x in zip(digits.tolist(), g.tolist(), strict=True)], dtype=object)


def rows_table(rows: Rows, ids: np.ndarray) -> pa.Table:
    """A CalAIM table from row buffers: person_id first, day columns as dates, empty strings as nulls."""
    data = rows.arrays()
    order = np.lexsort(tuple(data[c] for c in reversed(rows.columns) if c in rows.day_columns) + (data["member"],))
    columns: dict[str, pa.Array] = {"person_id": pa.array(ids[data["member"][order]], type=pa.string())}
    for name in rows.columns:
        values = data[name][order]
        if name in rows.day_columns:
            columns[name] = pa.array(values.astype(np.int32), mask=values == NULL_DAY).view(pa.date32())
        else:
            text = values.astype(str)
            columns[name] = pa.array(text, type=pa.string(), mask=text == "")
    return pa.table(columns)


def background_facts(p: Planter, m: Members) -> None:
    """Assessments and housing records of ordinary members, none of which meets a population."""
    rng = p.rng
    everyone = np.arange(m.n)
    hra = everyone[rng.random(m.n) < 0.2]
    p.assess(hra, "HRA", np.array(['{"self_rated_health": "%s"}' % v for v in  # noqa: UP031
                                   p.choose(("excellent", "good", "fair", "poor"), len(hra))], dtype=object),
             10, 700, "HRA")
    kids = everyone[(m.age < 21) & ~m.planted & (rng.random(m.n) < 0.1)]
    p.assess(kids, "ACES_SCORE", rng.integers(0, 4, size=len(kids)).astype(str), 10, 700, "PEDIATRIC_SCREENING")
    housed = everyone[~m.planted & (rng.random(m.n) < 0.01)]
    p.housed(housed, "HOUSED", p.ago(len(housed), 30, 700), None, rng.random(len(housed)) < 0.5)


def _chunk(index: int, first: int, n: int, seed: int, cal: Calendar, counties: tuple[str, ...], network,
           sinks: dict[str, TableSink], truth: TableSink, totals: Totals) -> None:
    rng = np.random.default_rng([seed, index + 1])
    members = draw_members(rng, first, n, cal, counties, network)
    events = Events()
    planter = Planter.new(rng, cal, members, network, counties, events)
    chosen = plant_all(planter, SCENARIOS)
    enrollment = enroll(rng, members, cal)
    plant_facts(planter, SCENARIOS, chosen)
    background_facts(planter, members)
    background_events(rng, members, enrollment, cal, events)
    ids = person_ids(first, n)
    person_dictionary = pa.array(ids, type=pa.string())
    eligibility = eligibility_table(members, enrollment, ids, member_ids(first, n, seed), counties, network, rng)
    medical = medical_claim_table(rng, events.arrays(), members, person_dictionary, network, index, cal)
    pharmacy = pharmacy_claim_table(rng, members, enrollment, person_dictionary, network, index)
    sinks["eligibility"].write(eligibility)
    sinks["medical_claim"].write(medical)
    sinks["pharmacy_claim"].write(pharmacy)
    sinks["program_enrollment"].write(rows_table(planter.programs, ids))
    sinks["housing_status"].write(rows_table(planter.housing, ids))
    sinks["incarceration"].write(rows_table(planter.incarceration, ids))
    sinks["assessment"].write(rows_table(planter.assessments, ids))
    truth_table = rows_table(planter.truth, ids)
    truth.write(truth_table)
    totals.members += n
    totals.eligibility += eligibility.num_rows
    totals.claim_lines += medical.num_rows
    totals.fills += pharmacy.num_rows
    totals.planted += int(members.planted.sum())
    kinds = np.asarray(truth_table.column("kind").to_pylist())
    totals.near_misses += len(set(np.asarray(truth_table.column("person_id").to_pylist())[kinds == "near_miss"]))


def generate_plan(out: Path, members: int, seed: int, fmt: str, as_of: date, console: Console | None = None) -> str:
    """Write a synthetic plan of `members` members with 24 months of history before `as_of` into `out`, as CSV or
    Parquet, plus _truth/populations.csv; return a one-line summary. Same arguments, same bytes."""
    if fmt not in ("csv", "parquet"):
        raise ValueError("fmt must be csv or parquet")
    console = console or Console(stderr=True)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in (*TABLES, "_truth"):  # a previous run's files would mix with this one's
        for stale in (out / name, *(out / f"{name}.{ext}" for ext in ("csv", "parquet"))):
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
    cal = Calendar(as_of)
    county_mix = mix("county")
    counties = county_mix.values
    network = build_network(np.random.default_rng([seed, 0]), counties, county_mix.p * members)
    sinks = {name: TableSink(out, name, fmt, parts) for name, parts in TABLES.items()}
    truth = TableSink(out / "_truth", "populations", "csv", parts=False)
    sinks["provider"].write(network.table)
    totals = Totals()
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TextColumn("members"), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("members", total=members)
        for index, first in enumerate(range(0, members, CHUNK_SIZE)):
            n = min(CHUNK_SIZE, members - first)
            _chunk(index, first, n, seed, cal, counties, network, sinks, truth, totals)
            progress.advance(task, n)
    for sink in (*sinks.values(), truth):
        sink.close()
    return (f"{totals.members:,} members ({totals.eligibility:,} enrollment spans), {totals.claim_lines:,} medical "
            f"claim lines, {totals.fills:,} pharmacy fills, {network.table.num_rows:,} providers; "
            f"{totals.planted:,} planted members ({totals.near_misses:,} near-misses) in {out} as {fmt}")
