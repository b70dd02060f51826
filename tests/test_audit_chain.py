"""The audit log is append-only and hash-chained: any change, removal or reordering is detected."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from carehub.apps.audit.models import Action, AppendOnlyError, AuditEvent
from carehub.apps.audit.services import JobActor, record, verify_chain

pytestmark = pytest.mark.django_db


def _write_events(n: int = 5) -> list[AuditEvent]:
    return [
        record(actor=JobActor("test"), action=Action.READ, object_type="member", object_id=str(i),
               person_id=f"P{i:04d}", route="/members/x", detail={"i": i})
        for i in range(n)
    ]


def _drop_append_only_triggers() -> None:
    """What an attacker with database access would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_no_change ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")


def test_events_link_into_a_chain_that_verifies():
    events = _write_events(5)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    result = verify_chain()
    assert result.ok and result.checked == 5


def test_job_and_anonymous_actors_are_named():
    event = record(actor=JobActor("load"), action=Action.LOAD)
    assert event.actor_label == "job:load" and event.actor_id is None
    assert record(actor=None, action=Action.LOGIN_FAILED).actor_label == "anonymous"


def test_orm_refuses_to_change_or_delete_events():
    event = _write_events(1)[0]
    event.purpose = "edited"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="edited")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


def test_database_refuses_raw_updates_and_deletes():
    _write_events(2)
    for sql in ("UPDATE audit_auditevent SET purpose = 'x'", "DELETE FROM audit_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.count() == 2
    assert verify_chain().ok


def test_altered_event_is_detected_at_its_position():
    _write_events(5)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET person_id = 'P9999' WHERE seq = 3")
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_seq == 3
    assert result.checked == 2
    assert "altered" in result.problem


def test_removed_event_is_detected():
    _write_events(5)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 2 and "missing" in result.problem


def test_truncated_tail_is_detected():
    _write_events(5)
    _drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 5")
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 5


def test_rehashed_forgery_breaks_the_next_link():
    """Recomputing the altered event's own hash is not enough: the following event still names the old hash."""
    from carehub.apps.audit.chain import event_digest

    events = _write_events(4)
    _drop_append_only_triggers()
    target = AuditEvent.objects.values().get(seq=2)
    forged = event_digest(target["prev_hash"], seq=2, at=target["at"], actor_id=None, actor_label="job:test",
                          action="READ", object_type="member", object_id="1", person_id="P7777",
                          route="/members/x", purpose="", detail={"i": 1})
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET person_id = 'P7777', hash = %s WHERE seq = 2", [forged])
    result = verify_chain()
    assert not result.ok and result.first_bad_seq == 3
    assert events[2].prev_hash != forged
