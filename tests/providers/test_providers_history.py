"""A provider's terms change over time: provider relations edit or end a subcontractor, and the provider page shows
who changed what and when (from the audit trail), newest first, without another provider's changes."""

from __future__ import annotations

from datetime import date

import pytest
from providers_helpers import ecm, network_staff

from carehub.apps.providers import selectors, services
from carehub.apps.providers.models import Subcontractor
from carehub.apps.providers.services import NetworkError

pytestmark = pytest.mark.django_db

ACTIVE = {"contract_status": "ACTIVE", "contract_start": "2025-01-01", "enrollment_status": "MEDI_CAL_ENROLLED"}


def test_a_subcontractor_is_edited_and_ended_and_the_row_stays():
    provider, staff = ecm(1), network_staff()
    sub = services.add_subcontractor(provider, {"name": "Street Medicine Partners", "capacity": "20",
                                                "start_date": "2025-02-01"}, actor=staff)
    services.update_subcontractor(sub, {"capacity": "30", "agreement_on_file": True, "end_date": "2026-06-30"},
                                  actor=staff)
    sub.refresh_from_db()
    assert (sub.capacity, sub.agreement_on_file, sub.end_date, sub.case_ratio) == (30, True, date(2026, 6, 30), "")
    with pytest.raises(NetworkError, match="cannot end before it starts"):
        services.update_subcontractor(sub, {"end_date": "2025-01-01"}, actor=staff)
    with pytest.raises(NetworkError, match="capacity"):
        services.update_subcontractor(sub, {"capacity": "-3"}, actor=staff)
    sub.refresh_from_db()
    assert (sub.capacity, sub.end_date) == (30, date(2026, 6, 30))
    assert Subcontractor.objects.count() == 1


def test_provider_staff_cannot_change_a_subcontractor(client):
    provider = ecm(2)
    sub = services.add_subcontractor(provider, {"name": "Helpers Inc"}, actor=network_staff())
    from providers_helpers import staff_of
    client.force_login(staff_of(provider))
    assert client.post(f"/providers/{provider.npi}/subcontractors/{sub.pk}/", {"end_date": "2026-01-31"}
                       ).status_code == 403
    sub.refresh_from_db()
    assert sub.end_date is None


def test_the_provider_page_shows_its_change_history_newest_first(client):
    provider, other, staff = ecm(3, name="Bay Street Outreach"), ecm(4), network_staff()
    services.update_network_record(provider, ACTIVE, actor=staff)
    services.set_capacity_line(provider, county="Alameda", population="ADULT_HOMELESS", capacity="8", actor=staff)
    sub = services.add_subcontractor(provider, {"name": "Street Medicine Partners"}, actor=staff)
    services.update_network_record(other, {**ACTIVE, "notes": "other provider's note"}, actor=staff)
    client.force_login(staff)
    response = client.post(f"/providers/{provider.npi}/subcontractors/{sub.pk}/",
                           {"capacity": "12", "end_date": "2026-06-30", "case_ratio": "1:20"})
    assert response.status_code == 302
    bad = client.post(f"/providers/{provider.npi}/subcontractors/{sub.pk}/", {"end_date": "2026-02-30"})
    assert bad.status_code == 400
    assert client.post(f"/providers/{other.npi}/subcontractors/{sub.pk}/", {"end_date": ""}).status_code == 404

    history = selectors.change_history(selectors.provider_detail(provider.npi))
    assert [line.what for line in history] == ["Subcontractor", "Subcontractor", "Capacity", "Network record"]
    assert ("end date", "2026-06-30") in history[0].changes and ("capacity", "12") in history[0].changes
    assert ("contract status", "ACTIVE") in history[-1].changes
    html = client.get(f"/providers/{provider.npi}/").content.decode()
    assert "Change history" in html and "end date: 2026-06-30" in html and staff.username in html
    assert "other provider&#x27;s note" not in html and "other provider's note" not in html
