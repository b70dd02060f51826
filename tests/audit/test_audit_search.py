"""Audit log search: compliance and admin only, filters, paging, and the chain check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.audit.services import JobActor, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def compliance(client):
    user = make_user(Role.PLAN_COMPLIANCE_FINANCE, username="carmen")
    client.force_login(user)
    return user


@pytest.fixture
def events():
    reader = make_user(username="reader")
    record(actor=reader, action=Action.READ, person_id="P-1", route="/members/P-1/")
    record(actor=reader, action=Action.READ, person_id="P-2", route="/members/P-2/")
    record(actor=reader, action=Action.DENIED, person_id="P-3", route="/members/P-3/")
    record(actor=JobActor("load"), action=Action.LOAD, detail={"rows": 10})
    return reader


def _seqs(response) -> list[int]:
    return [e.seq for e in response.context["page"]]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.PLAN_COMPLIANCE_FINANCE, Role.PLAN_ADMIN)])
def test_only_compliance_and_admin_may_search(client, role):
    client.force_login(make_user(role))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/chain/").status_code == 403


def test_admin_may_search(client, events):
    client.force_login(make_user(Role.PLAN_ADMIN))
    assert client.get("/audit/").status_code == 200


def test_filters(client, compliance, events):
    assert _seqs(client.get("/audit/", {"person_id": "P-2"})) == [2]
    assert _seqs(client.get("/audit/", {"actor": "reader"})) == [3, 2, 1]
    assert _seqs(client.get("/audit/", {"action": "DENIED"})) == [3]
    assert _seqs(client.get("/audit/", {"actor": "job:load"})) == [4]
    today = timezone.localdate()
    assert len(_seqs(client.get("/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat(),
                                            "person_id": "P-1"}))) == 1
    assert _seqs(client.get("/audit/", {"date_to": (today - timedelta(days=1)).isoformat()})) == []


def test_searching_the_log_is_itself_recorded(client, compliance, events):
    client.get("/audit/", {"person_id": "P-2"})
    event = AuditEvent.objects.filter(actor=compliance, action=Action.SEARCH).get()
    assert event.object_type == "AuditEvent" and event.detail["filter"] == {"person_id": "P-2"}


def test_pages_of_fifty(client, compliance):
    for i in range(120):
        record(actor=JobActor("t"), action=Action.READ, person_id=f"P-{i}")
    first = client.get("/audit/", {"actor": "job:t"})
    assert len(_seqs(first)) == 50 and first.context["page"].paginator.num_pages == 3
    third = client.get("/audit/", {"actor": "job:t", "page": 3})
    assert len(_seqs(third)) == 20 and b"Newer" in third.content


def test_chain_status_reports_intact(client, compliance, events):
    response = client.get("/audit/chain/")
    assert b"Chain verified" in response.content


def test_chain_check_is_a_whole_page_by_link_and_a_fragment_for_htmx(client, compliance, events):
    # The "check now" link (no JavaScript) must not land on a bare fragment without a title or language.
    page = client.get("/audit/chain/").content.decode()
    assert '<html lang="en">' in page and "<title>Audit log: hash chain check" in page and "Chain verified" in page
    fragment = client.get("/audit/chain/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Chain verified" in fragment


def test_chain_status_reports_tampering(client, compliance, events):
    with connection.cursor() as cursor:  # a database administrator going around the append-only triggers
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")  # user triggers off, this transaction
        cursor.execute("UPDATE audit_auditevent SET person_id = 'P-9' WHERE seq = 2")
    response = client.get("/audit/chain/")
    assert b"Chain broken" in response.content and b"event 2 was altered" in response.content


def test_a_search_with_no_match_says_so(client, compliance, events):
    # found by a walk-through of the demo: an empty page of results rendered nothing at all
    response = client.get("/audit/", {"person_id": "P-404"})
    page = response.content.decode()
    assert response.status_code == 200 and _seqs(response) == []
    assert "0 events." in page and "No events match." in page


def test_the_user_filter_ignores_case(client, compliance, events):
    assert _seqs(client.get("/audit/", {"actor": "READER"})) == [3, 2, 1]
    assert _seqs(client.get("/audit/", {"actor": "Job:Load"})) == [4]


def test_from_after_to_is_a_form_error_with_no_results(client, compliance, events):
    today = timezone.localdate()
    response = client.get("/audit/", {"date_from": today.isoformat(),
                                      "date_to": (today - timedelta(days=1)).isoformat()})
    page = response.content.decode()
    assert response.context["page"] is None and "No events match." not in page
    assert "is before From" in page and response.context["form"].errors["date_to"]
    assert not AuditEvent.objects.filter(actor=compliance, action=Action.SEARCH).exists()


def test_a_search_by_member_finds_the_lists_and_files_that_showed_them(client):
    """A list page or an exported file records the members it showed; searching the log by member found none of
    them (their ids sat only in the event's detail: found by an audit of the API)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "engagement"))
    from engagement_helpers import NPI_A, assign, ecm_shop

    from carehub.apps.assignments import exchange
    from carehub.apps.audit.models import AuditSubject
    from carehub.apps.audit.selectors import AuditFilter, search_events

    shop = ecm_shop()
    shown, other = assign(phone="510-555-0199"), assign(first_name="Bo")
    client.force_login(shop.staff)
    assert shown.member.member_id in str(client.get("/api/engagement/worklist").json())
    client.get("/api/assignments/mine")
    exchange.mif_bytes(NPI_A, timezone.localdate().strftime("%Y-%m"), actor=shop.staff)
    found = {(e.object_type, e.action) for e in search_events(AuditFilter(person_id=shown.member_id))}
    assert {("EngagementWorklist", "SEARCH"), ("Assignment", "SEARCH"),
            ("MemberInformationFile", "EXPORT")} <= found
    assert {e.object_type for e in search_events(AuditFilter(person_id=other.member_id))} >= {"EngagementWorklist"}
    # The compliance page shows them for that member, and the index is append-only like the events.
    client.force_login(make_user(Role.PLAN_COMPLIANCE_FINANCE))
    page = client.get(f"/audit/?person_id={shown.member_id}").content.decode()
    assert "MemberInformationFile" in page and "EngagementWorklist" in page
    with pytest.raises(Exception):  # noqa: B017 - the ORM guard or the database trigger, whichever comes first
        AuditSubject.objects.filter(person_id=shown.member_id).update(person_id="someone-else")
