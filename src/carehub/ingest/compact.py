"""Warehouse compaction: rewrite the tables a load stored as the extract (carehub.warehouse, "stored as the
extract") into the warehouse's own layout: canonical values, sorted by person_hash, zstd, and write the claim
events identification reads (domain/populations/runner.write_claim_events) when the medical claims were kept.

A load keeps clean Parquet claim files as they are so that it is not held up by the sort and the events;
this rewrite then runs as a background job the load queues (`carehub.ingest.tasks.compact_warehouse_job`, run
by `carehub worker`) or by hand (`carehub warehouse compact`). Until it runs, identification scans the claim
lines (same answer, slower). It writes a new version beside the live one (every other table shared through hard
links: its content does not change), records an audit event and publishes it, under the load lock, so it never
interleaves with a load. Running it again changes nothing.

It also writes the claim events anew, the same way, for a live version whose events this code would not read
(written by an older CareHub, whose SQL gives another key): after an upgrade, `carehub warehouse compact` brings
identification back to the stored events without a reload.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass

from carehub import warehouse
from carehub.domain.populations.runner import claim_events_current
from carehub.domain.populations.sources import EVENTS_FOLDER
from carehub.ingest.check import connect_duckdb
from carehub.ingest.loader import load_lock


@dataclass
class Compacted:
    """What a compaction did: the version it replaced and the one it published, with lines per table."""

    replaced: str
    version: str
    lines: dict[str, int]
    seconds: float


def compact_current() -> Compacted | None:
    """Rewrite the live version's tables stored as the extract, and its claim events when they are out of date;
    None when there is nothing to do."""
    started = time.monotonic()
    with load_lock():
        current = warehouse.current_version_dir()
        tables = warehouse.as_extract_tables(current) if current is not None else set()
        # claim events from an older CareHub (other SQL, missing parts) are written anew, so identification
        # reads them instead of scanning every claim line
        stale_events = (current is not None and "medical_claim" not in tables
                        and not claim_events_current(current))
        if current is None or not (tables or stale_events):
            return None
        rewrite_events = "medical_claim" in tables or stale_events  # left to this job by the load, or out of date
        version = warehouse.new_version()
        lines: dict[str, int] = {}
        con = connect_duckdb()
        try:
            for entry in sorted(current.iterdir()):
                if entry.name == warehouse.MANIFEST or (entry.name == EVENTS_FOLDER and rewrite_events):
                    continue  # a new manifest; events written below from the rewritten claims
                if entry.name in tables:
                    rows = warehouse.table_sql(con, current, entry.name)
                    lines[entry.name] = warehouse.write_table(con, version, entry.name, rows, previous=None)
                elif entry.is_dir():
                    shutil.copytree(entry, version / entry.name, copy_function=os.link)
                else:
                    os.link(entry, version / entry.name)
            if rewrite_events:
                warehouse.write_claim_events(version)
            _audit(current.name, version.name, lines)
        except BaseException:
            warehouse.discard(version)
            raise
        finally:
            con.close()
        warehouse.publish(version)
    return Compacted(current.name, version.name, lines, time.monotonic() - started)


def _audit(replaced: str, version: str, lines: dict[str, int]) -> None:
    from carehub.apps.audit.models import Action
    from carehub.apps.audit.services import JobActor, record

    record(actor=JobActor("compact"), action=Action.UPDATE, object_type="warehouse_version", object_id=version,
           purpose="rewrite claims stored as the extract", detail={"replaced": replaced, "lines": lines})
