"""The SQL engines identification runs on: DuckDB (default) and Spark (the same SQL, transpiled with sqlglot).

The rules and the staging are written once, in DuckDB's dialect, with portable constructs. An engine only knows
how to register input files as tables, materialise a SELECT under a name (binding the as-of date), describe a
table's columns and fetch rows. On DuckDB, rules that do not read each other may run at the same time on cursors
of one in-memory database (`DuckDBEngine.workers`). On Spark the as-of date becomes a DATE literal and each SELECT
is transpiled (read="duckdb", write="spark"); every named result is written to Parquet in a work folder and read
back.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import duckdb

AS_OF = "$as_of"


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class Engine(Protocol):
    """What the runner and the staging need from a SQL engine."""

    name: str
    formats: dict[str, str]  # each table read_files exposed -> "csv" or "parquet"

    def read_files(self, name: str, fmt: str, files: list[Path]) -> None:
        """Expose input files (all CSV, read as text, or all Parquet) as a table `name`."""

    def create(self, name: str, select: str, as_of: date | None = None, *, view: bool = False) -> None:
        """Materialise (or, with view=True, only name) a SELECT written in DuckDB's dialect."""

    def columns(self, name: str) -> dict[str, str] | None:
        """Column name (lower case) -> DuckDB type name, or None when no such table exists."""

    def rows(self, select: str) -> list[tuple[Any, ...]]:
        """Run a SELECT (DuckDB dialect) and return its rows."""

    @property
    def workers(self) -> int:
        """How many rules may run at the same time (each on its own `cursor()`)."""

    def cursor(self) -> Engine:
        """An engine that sees this one's tables, for one more rule at a time (only called when workers > 1)."""

    def close(self) -> None:
        """Let go of an engine made by `cursor()`."""

    def interrupt(self) -> None:
        """Stop the statement this engine is running, from another thread (a sibling rule failed)."""


def in_memory(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the connection's default database lives in memory (it dies with the process)."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return row is not None and not row[0]


class DuckDBEngine:
    """Identification on a DuckDB connection: temporary tables and views, or, with `workers` > 1 on an in-memory
    database, tables and views of that database, so that cursors of the connection (one per rule running) see
    them. Most rule tables hold fewer rows than one DuckDB row group (122,880), which one thread scans, so two
    independent rules at a time keep both cores busy (bench/README.md, "Rules two at a time")."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection, workers: int = 1, *, _shared: bool | None = None) -> None:
        self.con = con
        self.formats: dict[str, str] = {}
        # temporary objects are private to one cursor: shared ones only where they still die with the process
        self._shared = _shared if _shared is not None else workers > 1 and in_memory(con)
        self._workers = workers if self._shared else 1
        # The rule tables die with the connection (temporary, or in memory): compressing them at periodic
        # checkpoints (every 16 MB written, DuckDB's default) cost ~3.5 of ~15.5 CPU-seconds on the 1M plan.
        con.execute("SET checkpoint_threshold = '64GB'")
        # A run binds the same Parquet files many times (views, DESCRIBE, each rule); without the cache each bind
        # parses the footer again (~55 ms for the 1M plan's one 38M-line claims file, ~3 ms cached).
        con.execute("SET parquet_metadata_cache = true")

    def read_files(self, name: str, fmt: str, files: list[Path]) -> None:
        self.formats[name] = fmt
        listing = "[" + ", ".join(literal(str(f)) for f in files) + "]"
        # RFC 4180 (spec input-layout: CSV with a header row), not sniffed: a quote in a field is not a dialect
        source = (f"read_csv({listing}, header = true, all_varchar = true, union_by_name = true, delim = ',', "
                  "quote = '\"', escape = '\"')" if fmt == "csv"
                  else f"read_parquet({listing}, union_by_name = true)")
        kind = "VIEW" if self._shared else "TEMP VIEW"
        self.con.execute(f"CREATE OR REPLACE {kind} {quote(name)} AS SELECT * FROM {source}")

    def create(self, name: str, select: str, as_of: date | None = None, *, view: bool = False) -> None:
        params = {"as_of": as_of} if AS_OF in select else None
        if view and params:
            # a view cannot keep a bound parameter: the date is a literal there
            select, params = select.replace(AS_OF, f"DATE '{as_of.isoformat()}'"), None  # type: ignore[union-attr]
        kind = ("" if self._shared else "TEMP ") + ("VIEW" if view else "TABLE")
        self.con.execute(f"CREATE OR REPLACE {kind} {name} AS\n{select}", params)

    def columns(self, name: str) -> dict[str, str] | None:
        try:
            return {r[0].lower(): str(r[1]).upper() for r in self.con.execute(f"DESCRIBE {quote(name)}").fetchall()}
        except duckdb.CatalogException:
            return None

    def rows(self, select: str) -> list[tuple[Any, ...]]:
        return self.con.execute(select).fetchall()

    @property
    def workers(self) -> int:
        return self._workers

    def cursor(self) -> DuckDBEngine:
        other = DuckDBEngine(self.con.cursor(), _shared=self._shared)
        other.con.execute("SET enable_progress_bar = false")
        other.formats = self.formats
        return other

    def close(self) -> None:
        self.con.close()

    def interrupt(self) -> None:
        self.con.interrupt()


_SPARK_TYPES = {"StringType": "VARCHAR", "DateType": "DATE", "IntegerType": "INTEGER", "LongType": "BIGINT",
                "ShortType": "SMALLINT", "BooleanType": "BOOLEAN", "DoubleType": "DOUBLE"}


def spark_session(app: str = "carehub-identify") -> Any:
    """A quiet local Spark session (local[2], few shuffle partitions, loopback only)."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession  # optional dependency: imported only for --engine spark

    spark = (SparkSession.builder.master("local[2]").appName(app)
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", "2g")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.ansi.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def to_spark(select: str, as_of: date | None = None) -> str:
    """Transpile one SELECT from DuckDB's dialect to Spark SQL, with the as-of date as a literal."""
    import sqlglot

    if as_of is not None:
        select = select.replace(AS_OF, f"DATE '{as_of.isoformat()}'")
    return sqlglot.transpile(select, read="duckdb", write="spark")[0]


class SparkEngine:
    """Identification on a Spark session: every name is a temporary view over a checkpointed DataFrame."""

    name = "spark"

    def __init__(self, spark: Any, workdir: str | Path) -> None:
        self.spark = spark
        self.workdir = str(workdir)
        self.formats: dict[str, str] = {}

    def read_files(self, name: str, fmt: str, files: list[Path]) -> None:
        self.formats[name] = fmt
        paths = [str(f) for f in files]
        reader = self.spark.read
        # the same RFC 4180 dialect as DuckDB's read_csv above (Spark's default escape is a backslash)
        frame = (reader.option("header", "true").option("inferSchema", "false").option("quote", '"')
                 .option("escape", '"').csv(paths) if fmt == "csv"
                 else reader.option("mergeSchema", "true").parquet(*paths))
        frame.createOrReplaceTempView(name)

    def create(self, name: str, select: str, as_of: date | None = None, *, view: bool = False) -> None:
        frame = self.spark.sql(to_spark(select, as_of))
        if not view:
            # materialise to Parquet and read back: later rules then start from files, not from a lineage that
            # grows with every rule (caching keeps the lineage; localCheckpoint trips on self-joins in Spark 4)
            path = f"{self.workdir}/{name}"
            frame.write.mode("overwrite").parquet(path)
            frame = self.spark.read.parquet(path)
        frame.createOrReplaceTempView(name)

    def columns(self, name: str) -> dict[str, str] | None:
        if not self.spark.catalog.tableExists(name):
            return None
        fields = self.spark.table(name).schema.fields
        return {f.name.lower(): _SPARK_TYPES.get(type(f.dataType).__name__, "VARCHAR") for f in fields}

    def rows(self, select: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(to_spark(select)).collect()]

    @property
    def workers(self) -> int:
        return 1  # each rule is already a parallel Spark job

    def cursor(self) -> SparkEngine:
        return self

    def close(self) -> None:
        pass  # the session belongs to the caller

    def interrupt(self) -> None:
        pass  # never more than one rule at a time (workers = 1)
