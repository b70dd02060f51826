"""Shared test set-up: every test gets its own data directory (warehouse, generated files)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only", action="store_true",
        help="run only the tests that use the operational database (the PostgreSQL pass of ./run test: the others, "
             "rules on DuckDB, Spark, file formats, policy functions, never open it and ran in the SQLite pass)")


_DATABASE_FIXTURES = ("db", "transactional_db", "django_db_setup", "live_server")


def uses_database(item) -> bool:
    """pytest-django refuses database access to a test without the `django_db` mark or a database fixture, so these
    are exactly the tests whose outcome can depend on the database backend."""
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or any(f in fixtures for f in _DATABASE_FIXTURES)


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-tests-only"):
        return
    others = [item for item in items if not uses_database(item)]
    if others:
        config.hook.pytest_deselected(items=others)
        items[:] = [item for item in items if uses_database(item)]


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    data = tmp_path / "carehub-data"
    data.mkdir()
    monkeypatch.setenv("CAREHUB_DATA_DIR", str(data))
    return data


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _jobs_run_at_once(request):
    """Background jobs (django-tasks) run as they are queued, so a test sees their effect at once; a test that
    exercises the queue itself asks for `queued_jobs` (the production database backend) instead."""
    if "queued_jobs" not in request.fixturenames:
        request.getfixturevalue("settings").TASKS = IMMEDIATE_TASKS


@pytest.fixture
def queued_jobs(settings):
    """The database backend of production: queued jobs wait for `carehub worker`."""
    from carehub.web import settings as production

    settings.TASKS = production.TASKS
    return settings


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

    modules = [importlib.import_module(f"carehub.apps.audit.migrations.{name}")
               for name in ("0002_append_only_triggers", "0004_subjects")]  # the events, then their subjects
    with connection.schema_editor() as editor:
        for triggers in reversed(modules):
            triggers.drop_triggers(None, editor)
        for triggers in modules:
            triggers.create_triggers(None, editor)
    yield
    with connection.schema_editor() as editor:
        for triggers in reversed(modules):
            triggers.drop_triggers(None, editor)


# ---- browser tests: Playwright's sync API driving Debian's chromium (never a downloaded browser) ----------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test body stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    executable = os.environ.get("CAREHUB_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.skip(f"no chromium at {executable} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)  # CI machines are shared: give slow moments room
    yield page
    context.close()
