"""What `carehub identify` does: open a plan folder, identify, write the CSV, summarise by population."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.table import Table

from carehub.domain.populations.runner import identify_folder, write_csv


def run_identify(*, as_of: date, data: Path, out: Path, value_sets: Path | None = None) -> Table:
    """Run identification on a plan data folder and write the output CSV; return the counts as a table."""
    if not Path(data).is_dir():
        raise FileNotFoundError(f"plan data folder not found: {data}")
    con, _ = identify_folder(Path(data), as_of, value_sets)
    try:
        counts = write_csv(con, Path(out))
        people, excluded = con.execute(
            "SELECT count(DISTINCT person_id), count(DISTINCT person_id) FILTER (WHERE excluded) "
            "FROM identification").fetchone() or (0, 0)
    finally:
        con.close()
    table = Table(title=f"Populations of Focus on {as_of.isoformat()} -> {out}")
    table.add_column("population")
    table.add_column("rows", justify="right")
    for population, rows in counts.items():
        table.add_row(population, f"{rows:,}")
    table.add_row("[b]members[/b]", f"{people:,} ({excluded:,} excluded)")
    return table
