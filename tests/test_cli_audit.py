"""`carehub audit verify` tells operations staff whether the audit log is intact, by exit code and message."""

from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import JobActor, record
from carehub.cli import app

pytestmark = pytest.mark.django_db(transaction=True)


def test_verify_reports_intact_log():
    for _ in range(3):
        record(actor=JobActor("test"), action=Action.READ, person_id="P1")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 3 events" in result.output


def test_verify_fails_on_tampering():
    for _ in range(3):
        record(actor=JobActor("test"), action=Action.READ, person_id="P1")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")
        cursor.execute("UPDATE audit_auditevent SET actor_label = 'someone-else' WHERE seq = 2")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "event 2 was altered" in result.output
