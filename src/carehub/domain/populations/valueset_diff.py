"""How a plan's value sets (`--value-sets DIR`) differ from the shipped defaults, and which differences narrow what
the plan may not narrow, for the run record and its summary.

Source: spec/populations-of-focus.md: "A plan may not narrow these definitions or raise the numeric thresholds";
the definitions it leaves to the plan are what counts as avoidable (AVOIDABLE_ED, ACSC), a complex need (CHRONIC)
and a social factor (SDOH), which a plan replaces freely. Narrowing is: a diagnosis or code the spec's definitions
name that no longer counts, a homelessness status or disparity group dropped, a program that newly excludes, a
population going live later (or never) in a county. Everything else that differs is reported without judgement
(priority weights, the outreach look-back, descriptions are ignored).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from carehub.domain.populations.runner import VALUE_SETS_DIR

# Per file: the columns naming a row, and the columns that are its value (descriptions and sources left out).
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "codes": (("value_set", "code"), ()),
    "county_phases": (("county",), ("phase",)),
    "diagnoses": (("value_set", "code_prefix", "exclude"), ()),
    "disparity_groups": (("field", "value"), ()),
    "exclusion_programs": (("program",), ("exclusion_reason",)),
    "go_live": (("population", "phase", "county"), ("live_from",)),
    "homeless_statuses": (("status",), ("adult", "children_youth")),
    "outreach_outcomes": (("outcome",), ("lookback_days",)),
    "priority_weights": (("factor",), ("weight", "cap")),
}
# Diagnosis sets that are the spec's own shared definitions, not left to the plan.
FIXED_DIAGNOSES = frozenset({"SMI", "SUD", "MENTAL_ILLNESS", "IDD", "HOMELESS", "PREGNANCY", "DELIVERY", "TBI", "HIV"})
# Code sets whose codes count towards a population when present (an ED visit, a delivery, crisis care), and the one
# whose codes count against it (a primary care visit defeats ADULT_SMH_SUD's "no primary care office visit").
COUNTING_CODES = frozenset({"ED_REVENUE", "ED_PLACE_OF_SERVICE", "ED_HCPCS", "DELIVERY_PROCEDURE", "CRISIS_HCPCS"})
DEFEATING_CODES = frozenset({"PRIMARY_CARE_HCPCS"})
TRUE_WORDS = frozenset({"true", "t", "1", "yes", "y"})


@dataclass(frozen=True)
class Difference:
    file: str  # the value set's name ("diagnoses")
    text: str  # "SMI F25 removed"
    narrows: bool = False  # narrows a definition the plan may not narrow

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


Rows = dict[tuple[str, ...], tuple[str, ...]]


def _cell(column: str, value: str) -> str:
    value = (value or "").strip()
    if column in ("code_prefix", "code"):
        return value.replace(".", "").upper()
    if column in ("value", "county"):
        return value.lower()
    if column in ("exclude", "adult", "children_youth"):
        return "true" if value.lower() in TRUE_WORDS else "false"
    return value.upper() if column in ("value_set", "program", "population", "status", "field", "outcome",
                                       "factor", "exclusion_reason") else value


def _rows(name: str, path: Path) -> Rows:
    keys, values = COLUMNS[name]
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        reader.fieldnames = [c.strip().lower() for c in reader.fieldnames or []]
        return {tuple(_cell(c, row.get(c) or "") for c in keys): tuple(_cell(c, row.get(c) or "") for c in values)
                for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))}


def _label(name: str, key: tuple[str, ...]) -> str:
    if name == "diagnoses":
        value_set, prefix, exclude = key
        return f"{value_set} {'excludes' if exclude == 'true' else 'includes'} {prefix}"
    if name == "go_live":
        population, phase, county = key
        where = f"in {county.title()}" if county else ("everywhere" if phase == "*" else f"in phase {phase} counties")
        return f"{population} {where}"
    if name == "county_phases":
        return key[0].title()
    return " ".join(part for part in key if part) or "(all)"


def _narrows(name: str, key: tuple[str, ...], shipped: tuple[str, ...] | None, plan: tuple[str, ...] | None,
             plan_rows: Rows) -> bool:
    """Whether this one row's difference (None: the row is absent on that side) narrows a definition."""
    if name == "diagnoses":
        value_set, prefix, exclude = key
        if value_set not in FIXED_DIAGNOSES:
            return False
        if exclude == "true":
            return plan is not None and shipped is None  # a new exclusion
        covered = any(p_set == value_set and p_exclude == "false" and prefix.startswith(p_prefix)
                      for p_set, p_prefix, p_exclude in plan_rows)
        return shipped is not None and plan is None and not covered  # an inclusion gone, not covered by a wider one
    if name == "codes":
        added, removed = shipped is None, plan is None
        return (key[0] in COUNTING_CODES and removed) or (key[0] in DEFEATING_CODES and added)
    if name == "homeless_statuses":
        return shipped is not None and any(s == "true" and (plan is None or p != "true")
                                           for s, p in zip(shipped, plan or ("",) * len(shipped), strict=True))
    if name == "disparity_groups":
        return shipped is not None and plan is None
    if name == "exclusion_programs":
        return shipped is None and plan is not None  # a program newly excluding
    if name == "go_live":
        if shipped is None and plan is not None and key[2]:  # a county row of the plan's: later than the default?
            default = _default_go_live(key[0], key[2])
            return default is not None and plan[0] > default
        return shipped is not None and (plan is None or plan[0] > shipped[0])  # ISO dates compare as text
    if name == "county_phases":
        return shipped is not None and plan is not None and plan[0] > shipped[0]  # phase 2 goes live later
    return False


def _default_go_live(population: str, county: str) -> str | None:
    """The shipped go-live date of a population in a county (its phase's row, else the `*` row)."""
    phases = _rows("county_phases", VALUE_SETS_DIR / "county_phases.csv")
    phase = phases.get((county,), ("2",))[0]  # a county the schedule does not know is Phase 2 (def_population_live)
    schedule = _rows("go_live", VALUE_SETS_DIR / "go_live.csv")
    row = schedule.get((population, phase, "")) or schedule.get((population, "*", ""))
    return row[0] if row else None


def differences(name: str, shipped: Path, plan: Path) -> list[Difference]:
    """The rows of the plan's `name` value set that differ from the shipped file's, in the shipped file's order
    then the plan's additions."""
    if name not in COLUMNS:
        return []
    mine, theirs = _rows(name, shipped), _rows(name, plan)
    found = []
    for key in [*mine, *(k for k in theirs if k not in mine)]:
        before, after = mine.get(key), theirs.get(key)
        if before == after:
            continue
        if after is None:
            text = f"{_label(name, key)} removed"
        elif before is None:
            text = f"{_label(name, key)} added" + (f" ({', '.join(after)})" if after else "")
        else:
            text = f"{_label(name, key)}: {', '.join(before)} -> {', '.join(after)}"
        found.append(Difference(name, text, _narrows(name, key, before, after, theirs)))
    return found


def plan_differences(files: dict[str, Path], shipped_dir: Path) -> list[Difference]:
    """Every difference of the value sets a run uses (`runner.value_set_files`) from the shipped ones."""
    return [d for name, path in files.items() if path != shipped_dir / path.name
            for d in differences(name, shipped_dir / path.name, path)]
