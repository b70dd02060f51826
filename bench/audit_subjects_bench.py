"""What recording the members a list page showed costs (audit subjects), on PostgreSQL (or SQLite without the URL).

    createdb carehub_audit_bench
    CAREHUB_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/carehub_audit_bench .venv/bin/carehub migrate
    CAREHUB_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/carehub_audit_bench \
        .venv/bin/python bench/audit_subjects_bench.py [--rounds 300] [--people 100]

Times `audit.services.record` alone (each in its own transaction, as a page's event commits) for an event with no
list and for one that lists `people` members (a worklist page), and prints p50/p95 of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--people", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.web.settings")
    django.setup()
    from carehub.apps.audit.services import JobActor, record

    actor = JobActor("bench")
    people = [f"P{i:07d}" for i in range(args.people)]
    for label, kwargs in (("no list", {}), (f"{args.people} members", {"people": people})):
        times = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            record(actor=actor, action="SEARCH", object_type="Bench", **kwargs)
            times.append(time.perf_counter() - start)
        times.sort()
        print(f"{label}: p50 {statistics.median(times) * 1000:.2f} ms, "
              f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
