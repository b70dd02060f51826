"""Run the Population of Focus rules (the *.sql files of this package) on DuckDB or Spark.

Each rule file is one SELECT; the runner materialises it as a table named after the file, in dependency order (a
rule depends on every other rule whose name it mentions), two independent rules at a time where the engine allows
it (`run_rules`). The as-of date is bound as the `$as_of` parameter, never formatted into the SQL. Value sets are
CSV files loaded as `vs_<file name>` tables; a plan replaces any of them with a file of the same name in its own
folder (`--value-sets DIR`).

`identify(con, as_of)` works on any DuckDB connection that already has the input tables as views or tables named
after the input layout (so the claims may come from the warehouse or elsewhere); `identify_folder` opens a folder
(a plan data folder, or a warehouse version, which is laid out the same way). `identify_on(engine, ...)` is the
same on any engine of engine.py (Spark: the same SQL transpiled with sqlglot).

A sorted, `;`-joined list of a group's values is written `nullif(array_to_string(list_sort(list(x)), ';'), '')`,
not `string_agg(x, ';' ORDER BY x)`: DuckDB sorts each group of an ordered aggregate on its own, 2-3x slower over
many small groups (~1.2 of ~5.7 operator CPU-s at 1M members); `nullif` keeps a group of only NULLs NULL on Spark
too, whose ARRAY_JOIN of an empty list is ''.
"""

from __future__ import annotations

import csv
import hashlib
import re
import threading
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from carehub.domain.populations.engine import DuckDBEngine, Engine
from carehub.domain.populations.sources import (
    EVENTS_ELIGIBILITY,
    EVENTS_FOLDER,
    PERSON_KEY_FILE,
    claim_events_sql,
    create_staging,
    eligibility_sql,
    hash_probe,
    hashes_are_distinct,
    open_folder,
    person_ids_sql,
    stored_events_current,
    stored_events_sql,
)

PACKAGE_DIR = Path(__file__).resolve().parent
VALUE_SETS_DIR = PACKAGE_DIR / "valuesets"
OUTPUT_TABLE = "identification"
OUTPUT_COLUMNS = ("person_id", "member_id", "population", "criteria", "evidence", "excluded",
                  "exclusion_reason", "continuity", "priority")
OUTPUT_ORDER = "priority, person_id, population"

_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b")


@dataclass(frozen=True)
class Rule:
    """One rule file: its name (the table it creates), its SQL and the rules it reads."""

    name: str
    sql: str
    requires: frozenset[str]

    @property
    def source(self) -> str:
        """The `-- Source:` header line(s), so a reviewer can hold the rule against the policy."""
        return " ".join(line[len("-- Source:"):].strip() for line in self.sql.splitlines()
                        if line.startswith("-- Source:"))


@dataclass
class Versions:
    """Content hashes of the rules and value sets a run used (for the run record)."""

    rules: dict[str, str] = field(default_factory=dict)
    value_sets: dict[str, str] = field(default_factory=dict)


def _digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()[:12]


def load_rules(directory: Path = PACKAGE_DIR) -> list[Rule]:
    """The rule files in dependency order (ties broken by name, so the order is stable)."""
    texts = {p.stem: p.read_text() for p in sorted(directory.glob("*.sql"))}
    names = set(texts)
    rules = {
        name: Rule(name, sql, frozenset(set(_WORD.findall(_COMMENT.sub("", sql))) & names - {name}))
        for name, sql in texts.items()
    }
    ordered: list[Rule] = []
    done: set[str] = set()
    while len(ordered) < len(rules):
        ready = [r for n, r in sorted(rules.items()) if n not in done and r.requires <= done]
        if not ready:
            raise ValueError("rule files depend on each other in a cycle: "
                             + ", ".join(sorted(set(rules) - done)))
        for rule in ready:
            ordered.append(rule)
            done.add(rule.name)
    return ordered


def value_set_files(override: Path | None = None) -> dict[str, Path]:
    """Each value set's CSV: the plan's file where it provides one, otherwise the shipped default."""
    files = {p.stem: p for p in sorted(VALUE_SETS_DIR.glob("*.csv"))}
    if override is not None:
        if not Path(override).is_dir():
            raise FileNotFoundError(f"value-set folder not found: {override}")
        for path in sorted(Path(override).glob("*.csv")):
            if path.stem in files:
                files[path.stem] = path
    return files


def check_value_set(path: Path, columns: list[str]) -> None:
    """Raise ValueError naming the file and line when a value set is not CSV with the columns of the shipped file
    (a plan edits these by hand or in a spreadsheet: a stray quote or comma must not become a confusing error, or
    a silently shifted column, later in the run)."""
    line = 1
    try:
        with Path(path).open(newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, strict=True)
            header = [h.strip().lower() for h in next(reader, [])]
            missing = [c for c in columns if c not in header]
            if missing:
                raise ValueError(f"{path}, line 1: the header lacks {', '.join(missing)} "
                                 f"(a value set {Path(path).name} has the columns {', '.join(columns)})")
            for row in reader:
                line = reader.line_num
                if len(row) != len(header) and any(cell.strip() for cell in row):
                    raise ValueError(f"{path}, line {line}: {len(row)} fields where the header has {len(header)} "
                                     "(a field holding a comma or a quote goes in double quotes, its quotes doubled)")
    except csv.Error as exc:
        raise ValueError(f"{path}, line {line}: not CSV: {exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text (save it as CSV UTF-8)") from None


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return [h.strip().lower() for h in next(csv.reader(f))]


def load_value_sets(engine: Engine | duckdb.DuckDBPyConnection, override: Path | None = None) -> dict[str, str]:
    """Load every value set as a text table `vs_<name>`; return name -> content hash. A plan's file is checked
    first against the shipped file's columns (`check_value_set`)."""
    engine = _engine(engine)
    versions = {}
    for name, path in value_set_files(override).items():
        shipped = VALUE_SETS_DIR / path.name
        if path != shipped:
            check_value_set(path, _header(shipped))
        engine.read_files(f"vs_file_{name}", "csv", [path])
        engine.create(f"vs_{name}", f"SELECT * FROM vs_file_{name}")
        versions[name] = _digest(path.read_bytes())
    return versions


def _engine(con: Engine | duckdb.DuckDBPyConnection) -> Engine:
    return DuckDBEngine(con) if isinstance(con, duckdb.DuckDBPyConnection) else con


# Rules run two at a time where the engine allows it (DuckDBEngine on an in-memory database): measured on the 1M
# plan, 3 or 4 at a time on 2 cores gained nothing more (bench/README.md, "Rules two at a time").
RULE_WORKERS = 2


def run_rules(engine: Engine | duckdb.DuckDBPyConnection, as_of: date, rules: Iterable[Rule]) -> None:
    """Materialise each rule as a table, binding the as-of date: in the given order, or, when the engine has
    workers, each as soon as the rules it reads exist (in the given order among those ready)."""
    engine = _engine(engine)
    rules = list(rules)
    if engine.workers <= 1:
        for rule in rules:
            engine.create(rule.name, rule.sql, as_of)
        return
    _run_at_once(engine, as_of, rules)


def _run_at_once(engine: Engine, as_of: date, rules: list[Rule]) -> None:
    """Run up to `engine.workers` rules at a time, each thread on its own cursor. The first failure (or Ctrl-C)
    stops new starts, interrupts the rules still running and is raised."""
    local = threading.local()
    cursors: list[Engine] = []
    stopping = threading.Event()

    def run(rule: Rule) -> None:
        worker = getattr(local, "engine", None)
        if worker is None:
            worker = local.engine = engine.cursor()
            cursors.append(worker)
        if not stopping.is_set():
            worker.create(rule.name, rule.sql, as_of)

    known = {rule.name for rule in rules}
    done: set[str] = set()
    running: dict[Future[None], str] = {}
    pending = list(rules)
    pool = ThreadPoolExecutor(engine.workers, thread_name_prefix="carehub-rule")
    try:
        while pending or running:
            # a rule waits only for the rules of this run it reads (one of another name already exists)
            for rule in [r for r in pending if (r.requires & known) <= done]:
                pending.remove(rule)
                running[pool.submit(run, rule)] = rule.name
            if not running:
                raise ValueError("rules wait for each other in a cycle: " + ", ".join(r.name for r in pending))
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                name = running.pop(future)
                future.result()  # a failed rule raises here
                done.add(name)
    except BaseException:
        stopping.set()
        # again until they have all ended: a statement may start just after an interrupt
        while not all(future.done() for future in running):
            for worker in list(cursors):
                worker.interrupt()
            wait(running, timeout=0.05)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        for worker in cursors:
            worker.close()


def identify_on(engine: Engine, as_of: date, value_sets: Path | None = None,
                versions: Versions | None = None) -> None:
    """Identify every Population of Focus as of a date on an engine that has the input tables; the result is the
    table `identification` (spec/input-layout.md "Output of identification"). Pass `versions` to receive the
    rule and value-set hashes used."""
    vs_versions = load_value_sets(engine, value_sets)
    create_staging(engine, as_of)
    rules = load_rules()
    run_rules(engine, as_of, rules)
    if versions is not None:
        versions.value_sets = vs_versions
        versions.rules = {r.name: _digest(r.sql.encode()) for r in rules}


def identify(con: duckdb.DuckDBPyConnection, as_of: date, value_sets: Path | None = None,
             versions: Versions | None = None) -> duckdb.DuckDBPyRelation:
    """Identify every Population of Focus as of a date on a DuckDB connection that has the input tables.

    Returns the output relation (spec/input-layout.md "Output of identification"), ordered by priority,
    person_id, population. Intermediate tables (def_*, pop_*, exclusion, continuity, priority) stay on the
    connection for inspection. Pass `versions` to receive the rule and value-set hashes used.
    """
    return _identify_on(DuckDBEngine(con), as_of, value_sets, versions)


def _identify_on(engine: DuckDBEngine, as_of: date, value_sets: Path | None,
                 versions: Versions | None) -> duckdb.DuckDBPyRelation:
    identify_on(engine, as_of, value_sets, versions)
    return engine.con.sql(f"SELECT {', '.join(OUTPUT_COLUMNS)} FROM {OUTPUT_TABLE} ORDER BY {OUTPUT_ORDER}")


def identify_folder(folder: Path, as_of: date, value_sets: Path | None = None,
                    con: duckdb.DuckDBPyConnection | None = None,
                    versions: Versions | None = None) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyRelation]:
    """Open a plan data folder (input layout) on a connection and identify; returns the connection too,
    since the relation lives on it. On an in-memory connection (the default) the inputs and rule tables are views
    and tables of its database, replacing any of the same names, so that rules can run two at a time; on a
    database file they are temporary."""
    con = con or duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    engine = DuckDBEngine(con, RULE_WORKERS)
    open_folder(engine, Path(folder))
    # the same engine: it knows which tables came as Parquet (staged as views, not copied)
    return con, _identify_on(engine, as_of, value_sets, versions)


def write_csv(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    """Write the output table as CSV (sorted by priority, person_id, population); return rows by population."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    query = f"SELECT {', '.join(OUTPUT_COLUMNS)} FROM {OUTPUT_TABLE} ORDER BY {OUTPUT_ORDER}"
    con.execute(f"COPY ({query}) TO $out (FORMAT csv, HEADER true)", {"out": str(out)})
    rows = con.execute(f"SELECT population, count(*) FROM {OUTPUT_TABLE} GROUP BY 1 ORDER BY 1").fetchall()
    return {population: count for population, count in rows}


def claim_events_current(folder: Path) -> bool:
    """True when identification would read `folder`'s stored claim events with the shipped value sets (or the
    folder has no medical claims): False when they are missing or were made by other SQL (an older CareHub)."""
    con = duckdb.connect()
    try:
        engine = DuckDBEngine(con)
        open_folder(engine, Path(folder))
        load_value_sets(engine)
        return stored_events_current(engine)
    finally:
        con.close()


def write_claim_events(folder: Path, con: duckdb.DuckDBPyConnection | None = None) -> int:
    """Store the claim-events table in `folder/_claim_events` (a warehouse version): the claim lines some rule can
    use, of every date, with their flags, made with the shipped value sets, plus the distinct diagnosis codes
    and the key they were made with. Identification then reads these narrow files instead of scanning every
    claim line, as long as the key matches (same SQL, same code and diagnosis value sets); otherwise it scans.
    Returns the lines written (0 when the folder has no medical claims)."""
    own = con is None
    con = con or duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        engine = DuckDBEngine(con)
        open_folder(engine, Path(folder))
        load_value_sets(engine)
        made = claim_events_sql(engine)
        if made is None:
            return 0
        key, lines, dx_codes, present = made
        engine.create(EVENTS_ELIGIBILITY, eligibility_sql(engine), view=True)  # the spans part reads it
        out = Path(folder) / EVENTS_FOLDER
        out.mkdir(exist_ok=True)
        (out / "KEY").unlink(missing_ok=True)  # until rewritten, the folder is not used (a failed run leaves it so)
        # every usable line once (the costly scan), then the narrow parts from it
        con.execute(f"CREATE OR REPLACE TEMP TABLE events_all AS {lines}")
        stored = stored_events_sql("events_all", present)
        for name, select in stored.prepare.items():
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}")
        # people may be keyed by hash only where no two person ids of this version share one (sources.PERSON_HASH)
        person_key = out / PERSON_KEY_FILE
        person_key.unlink(missing_ok=True)
        distinct_hashes = hashes_are_distinct(engine, person_ids_sql(engine, "events_all"))
        written = 0
        parts = {**stored.parts, "dx_code": (dx_codes, "")}
        for index, (part, (select, order)) in enumerate(parts.items()):
            if all("events_all" not in later for later, _ in list(parts.values())[index:]):
                con.execute("DROP TABLE IF EXISTS events_all")  # the every-date lines: free them before the rest
            (out / part).mkdir(exist_ok=True)
            target = str(out / part / "part.parquet")
            # sorted by the date the look-back window tests: a run reads only the row groups of its window
            order_by = f" ORDER BY {order}" if order else ""
            con.execute(f"COPY ({select}{order_by}) TO $out (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)",
                        {"out": target})
            row = con.execute("SELECT count(*) FROM read_parquet($p)", {"p": target}).fetchone()
            written += int(row[0]) if row and part != "dx_code" else 0
        for name in ("events_all", *stored.prepare):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        if distinct_hashes:
            person_key.write_text(hash_probe(engine) + "\n")
        (out / "KEY").write_text(key + "\n")  # written last: a folder without KEY is never used
        return written
    finally:
        if own:
            con.close()
