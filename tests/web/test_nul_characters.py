"""A NUL character in a request is refused with a clear 400 before it reaches a query (PostgreSQL cannot hold it)."""

from __future__ import annotations

import pytest

from carehub.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_nul_in_a_query_parameter_is_a_clear_client_error(client):
    response = client.get("/api/members", {"q": "Gar\x00cia"})
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]
    assert AuditEvent.objects.count() == 0


def test_nul_in_a_json_body_is_a_clear_client_error(client):
    response = client.post("/api/referrals", data='{"member_first_name": "A\\u0000"}', content_type="application/json")
    assert response.status_code == 400
    assert "NUL character" in response.json()["detail"]


def test_ordinary_requests_pass_through(client):
    assert client.get("/accounts/login/", {"next": "/members/"}).status_code == 200
