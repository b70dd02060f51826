"""What provider relations keep survives a reload of the plan's provider file: a prospective provider the file does
not list is kept (with its network record), and a listed provider keeps its record while the file updates it."""

from __future__ import annotations

import pytest
from ingest.plans import ECM_NPI, base_plan, write_plan
from providers_helpers import network_staff, npi

from carehub.apps.providers import services
from carehub.apps.providers.models import NetworkRecord, ProviderOrganization
from carehub.ingest.loader import load_folder

pytestmark = pytest.mark.django_db


def test_reloading_the_provider_file_keeps_what_provider_relations_recorded(tmp_path):
    load_folder(write_plan(tmp_path / "v1", base_plan()))
    staff = network_staff()
    services.add_provider({"npi": npi(77), "name": "Eastside Promotoras", "kind": "ECM",
                           "counties": ["Alameda"]}, actor=staff)
    listed = ProviderOrganization.objects.get(npi=ECM_NPI)
    services.update_network_record(listed, {"contract_status": "ACTIVE", "contract_start": "2024-01-01"},
                                   actor=staff)
    plan = base_plan()
    for row in plan["provider"]:
        if row["npi"] == ECM_NPI:
            row["name"] = "Renamed by the file"
    load_folder(write_plan(tmp_path / "v2", plan))
    assert ProviderOrganization.objects.get(npi=npi(77)).network.contract_status == "PROSPECTIVE"
    listed.refresh_from_db()
    assert listed.name == "Renamed by the file"
    assert NetworkRecord.objects.get(provider=listed).contract_status == "ACTIVE"
