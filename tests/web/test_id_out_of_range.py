"""An id larger than any 64-bit integer names no record: 404, never a server error (SQLite's driver cannot bind it;
the API contract run found /api/careplans/plans/9223372036854775808/versions/1 answering 500)."""

from __future__ import annotations

import pytest

from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User

pytestmark = pytest.mark.django_db

HUGE = 2**63


@pytest.fixture
def admin_client(client):
    plan = Organization.objects.create(name="Plan", kind=OrganizationKind.PLAN)
    User.objects.create_user(username="range-admin", password="range-test-pass-1", role=Role.PLAN_ADMIN,
                             organization=plan)
    assert client.login(username="range-admin", password="range-test-pass-1")
    return client


def test_api_answers_not_found_for_an_id_beyond_64_bits(admin_client):
    response = admin_client.get(f"/api/careplans/plans/{HUGE}/versions/1")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not Found"


def test_page_answers_not_found_for_an_id_beyond_64_bits(admin_client):
    assert admin_client.get(f"/careplans/plans/{HUGE}/").status_code == 404


def test_the_largest_64_bit_id_is_an_ordinary_miss(admin_client):
    assert admin_client.get(f"/api/careplans/plans/{HUGE - 1}/versions/1").status_code == 404
