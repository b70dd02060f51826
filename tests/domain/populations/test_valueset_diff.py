"""A plan's value sets against the shipped ones: what differs, and what narrows a definition the plan may not narrow
(spec/populations-of-focus.md: "A plan may not narrow these definitions or raise the numeric thresholds")."""

from __future__ import annotations

from pathlib import Path

from carehub.domain.populations.runner import VALUE_SETS_DIR, value_set_files
from carehub.domain.populations.valueset_diff import plan_differences


def _plan(tmp_path: Path, name: str, edit) -> Path:
    folder = tmp_path / "plan_value_sets"
    folder.mkdir(exist_ok=True)
    lines = (VALUE_SETS_DIR / f"{name}.csv").read_text().splitlines()
    (folder / f"{name}.csv").write_text("\n".join(edit(lines)) + "\n")
    return folder


def _found(folder: Path) -> list[tuple[str, str, bool]]:
    return [(d.file, d.text, d.narrows) for d in plan_differences(value_set_files(folder), VALUE_SETS_DIR)]


def test_a_plan_copy_that_rewords_only_descriptions_differs_in_nothing(tmp_path: Path):
    folder = _plan(tmp_path, "diagnoses", lambda lines: [line.replace("acute", "ACUTE") for line in lines])
    assert _found(folder) == []  # descriptions are not definitions


def test_dropping_a_spec_diagnosis_narrows_but_widening_or_a_plan_defined_set_does_not(tmp_path: Path):
    def edit(lines):
        kept = [line for line in lines if not line.startswith(("SMI,F25,", "AVOIDABLE_ED,J00,", "SMI,F20,"))]
        return [*kept, "SMI,F2,false,all of F2x", "SUD,F10.11,true,in remission", "CHRONIC,G35,false,MS"]

    found = _found(_plan(tmp_path, "diagnoses", edit))
    assert ("diagnoses", "SMI includes F25 removed", False) in found  # F2 now covers it
    assert ("diagnoses", "SMI includes F20 removed", False) in found
    assert ("diagnoses", "SMI includes F2 added", False) in found
    assert ("diagnoses", "SUD excludes F1011 added", True) in found
    assert ("diagnoses", "AVOIDABLE_ED includes J00 removed", False) in found  # avoidable is the plan's to define
    assert ("diagnoses", "CHRONIC includes G35 added", False) in found
    narrowing = _found(_plan(tmp_path, "diagnoses", lambda lines: [x for x in lines if not x.startswith("HIV,Z21,")]))
    assert narrowing == [("diagnoses", "HIV includes Z21 removed", True)]


def test_a_later_go_live_or_a_new_excluding_program_narrows(tmp_path: Path):
    _plan(tmp_path, "go_live", lambda lines: [x.replace("CHILD_REENTRY,*,,2024-01-01", "CHILD_REENTRY,*,,2024-07-01")
                                              .replace("ADULT_REENTRY,*,,2024-01-01", "ADULT_REENTRY,*,,2023-07-01")
                                              for x in lines])
    folder = _plan(tmp_path, "exclusion_programs", lambda lines: [*lines, "HEALTH_HOMES,DUPLICATIVE_PROGRAM,plan"])
    assert _found(folder) == [
        ("exclusion_programs", "HEALTH_HOMES added (DUPLICATIVE_PROGRAM)", True),
        ("go_live", "ADULT_REENTRY everywhere: 2024-01-01 -> 2023-07-01", False),
        ("go_live", "CHILD_REENTRY everywhere: 2024-01-01 -> 2024-07-01", True)]


def test_dropping_a_homeless_status_or_an_ed_code_narrows_and_a_priority_weight_is_only_reported(tmp_path: Path):
    _plan(tmp_path, "homeless_statuses",
          lambda lines: [x.replace("DOUBLED_UP,false,true", "DOUBLED_UP,false,false") for x in lines])
    _plan(tmp_path, "codes", lambda lines: [x for x in lines if not x.startswith("ED_REVENUE,0981")])
    folder = _plan(tmp_path, "priority_weights",
                   lambda lines: [x.replace("RECENT_DISCHARGE_30D,40,1", "RECENT_DISCHARGE_30D,50,1") for x in lines])
    assert _found(folder) == [
        ("codes", "ED_REVENUE 0981 removed", True),
        ("homeless_statuses", "DOUBLED_UP: false, true -> false, false", True),
        ("priority_weights", "RECENT_DISCHARGE_30D: 40, 1 -> 50, 1", False)]


def test_a_county_row_of_the_plans_narrows_when_later_than_the_countys_default(tmp_path: Path):
    folder = _plan(tmp_path, "go_live", lambda lines: [
        *lines, "ADULT_HOMELESS,,Kern,2022-09-01,plan", "ADULT_HOMELESS,,Alameda,2022-03-01,plan",
        "ADULT_HOMELESS,,Fresno,2022-05-01,plan"])
    # Kern and Fresno are Phase 2 (2022-07-01), Alameda Phase 1 (2022-01-01)
    assert [(text, narrows) for _, text, narrows in _found(folder)] == [
        ("ADULT_HOMELESS in Kern added (2022-09-01)", True), ("ADULT_HOMELESS in Alameda added (2022-03-01)", True),
        ("ADULT_HOMELESS in Fresno added (2022-05-01)", False)]
