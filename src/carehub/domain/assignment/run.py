"""`carehub assign`: read the members file and the plan data folder, assign, write the output CSV."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

from carehub.domain.assignment.batch import Assignment, assign_batch
from carehub.domain.assignment.capacity_file import read_capacity_lines
from carehub.domain.assignment.folder import read_batch
from carehub.domain.assignment.members_file import MembersFileError, read_members_file
from carehub.domain.assignment.policy import Rule, assignment_due

__all__ = ["OUTPUT_COLUMNS", "run_assign", "write_assignments"]

# Issue 5: output columns of `carehub assign`; `alternatives` is added only with --explain.
OUTPUT_COLUMNS = ("person_id", "provider_npi", "rule")


def write_assignments(assignments: list[Assignment], out: Path, explain: bool = False) -> None:
    """Write one row per member, in the members file's order. With `explain`, a fourth column lists the
    alternatives considered as `RULE:NPI:OUTCOME`, `;`-separated."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS + (("alternatives",) if explain else ()))
        for a in assignments:
            row = [a.person_id, a.provider_npi, str(a.rule)]
            if explain:
                row.append(";".join(str(c) for c in a.alternatives))
            writer.writerow(row)


def run_assign(data: Path, as_of: date, members: Path, out: Path, explain: bool = False,
               capacity_lines: Path | None = None) -> str:
    """Assign the members listed in `members` with the network and member data of `data` (and, when given, the
    capacity left per provider, county and population); return a summary (counts by rule only: no member data).
    Raises MembersFileError or InputLayoutError on bad input."""
    requests = read_members_file(members)
    cells = read_capacity_lines(capacity_lines) if capacity_lines is not None else {}
    future = [k for k, r in enumerate(requests, start=2) if r.authorized_on and r.authorized_on > as_of]
    if future:
        raise MembersFileError([f"{members.name}, line {k}, authorized_on: after --as-of" for k in future])
    cases, providers = read_batch(data, as_of, requests)
    unknown = sorted(set(cells) - set(providers))
    if unknown:
        source = capacity_lines.name if capacity_lines is not None else "capacity lines"
        raise MembersFileError([f"{source}: provider_npi {npi} is not a provider in the data folder"
                                for npi in unknown])
    providers = {npi: replace(p, cell_capacity=cells.get(npi, p.cell_capacity)) for npi, p in providers.items()}
    assignments = assign_batch(cases, providers)
    write_assignments(assignments, out, explain)
    counts = Counter(a.rule for a in assignments)
    by_rule = ", ".join(f"{rule}: {counts[rule]:,}" for rule in Rule if counts[rule])
    summary = f"assigned {len(assignments) - counts[Rule.UNASSIGNED]:,} of {len(assignments):,} members ({by_rule})"
    late = sum(1 for r in requests if r.authorized_on and assignment_due(r.authorized_on) < as_of)
    if late:
        summary += f"; {late:,} past the 10-working-day assignment clock on {as_of.isoformat()}"
    return summary
