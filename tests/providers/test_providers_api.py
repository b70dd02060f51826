"""/api/providers: the network for provider relations and the roster for a provider's own systems."""

from __future__ import annotations

import pytest
from factories import make_user
from providers_helpers import ecm, network_staff, staff_of

from carehub.apps.accounts.models import Role
from carehub.apps.providers import services
from carehub.apps.providers.models import CareManager

pytestmark = pytest.mark.django_db


def test_network_staff_list_and_read_providers(client, django_assert_max_num_queries):
    staff = network_staff()
    providers = [ecm(n) for n in range(1, 56)]
    services.update_network_record(providers[0], {"contract_status": "SUSPENDED"}, actor=staff)
    services.set_capacity_line(providers[0], county="Alameda", population="ADULT_HOMELESS", capacity=5,
                               expected=4, actor=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get("/api/providers/")
    assert response.status_code == 200 and len(response.json()) == 50
    first = response.json()[0]
    assert (first["npi"], first["contract_status"], first["assignable"]) == (providers[0].npi, "SUSPENDED", False)
    assert len(client.get("/api/providers/?page=2").json()) == 5
    assert len(client.get("/api/providers/?contract_status=SUSPENDED").json()) == 1
    detail = client.get(f"/api/providers/{providers[0].npi}").json()
    assert detail["expected_assignments"] == 4
    assert detail["capacity_by_county"] == [{"county": "Alameda", "population": "ADULT_HOMELESS", "capacity": 5,
                                             "assigned": 0, "expected": 4}]
    assert client.get("/api/providers/0000000000").status_code == 404


@pytest.mark.parametrize("role", [Role.PLAN_CARE_COORDINATION, Role.ECM_PROVIDER_STAFF])
def test_others_cannot_list_the_network(client, role):
    ecm(1)
    client.force_login(make_user(role))
    assert client.get("/api/providers/").status_code == 403


def test_provider_keeps_its_roster_through_the_api(client):
    provider, other = ecm(1), ecm(2)
    client.force_login(staff_of(provider))
    url = f"/api/providers/{provider.npi}/care-managers"
    body = {"name": "Rosa Diaz", "role": "NURSE", "languages": ["Spanish"], "populations": ["ADULT_HOMELESS"],
            "max_caseload": 20}
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["caseload"] == 0
    cm_id = created.json()["id"]
    changed = client.put(f"{url}/{cm_id}", {**body, "role": "CHW", "active": False}, content_type="application/json")
    assert changed.status_code == 200 and (changed.json()["role"], changed.json()["active"]) == ("CHW", False)
    for bad in ({**body, "role": "WIZARD"}, {**body, "max_caseload": -1}, {**body, "max_caseload": 10**12},
                {**body, "populations": ["NOPE"]}, {**body, "name": " "}):
        assert client.post(url, bad, content_type="application/json").status_code == 400, bad
    assert [c["name"] for c in client.get(url).json()] == ["Rosa Diaz"]
    client.force_login(staff_of(other))
    assert client.get(url).status_code == 404
    assert client.put(f"{url}/{cm_id}", body, content_type="application/json").status_code == 404
    assert CareManager.objects.get().role == "CHW"
