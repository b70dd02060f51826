"""How many people an incremental identification would have to recompute from one monthly run to the next, on the
same data: everyone with a fact whose date crosses one of the rules' window edges between the two as-of dates
(enters (D - w, D] for w = 12, 9 or 6 months, 90 or 30 days, or the 90-day pre-release window ahead), plus
eligibility that starts, ends or stops at death between them and birthdays reaching 18, 21 or 26. Upper bound:
a crossing need not change the person's populations. It measures the design proposal of keeping per-person rule
state from month to month (docs/architecture.md, "Identification speed"); no timing.

    .venv/bin/python bench/changed_people_bench.py <data dir>/warehouse/v-... [--from 2026-09-30] [--to 2026-10-31]

Reads the version's stored claim events (`_claim_events/`, written by `carehub warehouse compact`) and its
program, housing, incarceration and assessment tables.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import duckdb

WINDOWS = ("12 MONTH", "9 MONTH", "6 MONTH", "90 DAY", "30 DAY")
AGES = (18, 21, 26)


def _crosses(column: str) -> str:
    """The date enters or leaves a window between the runs ($d1 < $d2)."""
    terms = [f"({column} > $d1 AND {column} <= $d2)",
             f"({column} > $d1 + INTERVAL 90 DAY AND {column} <= $d2 + INTERVAL 90 DAY)"]
    terms += [f"({column} > $d1 - INTERVAL {w} AND {column} <= $d2 - INTERVAL {w})" for w in WINDOWS]
    return "(" + " OR ".join(terms) + ")"


def _age(on: str) -> str:
    return f"(year({on}) - year(birth_date) - CAST(strftime({on}, '%m-%d') < strftime(birth_date, '%m-%d') AS INT))"


def sources(version: Path) -> dict[str, str]:
    events = version / "_claim_events"

    def part(name: str) -> str:
        return f"read_parquet('{events / name / 'part.parquet'}')"

    def table(name: str) -> str:
        return f"read_parquet('{version / name}/*.parquet')"

    return {
        "diagnoses (condition facts)": f"SELECT person_id FROM {part('condition_fact')} WHERE {_crosses('dx_date')} "
                                       f"OR {_crosses('until_date')} OR {_crosses('principal_date')}",
        "ED visits": f"SELECT person_id FROM {part('ed_visit_fact')} WHERE {_crosses('visit_date')}",
        "other event claims (stays, crisis, ...)": (
            f"SELECT person_id FROM {part('event_claim')} WHERE {_crosses('claim_start_date')} "
            f"OR {_crosses('claim_end_date')} OR {_crosses('admission_date')} OR {_crosses('discharge_date')}"),
        "office visits": f"SELECT person_id FROM {part('primary_care_fact')} WHERE {_crosses('visit_date')} "
                         f"OR {_crosses('until_date')}",
        "assessments": f"SELECT person_id FROM {table('assessment')} WHERE {_crosses('assessed_on')}",
        "programs": f"SELECT person_id FROM {table('program_enrollment')} WHERE {_crosses('start_date')} "
                    f"OR {_crosses('end_date')}",
        "housing": f"SELECT person_id FROM {table('housing_status')} WHERE {_crosses('start_date')} "
                   f"OR {_crosses('end_date')}",
        "incarceration": f"SELECT person_id FROM {table('incarceration')} WHERE {_crosses('admission_date')} "
                         f"OR {_crosses('release_date')} OR {_crosses('expected_release_date')}",
        "eligibility, death, age": (
            f"SELECT person_id FROM {part('person_span')} WHERE (enrollment_start_date > $d1 AND "
            f"enrollment_start_date <= $d2) OR (enrollment_end_date >= $d1 AND enrollment_end_date < $d2) "
            f"OR (death_on > $d1 AND death_on <= $d2) "
            f"OR ({_age('$d2')} <> {_age('$d1')} AND {_age('$d2')} IN {AGES})"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", type=Path)
    parser.add_argument("--from", dest="d1", default="2026-09-30")
    parser.add_argument("--to", dest="d2", default="2026-10-31")
    args = parser.parse_args()
    params = {"d1": date.fromisoformat(args.d1), "d2": date.fromisoformat(args.d2)}
    con = duckdb.connect()
    people = con.execute(f"SELECT count(DISTINCT person_id) FROM read_parquet('{args.version}/eligibility/*.parquet')"
                         ).fetchone()[0]  # type: ignore[index]
    print(f"{args.version}: {people:,} people; runs on {args.d1} and {args.d2}")
    for index, (name, select) in enumerate(sources(args.version).items()):
        con.execute(f"CREATE TEMP TABLE s{index} AS SELECT DISTINCT person_id FROM ({select})", params)
        count = con.execute(f"SELECT count(*) FROM s{index}").fetchone()[0]  # type: ignore[index]
        print(f"  {name:<42} {count:>10,}")
    names = list(sources(args.version))
    every = " UNION ".join(f"SELECT person_id FROM s{i}" for i in range(len(names)))
    but_office = " UNION ".join(f"SELECT person_id FROM s{i}" for i, n in enumerate(names) if n != "office visits")
    for label, union in (("any of them", every), ("any but office visits", but_office)):
        count = con.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]  # type: ignore[index]
        print(f"people to recompute, {label:<26} {count:>10,}  ({count / people:.0%})")


if __name__ == "__main__":
    main()
