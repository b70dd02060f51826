"""Storing identification runs and reading the worklist at scale, on PostgreSQL (or SQLite without the URL).

    CAREHUB_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/carehub_bench ./run bench identification_store \
        [--members N] [--share 0.15]

Seeds N synthetic members (default 1,000,000) with one care relationship each over 200 NPIs (once), then stores two
monthly runs of synthetic output rows (a `share` of members identified, about 1.3 populations each, 10% churn
between the months) through `store_run`, and times: each store (COPY, comparison, counts, audit), the worklist
page (no filter, by county, by population, a provider user; new, still and no longer eligible), the member page
section (p50/p95), and the CSV download's lines (once each).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.web.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User  # noqa: E402
from carehub.apps.identification import selectors  # noqa: E402
from carehub.apps.identification.services import store_run  # noqa: E402
from carehub.apps.members.models import CareRelationship, Member  # noqa: E402
from carehub.apps.providers.models import ProviderOrganization  # noqa: E402

POPULATIONS = ["ADULT_AVOIDABLE_UTILIZATION", "ADULT_HOMELESS", "ADULT_SMH_SUD", "ADULT_REENTRY", "ADULT_LTC_RISK",
               "CHILD_WELFARE", "CHILD_SMH_SUD", "ADULT_BIRTH_EQUITY", "FAMILY_HOMELESS", "CHILD_CCS"]
COUNTIES = ["Alameda", "Fresno", "Kern", "Los Angeles", "Orange", "Riverside", "Sacramento", "San Diego"]


def seed_members(n: int) -> None:
    if Member.objects.count() >= n:
        return
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO members_member (person_id, member_id, first_name, last_name, birth_date, gender, race,
                ethnicity, preferred_language, county, address, city, state, zip_code, phone, email, aid_code,
                pcp_npi, row_hash)
            SELECT 'P' || lpad(i::text, 9, '0'), lpad((90000000 + i)::text, 8, '0') || 'A', 'Pat', 'Member' || i,
                   DATE '1940-01-01' + (i % 29000), '', '', '', '', '', '', '', 'CA', '', '', '', '', '', ''
            FROM generate_series(1, {int(n)}) AS i""")
        cur.execute("""
            INSERT INTO members_carerelationship (person_id, row_key, row_hash, provider_npi, kind, start_date,
                end_date, source)
            SELECT person_id, 'rel-' || person_id, '', 'N' || lpad((id % 200)::text, 9, '0'), 'ASSIGNED',
                   DATE '2024-01-01', NULL, 'bench'
            FROM members_member""")
        cur.execute("ANALYZE")  # the seeded members


def synthetic_rows(n: int, share: float, month: int) -> list[tuple]:
    """Output rows for one month: the same people mostly, 10% replaced each month; priority dense by score."""
    rng = random.Random(7)
    people = rng.sample(range(1, n + 1), int(n * share * 1.1))
    chosen = people[: int(n * share)] if month == 0 else people[int(n * share * 0.1):]
    scored = sorted(((rng.random() * 50, i) for i in chosen), reverse=True)
    rows = []
    for rank, (score, i) in enumerate(scored, start=1):
        pid = f"P{i:09d}"
        excluded = i % 29 == 0
        pops = sorted({POPULATIONS[i % 10], *([POPULATIONS[(i // 10) % 10]] if i % 3 == 0 else [])})
        for population in pops:
            rows.append((pid, f"{90000000 + i:08d}A", population, "AVOIDABLE_ED_5_IN_6M",
                         f"claim:C{i}1;claim:C{i}2;housing:UNSHELTERED:2026-0{1 + i % 9}-01", excluded,
                         (("PLAN_CASE_MANAGEMENT" if i % 58 == 0 else "HOSPICE_OR_PALLIATIVE") if excluded else ""),
                         i % 17 == 0, rank, COUNTIES[i % 8],
                         round(score, 2), "ED_VISITS_6M=5;UNSHELTERED_NOW=1",
                         "program:HOSPICE:2026-01-01" if excluded else ""))
    return rows


def timed(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.15)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", interactive=False, verbosity=0)
    seed_members(args.members)
    with connection.cursor() as cur:  # start from no runs, so the first store is a first month
        cur.execute("DELETE FROM identification_identifiedpopulation")
        cur.execute("DELETE FROM identification_nolongereligible")
        cur.execute("DELETE FROM identification_identificationrun")
    print(f"database: {connection.vendor}, members: {Member.objects.count():,}")
    for month, as_of in enumerate([date(2026, 9, 30), date(2026, 10, 31)]):
        rows = synthetic_rows(args.members, args.share, month)
        start = time.perf_counter()
        run = store_run(rows, as_of=as_of)
        seconds = time.perf_counter() - start
        print(f"store {as_of}: {len(rows):,} rows, {run.people:,} people, {run.new_people:,} new: {seconds:.1f} s")
    # no ANALYZE here: the pages are read as right after `carehub identify` (store_run refreshes the statistics)
    plan_org, _ = Organization.objects.get_or_create(name="Bench plan", kind=OrganizationKind.PLAN)
    plan_user, _ = User.objects.get_or_create(username="bench-ident-plan", defaults={
        "role": Role.PLAN_CARE_COORDINATION, "organization": plan_org})
    npi = CareRelationship.objects.values_list("provider_npi", flat=True).first()
    org, _ = Organization.objects.get_or_create(name="Bench ECM", kind=OrganizationKind.ECM_PROVIDER)
    ProviderOrganization.objects.get_or_create(npi=npi, defaults={"name": "Bench ECM", "kind": "ECM",
                                                                  "organization": org})
    provider_user, _ = User.objects.get_or_create(username="bench-ident-ecm", defaults={
        "role": Role.ECM_PROVIDER_STAFF, "organization": org})
    run = selectors.latest_run()
    last = selectors.worklist(plan_user, run, selectors.WorklistFilter()).lines[-1].priority
    cases = {
        "worklist, no filter": (plan_user, selectors.WorklistFilter()),
        "worklist, page 2": (plan_user, selectors.WorklistFilter(after=last)),
        "worklist, county": (plan_user, selectors.WorklistFilter(county="Kern")),
        "worklist, population": (plan_user, selectors.WorklistFilter(population="ADULT_REENTRY")),
        "worklist, county + population": (plan_user, selectors.WorklistFilter(county="Fresno",
                                                                                population="CHILD_WELFARE")),
        "worklist, provider user": (provider_user, selectors.WorklistFilter()),
        "still eligible": (plan_user, selectors.WorklistFilter(change="STILL")),
        "still eligible, population": (plan_user, selectors.WorklistFilter(change="STILL", population="CHILD_CCS")),
        "no longer eligible": (plan_user, selectors.WorklistFilter(change="NO_LONGER")),
        "no longer eligible, county": (plan_user, selectors.WorklistFilter(change="NO_LONGER", county="Kern")),
        "no longer eligible, provider": (provider_user, selectors.WorklistFilter(change="NO_LONGER")),
        "excluded for one reason": (plan_user, selectors.WorklistFilter(exclusion="PLAN_CASE_MANAGEMENT")),
        "excluded for one reason, still": (plan_user, selectors.WorklistFilter(change="STILL",
                                                                                exclusion="PLAN_CASE_MANAGEMENT")),
    }
    for name, (user, filters) in cases.items():
        p50, p95 = timed(lambda u=user, f=filters: selectors.worklist(u, run, f), args.runs)
        print(f"{name:32s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    p50, p95 = timed(lambda: selectors.exclusion_summary(run), args.runs)
    print(f"{'run summary: excluded by reason':32s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    for change in ("NEW", "NO_LONGER", "STILL"):  # the CSV download's lines (once each: the largest takes seconds)
        start = time.perf_counter()
        lines = sum(1 for _ in selectors.export_lines(plan_user, run, selectors.WorklistFilter(change=change)))
        print(f"{'download ' + change:32s} {lines:,} members: {time.perf_counter() - start:.2f} s")
    member = Member.objects.get(person_id=selectors.worklist(plan_user, run, selectors.WorklistFilter())
                                .lines[0].person_id)
    p50, p95 = timed(lambda: selectors.member_populations(plan_user, member), args.runs)
    print(f"{'member page section':32s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()
