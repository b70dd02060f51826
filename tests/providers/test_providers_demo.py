"""The demo network data: the `lcm` login is a Lead Care Manager on the demo ECM provider's roster, with colleagues,
a network record, a readiness application and a contracting exception; running the demo again changes nothing."""

from __future__ import annotations

import pytest
from factories import make_member, make_provider, relate

from carehub.apps.accounts.demo import create_demo_users
from carehub.apps.accounts.models import User
from carehub.apps.providers.models import (
    CareManager,
    ContractingException,
    NetworkRecord,
    ReadinessAnswer,
    ReadinessApplication,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_puts_lcm_on_the_roster_idempotently(client):
    provider = make_provider("1234567893", name="Busy ECM")
    provider.counties, provider.populations, provider.capacity = ["Alameda"], ["ADULT_HOMELESS"], 40
    provider.save()
    relate(make_member(), provider.npi)
    create_demo_users()
    counts = (CareManager.objects.count(), NetworkRecord.objects.count(), ReadinessAnswer.objects.count(),
              ContractingException.objects.count())
    create_demo_users()
    assert (CareManager.objects.count(), NetworkRecord.objects.count(), ReadinessAnswer.objects.count(),
            ContractingException.objects.count()) == counts
    lcm = User.objects.get(username="lcm")
    assert lcm.care_manager.provider == provider and lcm.care_manager.role == "NURSE"
    assert CareManager.objects.filter(provider=provider).count() == 5
    assert NetworkRecord.objects.get(provider=provider).contract_status == "ACTIVE"
    assert ReadinessApplication.objects.get(provider=provider).verdict == "APPROVED_WITH_CONDITIONS"
    client.force_login(User.objects.get(username="ecm"))
    page = client.get("/providers/roster/")
    assert page.status_code == 200 and b"Rosa Diaz" in page.content and b"lcm" in page.content
    client.force_login(User.objects.get(username="network"))
    assert client.get(f"/providers/{provider.npi}/").status_code == 200


def test_demo_on_an_empty_database_adds_no_network_data():
    create_demo_users()
    assert not CareManager.objects.exists() and not NetworkRecord.objects.exists()
