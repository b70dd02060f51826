"""Member search and member page at scale, on PostgreSQL.

    CAREHUB_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/carehub_bench ./run bench member_search [--members N]

Seeds N synthetic members (default 1,000,000) with one current care relationship each over 200 provider NPIs,
straight in SQL (generate_series), once; then times the selectors the pages call (search by last-name prefix,
"Last, First", CIN, date of birth; plan and provider users; the member page's record) and prints p50/p95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.web.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User  # noqa: E402
from carehub.apps.members.models import Member  # noqa: E402
from carehub.apps.members.selectors import MemberQuery, member_for, member_record, search_members  # noqa: E402
from carehub.apps.providers.models import ProviderOrganization  # noqa: E402

LAST = ["Garcia", "Nguyen", "Smith", "Lopez", "Kim", "Johnson", "Martinez", "Chen", "Williams", "Hernandez",
        "Brown", "Davis", "Rodriguez", "Patel", "Wong", "Jackson", "Lee", "Gonzalez", "Perez", "Wilson"]
FIRST = ["Ana", "Luis", "Mai", "John", "Maria", "David", "Linh", "Jose", "Sarah", "Michael", "Emily", "Carlos"]


def seed(n: int) -> None:
    if Member.objects.count() >= n:
        return
    last = "ARRAY[" + ",".join(f"'{x}'" for x in LAST) + "]"
    first = "ARRAY[" + ",".join(f"'{x}'" for x in FIRST) + "]"
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO members_member (person_id, member_id, first_name, last_name, birth_date, gender, race,
                ethnicity, preferred_language, county, address, city, state, zip_code, phone, email, aid_code,
                pcp_npi, row_hash)
            SELECT 'P' || lpad(i::text, 9, '0'), lpad((90000000 + i)::text, 8, '0') || 'A',
                   ({first})[1 + (i * 7) %% {len(FIRST)}],
                   ({last})[1 + (i * 13) %% {len(LAST)}] || CASE WHEN i %% 3 = 0 THEN '' ELSE (i %% 997)::text END,
                   DATE '1940-01-01' + (i %% 29000), '', '', '', '', 'Alameda', '', '', 'CA', '', '', '', '', '', ''
            FROM generate_series(1, %s) AS i""", [n])
        cur.execute("""
            INSERT INTO members_carerelationship (person_id, row_key, row_hash, provider_npi, kind, start_date,
                end_date, source)
            SELECT person_id, 'rel-' || person_id, '', 'N' || lpad((id % 200)::text, 9, '0'), 'ASSIGNED',
                   DATE '2024-01-01', NULL, 'bench'
            FROM members_member""")
        cur.execute("ANALYZE")


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "set CAREHUB_DATABASE_URL to a PostgreSQL database"
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    seed(args.members)
    print(f"members: {Member.objects.count():,} (seeded in {time.perf_counter() - start:.0f}s if new)")
    org, _ = Organization.objects.get_or_create(kind=OrganizationKind.ECM_PROVIDER, name="bench ECM")
    ProviderOrganization.objects.get_or_create(npi="N000000017", defaults={"name": "bench", "kind": "ECM",
                                                                           "organization": org})
    plan = User.objects.get_or_create(username="bench-plan", defaults={"role": Role.PLAN_CARE_COORDINATION})[0]
    provider = User.objects.get_or_create(username="bench-ecm", defaults={"role": Role.ECM_PROVIDER_STAFF,
                                                                          "organization": org})[0]
    queries = {"last-name prefix 'Garc'": MemberQuery(text="garc"),
               "'Lopez, Ma'": MemberQuery(text="Lopez, Ma"),
               "CIN": MemberQuery(text="90500017A"),
               "date of birth": MemberQuery(birth_date=Member.objects.get(person_id="P000500017").birth_date)}
    for who, user in (("plan", plan), ("provider", provider)):
        for label, query in queries.items():
            p50, p95 = timed(lambda u=user, q=query: search_members(u, q), args.runs)
            print(f"search {who:8} {label:26} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                  f"({len(search_members(user, query).members)} shown)")
    member = member_for(provider, "P000500017") or Member.objects.get(person_id="P000500017")
    p50, p95 = timed(lambda: member_record(provider, member), args.runs)
    print(f"member record (no warehouse)              p50 {p50:6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
