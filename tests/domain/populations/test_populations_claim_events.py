"""The stored claim-events table (a warehouse version's `_claim_events/`) gives exactly the output of a full scan
of the claims, and is ignored when the run's value sets differ from the ones it was made with."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from carehub.domain.populations import identify_folder, write_csv
from carehub.domain.populations.cli import identify_to_csv
from carehub.domain.populations.runner import VALUE_SETS_DIR, write_claim_events
from carehub.domain.populations.sources import CLAIM_SOURCE, EVENTS_FOLDER
from carehub.synth.plan import generate_plan

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic plan as written, and a copy carrying the claim-events table."""
    root = tmp_path_factory.mktemp("events")
    generate_plan(root / "plan", members=1500, seed=7, fmt="parquet", as_of=AS_OF, console=Console(quiet=True))
    shutil.copytree(root / "plan", root / "with_events")
    assert write_claim_events(root / "with_events") > 0
    return root / "plan", root / "with_events"


def _run(folder: Path, out: Path, value_sets: Path | None = None) -> tuple[bytes, bool]:
    """The output CSV's bytes, and whether the run read the stored events."""
    con, _ = identify_folder(folder, AS_OF, value_sets=value_sets)
    write_csv(con, out)
    used = con.execute(f"SELECT source FROM {CLAIM_SOURCE}").fetchone() == ("events",)
    con.close()
    return out.read_bytes(), used


def test_stored_events_give_the_scan_output_byte_for_byte(plans: tuple[Path, Path], tmp_path: Path) -> None:
    plain, with_events = plans
    scanned, _ = _run(plain, tmp_path / "scan.csv")
    stored, used = _run(with_events, tmp_path / "events.csv")
    assert used and (with_events / EVENTS_FOLDER / "KEY").is_file()
    assert len(list(csv.reader(scanned.decode().splitlines()))) > 50  # the plan identifies people
    assert stored == scanned


def test_other_value_sets_rescan_the_claims(plans: tuple[Path, Path], tmp_path: Path) -> None:
    """A plan's own code list (here: office visits no longer count as primary care) must not be answered from
    events made with the shipped list."""
    plain, with_events = plans
    override = tmp_path / "vs"
    override.mkdir()
    codes = (VALUE_SETS_DIR / "codes.csv").read_text().splitlines()
    kept = [line for line in codes if not line.upper().startswith("PRIMARY_CARE_HCPCS")]
    assert len(kept) < len(codes)
    (override / "codes.csv").write_text("\n".join(kept) + "\n")
    scanned, _ = _run(plain, tmp_path / "scan.csv", override)
    stored, used = _run(with_events, tmp_path / "events.csv", override)
    assert not used
    shipped, _ = _run(plain, tmp_path / "shipped.csv")
    assert stored == scanned != shipped


def test_parquet_inputs_are_read_in_place_by_both_entry_points(plans: tuple[Path, Path], tmp_path: Path) -> None:
    """identify_folder (the library and the benchmark) and `carehub identify` stage Parquet eligibility as a view
    over the files, not a copy (1.3M rows at 1M members, read by def_person on a scan), and write the same CSV."""
    con, _ = identify_folder(plans[0], AS_OF)
    staged = {name for (name,) in con.execute("SELECT view_name FROM duckdb_views()").fetchall()}
    write_csv(con, tmp_path / "library.csv")
    con.close()
    assert "stg_eligibility" in staged
    seen: list[set[str]] = []
    identify_to_csv(as_of=AS_OF, folder=plans[0], out=tmp_path / "command.csv", with_connection=lambda c: seen.append(
        {name for (name,) in c.execute("SELECT view_name FROM duckdb_views()").fetchall()}))
    assert "stg_eligibility" in seen[0]
    assert (tmp_path / "command.csv").read_bytes() == (tmp_path / "library.csv").read_bytes()
