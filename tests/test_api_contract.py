"""Property-based contract run over the REST API's OpenAPI schema (schemathesis): whatever a client sends, in any
shape the schema allows or not, the API answers with a client error or a success, never a server error.

Requests go straight into the Django WSGI application as a signed-in plan administrator (who may call every
endpoint), with a valid CSRF token so that unsafe methods reach their handlers instead of stopping at the CSRF
check."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings

from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User
from carehub.web.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
schema.app = WSGIHandler()


@pytest.fixture
def signed_in_admin(db):
    """Session and CSRF cookies of a plan administrator, signed in through the real login form."""
    plan = Organization.objects.create(name="Plan", kind=OrganizationKind.PLAN)
    User.objects.create_user(username="api-admin", password="contract-test-pass-1", role=Role.PLAN_ADMIN,
                             organization=plan)
    client = Client()
    assert client.login(username="api-admin", password="contract-test-pass-1")
    csrf = _get_new_csrf_string()
    # The WSGI handler would close the test's database connection at the start and end of each request (inside the
    # test's transaction on PostgreSQL); Django's own test client disconnects these signals in the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
           "headers": {"X-CSRFToken": csrf}}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case, signed_in_admin):
    response = case.call(**signed_in_admin)
    label = f"{case.method} {case.formatted_path} -> {response.status_code}"
    assert response.status_code < 500, label
    # A lost session would turn the run into 401s that prove nothing; make that a failure too.
    assert response.status_code not in (401, 403), label
