"""Checking a plan data folder against the input layout without loading it (spec/input-layout.md; the checks are
validate.py's): what `carehub load` runs before it writes anything, and what `carehub identify --data` runs on the
folder it reads directly. No Django here: identification over plan data alone needs no database.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from carehub.ingest.layout import TABLES, TableFiles, discover
from carehub.ingest.sources import Problem, SourceSet, duckdb_reason
from carehub.ingest.validate import MAX_SHOWN, Findings, validate_table
from carehub.paths import data_dir

MEMORY_LIMIT = "4GB"  # DuckDB's working memory during a load


class LoadRejected(Exception):
    """The folder was refused (not loaded, or not identified from). `report()` is the text shown to the user (no
    member data, no stack trace)."""

    def __init__(self, folder: Path, problems: list[Problem], total: int) -> None:
        super().__init__(f"{total} problem(s) in {folder}")
        self.folder = folder
        self.problems = problems
        self.total = total

    def report(self, refused: str = "Load rejected", outcome: str = "Nothing was changed.") -> str:
        noun = "problem" if self.total == 1 else "problems"
        lines = [f"{refused}: {self.total} {noun} in {self.folder}. {outcome}"]
        lines += [f"  {p}" for p in self.problems[:MAX_SHOWN]]
        if self.total > len(self.problems[:MAX_SHOWN]):
            lines.append(f"  ... and {self.total - len(self.problems[:MAX_SHOWN])} more problems")
        return "\n".join(lines)


def connect_duckdb() -> duckdb.DuckDBPyConnection:
    """DuckDB for warehouse writes: capped memory, spilling under the data directory."""
    spill = data_dir() / "tmp"
    spill.mkdir(exist_ok=True)
    # A fixed memory cap (DuckDB's default is 80% of RAM): the warehouse sort of 48M claim lines then spills to
    # `spill` instead of taking 20 GB on a machine shared with the web app and other jobs.
    con = duckdb.connect(config={"temp_directory": str(spill), "memory_limit": MEMORY_LIMIT})
    con.execute("SET enable_progress_bar = false")  # our own rich progress bar reports the steps
    return con


def reject(folder: Path, message: str) -> LoadRejected:
    return LoadRejected(folder, [Problem(folder.name or str(folder), None, message)], 1)


def validate_folder(folder: Path, console: Console | None = None) -> None:
    """Validate a plan data folder as `load_folder` does, without loading it (`carehub identify --data` reads the
    folder itself): raises LoadRejected with every problem found, each naming its file, line and column."""
    folder = Path(folder)
    if not folder.is_dir():
        raise reject(folder, "not a folder")
    tables, layout_problems, _ = discover(folder)
    findings = layout_findings(layout_problems)
    progress = progress_bar(console)
    con = connect_duckdb()
    try:
        with progress:
            task = progress.add_task("validating", total=len(tables))
            others, claims = by_kind(tables)
            validate_tables(SourceSet(con, folder), others + claims, findings, {}, progress, task)
    finally:
        con.close()
    if not findings.ok:
        raise LoadRejected(folder, findings.shown, findings.total)


def progress_bar(console: Console | None) -> Progress:
    """The steps of a check or a load, on the console (none without one)."""
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=console is None)


def by_kind(tables: dict[str, TableFiles]) -> tuple[list[TableFiles], list[TableFiles]]:
    """The folder's tables in layout order, the others (eligibility first) then the claims, which are checked
    last because they are checked against the people enrolled."""
    return ([tables[n] for n in TABLES if n in tables and not TABLES[n].claims],
            [tables[n] for n in TABLES if n in tables and TABLES[n].claims])


def layout_findings(layout_problems: list[str]) -> Findings:
    findings = Findings()
    for message in layout_problems:
        findings.add(Problem(message.split(":", 1)[0], None, message.split(":", 1)[1].strip()))
    return findings


def validate_tables(src: SourceSet, files: list[TableFiles], findings: Findings, opened: dict[str, str],
                     progress: Progress, task: int) -> None:
    """Open and validate tables in order; problems go to `findings`, tables that could be read to `opened`."""
    for tf in files:
        name = tf.table.name
        progress.update(task, description=f"validating {name}")
        ok = src.open_table(tf)
        for problem in src.problems:
            findings.add(problem)
        src.problems.clear()
        if ok:
            opened[name] = tf.fmt
            _validate(src, tf.table, tf.fmt, findings, check_people="eligibility" in opened)
        progress.advance(task)


def _validate(src: SourceSet, table, fmt: str, findings: Findings,  # type: ignore[no-untyped-def]
              check_people: bool) -> None:
    try:
        validate_table(src, table, fmt, findings, check_people=check_people)
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:  # e.g. a corrupt page in a Parquet file
        findings.add(Problem(table.name, None, f"could not be read ({duckdb_reason(exc)[1]})"))


