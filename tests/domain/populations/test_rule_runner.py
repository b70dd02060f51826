"""The rule runner: rules that do not read each other run two at a time on cursors of one in-memory database, and
give the same output as one at a time; a rule starts only after the rules it reads; a failing rule stops the run
with its own error; a connection to a database file never gets the rule tables."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from carehub.domain.populations import identify, identify_folder, write_csv
from carehub.domain.populations.engine import DuckDBEngine
from carehub.domain.populations.runner import Rule, run_rules, write_claim_events
from carehub.domain.populations.sources import open_folder
from carehub.synth.plan import generate_plan

AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic plan carrying the stored claim events (the warehouse's form)."""
    root = tmp_path_factory.mktemp("runner")
    generate_plan(root / "plan", members=1500, seed=11, fmt="parquet", as_of=AS_OF, console=Console(quiet=True))
    shutil.copytree(root / "plan", root / "version")
    assert write_claim_events(root / "version") > 0
    return root / "version"


def _one_at_a_time(folder: Path, as_of: date, out: Path) -> None:
    con = duckdb.connect()
    open_folder(DuckDBEngine(con), folder)  # the library's identify(con): the caller's connection, sequential
    identify(con, as_of)
    write_csv(con, out)
    con.execute(f"COPY (SELECT * FROM priority ORDER BY ALL) TO '{out}.priority.csv' (HEADER)")
    con.close()


@pytest.mark.parametrize("as_of", [AS_OF, date(2026, 5, 15), date(2025, 1, 1)])
def test_two_at_a_time_gives_the_output_of_one_at_a_time(plan: Path, tmp_path: Path, as_of: date) -> None:
    _one_at_a_time(plan, as_of, tmp_path / "sequential.csv")
    con, _ = identify_folder(plan, as_of)
    tables = {name for (name, temporary) in con.execute("SELECT table_name, temporary FROM duckdb_tables()")
              .fetchall() if not temporary}
    write_csv(con, tmp_path / "parallel.csv")
    con.execute(f"COPY (SELECT * FROM priority ORDER BY ALL) TO '{tmp_path / 'parallel.csv'}.priority.csv' (HEADER)")
    con.close()
    # the rules did run on shared tables (cursors cannot see temporary ones)
    assert {"def_person", "priority", "identification"} <= tables
    sequential = (tmp_path / "sequential.csv").read_text().splitlines()
    assert len(sequential) > 1
    assert (tmp_path / "parallel.csv").read_text().splitlines() == sequential
    assert (tmp_path / "parallel.csv.priority.csv").read_bytes() == \
        (tmp_path / "sequential.csv.priority.csv").read_bytes()


def _chain(length: int) -> list[Rule]:
    """r0 = 1 row; each next rule reads the one before and adds 1; plus side rules that read nothing."""
    rules = [Rule("r0", "SELECT 1 AS n", frozenset())]
    for i in range(1, length):
        rules.append(Rule(f"r{i}", f"SELECT n + 1 AS n FROM r{i - 1}", frozenset({f"r{i - 1}"})))
        rules.append(Rule(f"side{i}", f"SELECT count(*) AS n FROM range({i * 50_000})", frozenset()))
    return rules


def test_a_rule_starts_only_after_the_rules_it_reads() -> None:
    con = duckdb.connect()
    engine = DuckDBEngine(con, workers=2)
    assert engine.workers == 2
    run_rules(engine, AS_OF, _chain(30))
    assert con.execute("SELECT n FROM r29").fetchall() == [(30,)]
    assert con.execute("SELECT n FROM side29").fetchall() == [(29 * 50_000,)]
    con.close()


def test_a_failing_rule_stops_the_run_with_its_error() -> None:
    con = duckdb.connect()
    rules = [*_chain(3), Rule("broken", "SELECT no_such_column FROM r2", frozenset({"r2"})),
             Rule("after", "SELECT * FROM broken", frozenset({"broken"}))]
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        run_rules(DuckDBEngine(con, workers=2), AS_OF, rules)
    made = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "r2" in made
    assert "broken" not in made and "after" not in made
    con.close()


def test_a_failing_rule_interrupts_the_one_running_beside_it() -> None:
    """Without the interrupt the slow rule would run to its end (~15 s here) and leave its table."""
    con = duckdb.connect()
    rules = [Rule("slow", "SELECT sum(i % 7) AS n FROM range(5_000_000_000) t(i)", frozenset()),
             Rule("broken", "SELECT no_such_column FROM range(1)", frozenset())]
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        run_rules(DuckDBEngine(con, workers=2), AS_OF, rules)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'slow'").fetchone() == (0,)
    con.close()


def test_a_database_file_gets_no_rule_tables(plan: Path, tmp_path: Path) -> None:
    """On a connection to a file, the inputs are temporary views and the rules run one at a time on temporary
    tables: nothing of the run is left in the file."""
    con = duckdb.connect(str(tmp_path / "analyst.duckdb"))
    assert DuckDBEngine(con, workers=2).workers == 1
    con, _ = identify_folder(plan, AS_OF, con=con)
    assert con.execute("SELECT count(*) FROM identification").fetchone()[0] > 0  # type: ignore[index]
    kept = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary UNION ALL "
                       "SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT internal").fetchall()
    con.close()
    assert kept == []
