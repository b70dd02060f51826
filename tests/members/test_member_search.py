"""Member search: by name, CIN and date of birth, scoped to the user, bounded, audited, few queries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import QueryCounter, make_member, make_org, make_provider, make_user, relate, today

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.members.selectors import PAGE_SIZE, MemberQuery, search_members

pytestmark = pytest.mark.django_db

ECM_NPI = "1234567893"
OTHER_NPI = "1982736450"


@pytest.fixture
def people():
    ana = make_member(last_name="Garcia", first_name="Ana", birth_date=date(1980, 5, 17), member_id="91111111A")
    luis = make_member(last_name="Garcia", first_name="Luis", birth_date=date(1975, 1, 2), member_id="92222222B")
    mai = make_member(last_name="Nguyen", first_name="Mai", birth_date=date(1980, 5, 17), member_id="93333333C")
    return ana, luis, mai


@pytest.fixture
def ecm_user():
    org = make_org(OrganizationKind.ECM_PROVIDER, npi="")
    make_provider(ECM_NPI, organization=org)
    return make_user(Role.ECM_PROVIDER_STAFF, organization=org)


def _names(response) -> list[str]:
    return [m.first_name for m in response.context["page"].members]


@pytest.mark.parametrize("typed", ["garcia", "Garcia", "GARCIA", "Gar", "Garcia, "])
def test_plan_staff_find_by_last_name_prefix_in_any_case(client, people, typed):
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert _names(client.get("/members/", {"q": typed})) == ["Ana", "Luis"]


def test_find_by_last_and_first_name(client, people):
    client.force_login(make_user())
    assert _names(client.get("/members/", {"q": "Garcia, Lu"})) == ["Luis"]
    assert _names(client.get("/members/", {"q": "Ana Garcia"})) == ["Ana"]


@pytest.mark.parametrize("typed, expected", [(", Nguyen", ["Mai"]), (",", []), (", ,", []),
                                             ("Garcia\U0010ffff", []), (",\U0010ffff", [])])
def test_odd_punctuation_is_searched_sensibly_not_a_server_error(client, people, typed, expected):
    """Found by the API contract run: nothing before the comma, or the highest code point last, gave a 500."""
    client.force_login(make_user())
    assert _names(client.get("/members/", {"q": typed})) == expected
    response = client.get("/api/members", {"q": typed})
    assert response.status_code == 200
    assert [m["first_name"] for m in response.json()["results"]] == expected


def test_find_by_cin_exactly(client, people):
    client.force_login(make_user())
    assert _names(client.get("/members/", {"q": "93333333c"})) == ["Mai"]
    assert _names(client.get("/members/", {"q": "9333333"})) == []  # a CIN is never a prefix match


def test_find_by_date_of_birth_alone_or_with_a_name(client, people):
    client.force_login(make_user())
    assert _names(client.get("/members/", {"dob": "1980-05-17"})) == ["Ana", "Mai"]
    assert _names(client.get("/members/", {"q": "Nguyen", "dob": "1980-05-17"})) == ["Mai"]
    assert _names(client.get("/members/", {"q": "05/17/1980"})) == ["Ana", "Mai"]


def test_a_bad_date_is_explained_and_nothing_is_searched(client, people):
    client.force_login(make_user())
    response = client.get("/members/", {"dob": "17.05.1980"})
    assert b"YYYY-MM-DD" in response.content
    assert not AuditEvent.objects.filter(action=Action.SEARCH).exists()


def test_results_are_bounded_with_a_hint_to_narrow(client):
    for i in range(PAGE_SIZE + 5):
        make_member(last_name="Smith", first_name=f"F{i:03d}")
    client.force_login(make_user())
    response = client.get("/members/", {"q": "Smith"})
    page = response.context["page"]
    assert len(page.members) == PAGE_SIZE and page.has_more
    assert b"more match" in response.content


def test_provider_staff_find_only_members_currently_related_to_their_organization(client, people, ecm_user):
    ana, luis, mai = people
    relate(ana, ECM_NPI)
    relate(luis, ECM_NPI, end=today() - timedelta(days=1))  # ended yesterday
    relate(mai, OTHER_NPI)  # another provider's member
    client.force_login(ecm_user)
    response = client.get("/members/", {"dob": "1980-05-17"})
    assert _names(response) == ["Ana"]
    assert b"Nguyen" not in response.content
    assert _names(client.get("/members/", {"q": "Garcia"})) == ["Ana"]
    assert _names(client.get("/members/", {"q": "93333333C"})) == []


def test_a_relationship_that_starts_tomorrow_is_not_yet_current(client, people, ecm_user):
    relate(people[0], ECM_NPI, start=today() + timedelta(days=1))
    client.force_login(ecm_user)
    assert _names(client.get("/members/", {"q": "Garcia"})) == []


def test_the_organizations_own_npi_counts_too(people):
    org = make_org(OrganizationKind.ECM_PROVIDER, npi=OTHER_NPI)
    user = make_user(Role.LEAD_CARE_MANAGER, organization=org)
    relate(people[2], OTHER_NPI)
    assert [m.first_name for m in search_members(user, MemberQuery(text="Nguyen")).members] == ["Mai"]


def test_provider_without_network_link_sees_nobody(people):
    user = make_user(Role.CS_PROVIDER_STAFF)
    relate(people[0], ECM_NPI)
    assert search_members(user, MemberQuery(text="Garcia")).members == []


def test_member_users_cannot_search(client, people):
    client.force_login(make_user(Role.MEMBER, member=people[0]))
    assert client.get("/members/", {"q": "Garcia"}).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.SEARCH).exists()


def test_every_search_is_audited_with_the_query_and_the_people_shown(client, people):
    user = make_user()
    client.force_login(user)
    client.get("/members/", {"q": "Garcia"})
    [event] = AuditEvent.objects.filter(action=Action.SEARCH)
    assert event.actor_id == user.pk
    assert event.detail["query"] == {"text": "Garcia", "birth_date": ""}
    assert event.detail["person_ids"] == [people[0].person_id, people[1].person_id]


def test_htmx_search_returns_only_the_results_fragment(client, people):
    client.force_login(make_user())
    response = client.get("/members/", {"q": "Garcia"}, headers={"HX-Request": "true"})
    assert b"<table" in response.content and b"<html" not in response.content
    assert b"Garcia, Ana" in response.content


@pytest.mark.parametrize("role", [Role.PLAN_CARE_COORDINATION, Role.ECM_PROVIDER_STAFF])
def test_search_query_count_is_fixed_whatever_the_number_of_results(client, role):
    org = make_org(OrganizationKind.ECM_PROVIDER)
    make_provider(ECM_NPI, organization=org)
    user = make_user(role, organization=org if role == Role.ECM_PROVIDER_STAFF else None)
    for i in range(30):
        relate(make_member(last_name="Lopez", first_name=f"F{i:02d}"), ECM_NPI)
    relate(make_member(last_name="Lee"), ECM_NPI)
    client.force_login(user)
    client.get("/members/", {"q": "nobody"})  # warm up: the audit chain's head row now exists
    # session, user, the search (one bounded query per spelling: "Lopez" and "LOPEZ"), audit (head, event,
    # head, the members shown in one insert), the header's organization, session save; provider staff add one for
    # their organization's NPIs.
    expected = 10 if role != Role.ECM_PROVIDER_STAFF else 11
    with QueryCounter() as many:
        assert len(client.get("/members/", {"q": "Lopez"}).context["page"].members) == 30
    with QueryCounter() as one:
        assert len(client.get("/members/", {"q": "Lee"}).context["page"].members) == 1
    assert many.count == one.count == expected, many.statements


def test_postgresql_counts_a_name_prefix_as_it_is(db):
    """A last-name prefix is one code-point range the planner counts right (from the statistics of the name index
    by code point). With a LIKE beside a range in the database's collation (as it was), PostgreSQL counted the
    two as independent filters: 'Reye%' came to 385 of 19,958 members at 1M, and a provider user's search walked
    every one probing the organization's relationships (143 ms against 7-17 ms; bench/README.md, "Member search
    on true counts")."""
    from django.db import connection

    from carehub.apps.members.models import Member
    from carehub.apps.members.selectors import _alternatives, visible_members

    Member.objects.bulk_create(
        [Member(person_id=f"P{i:07d}", member_id=f"9{i:07d}A", first_name="Ana", birth_date=date(1980, 1, 1),
                last_name=f"Reyes{i}" if i % 10 == 0 else f"Other{i}") for i in range(3000)]
        + [Member(person_id="Q1", member_id="91", first_name="Ana", birth_date=date(1980, 1, 1), last_name="REYES"),
           Member(person_id="Q2", member_id="92", first_name="Ana", birth_date=date(1980, 1, 1), last_name="Rey-es")])
    matches = visible_members(make_user(Role.PLAN_CARE_COORDINATION)).filter(_alternatives("Reye")[-1])
    assert matches.count() == 300  # "Reye" exactly: not REYES, not Rey-es, whatever the database's collation
    if connection.vendor != "postgresql":
        return  # SQLite plans from its indexes, without row counts
    sql, params = matches.query.sql_with_params()
    assert " LIKE " not in sql.upper()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Member._meta.db_table}")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
    assert 150 <= estimate <= 600, estimate
