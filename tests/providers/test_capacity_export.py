"""`carehub export capacity`: the Model of Care Part 2 provider capacity workbook, one sheet per county."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from stdnum import luhn
from typer.testing import CliRunner

from carehub.apps.providers.exports import CAPACITY_COLUMNS, write_capacity_workbook
from carehub.apps.providers.models import ProviderOrganization
from carehub.cli import app

pytestmark = pytest.mark.django_db


def npi(n: int) -> str:
    body = f"1{n:08d}"
    return body + luhn.calc_check_digit("80840" + body)


@pytest.fixture
def network():
    ProviderOrganization.objects.create(
        npi=npi(1), name="Bay Street Outreach", kind="ECM", provider_type="HOMELESSNESS_ORGANIZATION",
        counties=["Alameda", "Contra Costa"], populations=["ADULT_HOMELESS", "FAMILY_HOMELESS"],
        languages=["en", "es"], capacity=120, phone="(510) 555-0101", email="intake@bay.example.org")
    ProviderOrganization.objects.create(
        npi=npi(2), name="Alameda Medically Tailored Meals", kind="CS", counties=["Alameda"],
        supports=["MEDICALLY_TAILORED_MEALS"], capacity=300)
    ProviderOrganization.objects.create(npi=npi(3), name="Dr. Primary", kind="PCP", counties=["Alameda"])
    ProviderOrganization.objects.create(npi=npi(4), name="Anywhere Care", kind="ECM", populations=["ADULT_SMH_SUD"],
                                        capacity=10)


def test_workbook_has_one_sheet_per_county_with_ecm_and_cs_providers(network, tmp_path):
    out = tmp_path / "capacity.xlsx"
    counts = write_capacity_workbook(out, expected={npi(1): 80})
    assert counts == {"Alameda": 2, "Contra Costa": 1, "No county": 1}
    book = load_workbook(out)
    assert book.sheetnames == ["About", "Alameda", "Contra Costa", "No county"]
    alameda = [[c.value for c in row] for row in book["Alameda"].iter_rows()]
    assert alameda[0] == list(CAPACITY_COLUMNS)
    assert len(alameda) == 3  # the PCP is not listed
    ecm = dict(zip(CAPACITY_COLUMNS, alameda[1], strict=True))
    assert ecm["Organization name"] == "Bay Street Outreach" and ecm["NPI"] == npi(1)
    assert ecm["Provider category"] == "ECM"
    assert ecm["Provider type"] == "Organization serving individuals experiencing homelessness"
    assert ecm["Counties served"] == "Alameda; Contra Costa"
    assert ecm["Populations of Focus served"] == "Adults experiencing homelessness; Families experiencing homelessness"
    assert (ecm["Capacity (members)"], ecm["Expected assignments"]) == (120, 80)
    assert ecm["Experience with community-based face-to-face care management (yes/no)"] == "yes"
    assert ecm["Experience with the population, culturally and linguistically relevant (yes/no)"] == "yes"
    cs = dict(zip(CAPACITY_COLUMNS, alameda[2], strict=True))
    assert (cs["Provider category"], cs["Community Supports offered"], cs["Capacity (members)"]) == \
        ("CS", "MEDICALLY_TAILORED_MEALS", 300)
    assert cs["Expected assignments"] is None
    contra_costa = [[c.value for c in row] for row in book["Contra Costa"].iter_rows(min_row=2)]
    assert [r[4] for r in contra_costa] == [npi(1)]


def test_export_capacity_command(network, tmp_path):
    out = tmp_path / "moc" / "capacity.xlsx"
    result = CliRunner().invoke(app, ["export", "capacity", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == ["About", "Alameda", "Contra Costa", "No county"]
    assert "3 counties" in " ".join(result.output.split())  # rich wraps long paths


def test_a_provider_whose_contract_ended_is_not_listed(network, tmp_path):
    """The About sheet says the workbook lists contracted providers; one whose contract was terminated 90 days ago
    was listed (found by an audit of the exchange files)."""
    from datetime import timedelta

    from django.utils import timezone

    from carehub.apps.providers.models import NetworkRecord

    ended = ProviderOrganization.objects.get(npi=npi(4))
    NetworkRecord.objects.create(provider=ended, contract_status="ACTIVE",
                                 contract_start=timezone.localdate() - timedelta(days=400),
                                 contract_end=timezone.localdate() - timedelta(days=90))
    counts = write_capacity_workbook(tmp_path / "capacity.xlsx", expected={})
    assert counts == {"Alameda": 2, "Contra Costa": 1}  # "Anywhere Care" (no county) is gone
