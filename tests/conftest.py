"""Shared test set-up: every test gets its own data directory (warehouse, generated files)."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "carehub-data"
    data.mkdir()
    monkeypatch.setenv("CAREHUB_DATA_DIR", str(data))
    return data


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or "transactional_db" in request.fixturenames


@pytest.fixture(autouse=True)
def _audit_log_flushable_between_transactional_tests(request):
    """Transactional tests end with a flush (DELETE/TRUNCATE of every table), which the audit log's append-only
    triggers rightly refuse. Around such tests the triggers are re-created at the start (so the test runs against
    the real guard) and dropped at the end, just before the flush."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from django.db import connection

    triggers = importlib.import_module("carehub.apps.audit.migrations.0002_append_only_triggers")
    with connection.schema_editor() as editor:
        triggers.drop_triggers(None, editor)
        triggers.create_triggers(None, editor)
    yield
    with connection.schema_editor() as editor:
        triggers.drop_triggers(None, editor)
