"""The provider network for provider relations: network records (contract, enrollment or vetting, experience),
subcontractors, the filtered list and detail pages (query counts at 50+ rows), capacity by provider, county and
population, and the capacity export using those figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from factories import make_member, make_user
from openpyxl import load_workbook
from providers_helpers import ecm, network_staff, npi

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import services as assignment_services
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.providers import selectors, services
from carehub.apps.providers.exports import CAPACITY_COLUMNS, write_capacity_workbook
from carehub.apps.providers.models import CareManager, NetworkRecord, ProviderOrganization, ProviderSite, Subcontractor
from carehub.apps.providers.services import NetworkError

pytestmark = pytest.mark.django_db
ACTIVE = {"contract_status": "ACTIVE", "contract_start": "2025-01-01", "enrollment_status": "MEDI_CAL_ENROLLED",
          "community_experience": True, "expected_assignments": "40"}


def assign(member, provider, population="ADULT_HOMELESS"):
    return assignment_services._open_assignment(member=member, npi=provider.npi, rule="BEST_MATCH", actor=None,
                                                now=timezone.now(), authorization=None, population=population)


def test_network_record_saves_contract_enrollment_and_flags_with_audit():
    provider, staff = ecm(1), network_staff()
    rec = services.update_network_record(provider, ACTIVE, actor=staff)
    rec.refresh_from_db()
    assert (rec.contract_status, rec.contract_start, rec.enrollment_status, rec.community_experience,
            rec.population_experience, rec.expected_assignments) == (
        "ACTIVE", date(2025, 1, 1), "MEDI_CAL_ENROLLED", True, False, 40)
    event = AuditEvent.objects.get(object_type="NetworkRecord", object_id=provider.npi)
    assert event.action == Action.UPDATE and event.detail["contract_status"] == "ACTIVE"


@pytest.mark.parametrize(("data", "problem"), [
    ({"contract_status": "ACTIVE"}, "contract start date"),
    ({"contract_status": "SIGNED"}, "contract status"),
    ({"contract_status": "PROSPECTIVE", "enrollment_status": "MAYBE"}, "enrollment"),
    ({"contract_status": "PROSPECTIVE", "contract_start": "2025-06-01", "contract_end": "2025-01-01"},
     "cannot end before it starts"),
    ({"contract_status": "PROSPECTIVE", "contract_start": "June"}, "YYYY-MM-DD"),
    ({"contract_status": "PROSPECTIVE", "expected_assignments": "-3"}, "negative"),
    ({"expected_assignments": "3"}, "needs the provider's contract status"),
])
def test_network_record_refuses_bad_input_and_changes_nothing(data, problem):
    provider = ecm(1)
    with pytest.raises(NetworkError, match=problem):
        services.update_network_record(provider, data, actor=network_staff())
    assert not NetworkRecord.objects.exists()


@pytest.mark.parametrize("role", [Role.PLAN_CARE_COORDINATION, Role.ECM_PROVIDER_STAFF])
def test_only_network_staff_change_the_network(role):
    provider = ecm(1)
    with pytest.raises(NetworkError, match="provider relations"):
        services.update_network_record(provider, ACTIVE, actor=make_user(role))
    with pytest.raises(NetworkError):
        services.add_subcontractor(provider, {"name": "Helpers Inc"}, actor=make_user(role))
    assert not NetworkRecord.objects.exists() and not Subcontractor.objects.exists()


def test_only_contracted_providers_are_assigned():
    contracted, suspended, unrecorded = ecm(1), ecm(2), ecm(3)
    staff = network_staff()
    services.update_network_record(contracted, ACTIVE, actor=staff)
    services.update_network_record(suspended, {**ACTIVE, "contract_status": "SUSPENDED"}, actor=staff)
    capacity = {n: p.capacity for n, p in assignment_services.network().items()}
    # No record: provider.csv counts every ECM provider as contracted.
    assert capacity == {contracted.npi: 10, suspended.npi: 0, unrecorded.npi: 10}


def test_a_contract_not_yet_started_or_already_ended_assigns_nobody(client):
    future, ended, ending = ecm(1), ecm(2), ecm(3)
    staff, today = network_staff(), timezone.localdate()
    services.update_network_record(future, {**ACTIVE, "contract_start": today + timedelta(days=10)}, actor=staff)
    services.update_network_record(ended, {**ACTIVE, "contract_end": today - timedelta(days=1)}, actor=staff)
    services.update_network_record(ending, {**ACTIVE, "contract_end": today + timedelta(days=20)}, actor=staff)
    capacity = {n: p.capacity for n, p in assignment_services.network(today).items()}
    assert capacity == {future.npi: 0, ended.npi: 0, ending.npi: 10}
    assert assignment_services.network(today + timedelta(days=10))[future.npi].capacity == 10
    client.force_login(staff)
    rows = {r.provider.npi: r for r in client.get("/providers/").context["rows"]}
    assert (rows[future.npi].assignable, rows[ended.npi].assignable, rows[ending.npi].assignable) == (
        False, False, True)
    assert rows[ending.npi].ending_soon and not rows[future.npi].ending_soon
    assert rows[ending.npi].enrolled_or_vetted


def test_subcontractor_is_recorded_with_its_terms():
    provider = ecm(1)
    sub = services.add_subcontractor(provider, {
        "name": "Street Medicine Partners", "npi": npi(90), "counties": ["Alameda"], "populations": ["ADULT_HOMELESS"],
        "capacity": "25", "case_ratio": "1:20", "agreement_on_file": True, "start_date": "2025-02-01"},
        actor=network_staff())
    assert (sub.capacity, sub.populations, sub.agreement_on_file, sub.start_date) == (
        25, ["ADULT_HOMELESS"], True, date(2025, 2, 1))
    with pytest.raises(NetworkError, match="unknown population"):
        services.add_subcontractor(provider, {"name": "X", "populations": ["NOPE"]}, actor=network_staff())


def test_capacity_by_county_and_population_counts_open_assignments():
    provider, staff = ecm(1, capacity=30, counties=("Alameda", "Contra Costa")), network_staff()
    services.set_capacity_line(provider, county="Alameda", population="ADULT_HOMELESS", capacity="20",
                               expected="15", actor=staff)
    services.set_capacity_line(provider, county="Contra Costa", population="ADULT_SMH_SUD", capacity="10",
                               actor=staff)
    for _ in range(2):
        assign(make_member(county="Alameda"), provider)
    assign(make_member(county="Contra Costa"), provider, population="ADULT_HOMELESS")
    ended = assign(make_member(county="Alameda"), provider)
    assignment_services.end_assignment(ended, "moved away", actor=staff)
    (row,) = selectors.capacity_by_provider([provider])
    cells = {(c.county, c.population): (c.capacity, c.assigned, c.expected) for c in row.cells}
    assert cells == {("Alameda", "ADULT_HOMELESS"): (20, 2, 15), ("Contra Costa", "ADULT_HOMELESS"): (None, 1, None),
                     ("Contra Costa", "ADULT_SMH_SUD"): (10, 0, None)}
    assert (row.assigned, row.expected, row.left) == (3, 15, 27)
    # A record's own expectation wins over the sum of the lines.
    services.update_network_record(provider, {**ACTIVE, "expected_assignments": "25"}, actor=staff)
    assert selectors.expected_assignments() == {provider.npi: 25}
    # Capacity 0 and no expectation removes the line.
    services.set_capacity_line(provider, county="Contra Costa", population="ADULT_SMH_SUD", capacity="0",
                               actor=staff)
    assert provider.capacity_lines.count() == 1


def test_counties_are_california_counties_as_eligibility_writes_them():
    provider, staff = ecm(1), network_staff()
    line = services.set_capacity_line(provider, county="  alameda COUNTY ", population="ADULT_HOMELESS",
                                      capacity=3, actor=staff)
    assert line.county == "Alameda"
    with pytest.raises(NetworkError, match="not a California county"):
        services.set_capacity_line(provider, county="Atlantis", population="ADULT_HOMELESS", capacity=3,
                                   actor=staff)
    with pytest.raises(NetworkError, match="not a California county"):
        services.add_subcontractor(provider, {"name": "X", "counties": ["Alameda", "Nowhere"]}, actor=staff)
    assert services.add_subcontractor(provider, {"name": "Y", "counties": ["contra costa"]},
                                      actor=staff).counties == ["Contra Costa"]


def test_capacity_export_uses_the_plans_expected_assignments(tmp_path):
    provider = ecm(1)
    services.update_network_record(provider, {**ACTIVE, "expected_assignments": "12"}, actor=network_staff())
    out = tmp_path / "capacity.xlsx"
    write_capacity_workbook(out)
    rows = [[c.value for c in r] for r in load_workbook(out)["Alameda"].iter_rows()]
    assert dict(zip(CAPACITY_COLUMNS, rows[1], strict=True))["Expected assignments"] == 12


def test_capacity_export_uses_county_figures_and_confirmed_experience(tmp_path):
    provider, staff = ecm(1, capacity=100, counties=("Alameda", "Contra Costa")), network_staff()
    provider.provider_type = "HOMELESSNESS_ORGANIZATION"
    provider.save()
    services.set_capacity_line(provider, county="Alameda County", population="ADULT_HOMELESS", capacity=30,
                               expected=20, actor=staff)
    services.set_capacity_line(provider, county="Alameda", population="FAMILY_HOMELESS", capacity=10, actor=staff)
    services.update_network_record(provider, {**ACTIVE, "expected_assignments": 50, "community_experience": True,
                                              "population_experience": False}, actor=staff)
    out = tmp_path / "capacity.xlsx"
    write_capacity_workbook(out)
    book = load_workbook(out)

    def row(sheet):
        values = [[c.value for c in r] for r in book[sheet].iter_rows()][1]
        return dict(zip(CAPACITY_COLUMNS, values, strict=True))

    alameda, contra_costa = row("Alameda"), row("Contra Costa")
    assert (alameda["Capacity (members)"], alameda["Expected assignments"]) == (40, 20)
    assert (contra_costa["Capacity (members)"], contra_costa["Expected assignments"]) == (100, 50)
    experience = [c for c in CAPACITY_COLUMNS if c.startswith("Experience")]
    assert [alameda[c] for c in experience] == ["yes", "no"]  # the plan's record, not the derivation


# ---- pages ---------------------------------------------------------------------------------------------------

@pytest.fixture
def big_network():
    """55 providers: ECM in Alameda serving homeless adults, every fifth a CS provider in Sonoma; some contracted."""
    staff = network_staff()
    providers = []
    for n in range(1, 56):
        cs = n % 5 == 0
        p = ecm(n, kind="CS" if cs else "ECM", counties=("Sonoma",) if cs else ("Alameda",),
                populations=() if cs else ("ADULT_HOMELESS",))
        if n % 3 == 0:
            services.update_network_record(p, ACTIVE, actor=staff)
        providers.append(p)
    for p in providers[:10]:
        assign(make_member(county="Alameda"), p)
    return providers


def test_network_list_filters_and_pages_with_a_fixed_number_of_queries(client, big_network,
                                                                        django_assert_max_num_queries):
    client.force_login(network_staff())
    with django_assert_max_num_queries(12):
        response = client.get("/providers/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.count == 55
    assert client.get("/providers/?page=2").context["rows"][-1].provider.npi == big_network[-1].npi
    html = response.content.decode()
    assert "Page 1 of 2" in html and 'rel="next"' in html and 'rel="prev"' not in html
    filtered = client.get("/providers/?population=ADULT_HOMELESS").content.decode()  # 44 rows: one page
    assert "Page 1 of" not in filtered
    second = client.get("/providers/?kind=&page=2").content.decode()
    assert "Page 2 of 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert response.context["rows"][0].assigned == 1
    assert client.get("/providers/?kind=CS").context["page"].paginator.count == 11
    assert client.get("/providers/?county=Sonoma").context["page"].paginator.count == 11
    assert client.get("/providers/?population=ADULT_HOMELESS").context["page"].paginator.count == 44
    assert client.get("/providers/?contract_status=ACTIVE").context["page"].paginator.count == 18
    assert client.get("/providers/?contract_status=NO_RECORD").context["page"].paginator.count == 37
    assert client.get("/providers/?county=Alameda&contract_status=ACTIVE&kind=ECM").context[
        "page"].paginator.count == 15
    # "Alameda" must not match a county merely containing it.
    assert client.get("/providers/?county=Alamed").context["page"].paginator.count == 0


def test_network_downloads_as_csv_with_the_filters(client, big_network):
    client.force_login(network_staff())
    response = client.get("/providers/export.csv?contract_status=ACTIVE")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("npi,name,kind") and len(lines) == 1 + 18
    assert len(client.get("/providers/export.csv").content.decode().splitlines()) == 1 + 55
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert client.get("/providers/export.csv").status_code == 403


def test_capacity_page_at_50_rows_has_a_fixed_number_of_queries(client, big_network, django_assert_max_num_queries):
    client.force_login(network_staff(Role.PLAN_ADMIN))
    with django_assert_max_num_queries(12):
        response = client.get("/providers/capacity/")
    assert response.status_code == 200 and len(response.context["rows"]) == 50
    assert client.get("/providers/capacity/?county=Sonoma").context["page"].paginator.count == 11


@pytest.mark.parametrize("role", [Role.PLAN_CARE_COORDINATION, Role.ECM_PROVIDER_STAFF, Role.MEMBER])
def test_network_pages_are_for_network_staff_only(client, role):
    provider = ecm(1)
    client.force_login(make_user(role, member=make_member() if role == Role.MEMBER else None))
    for url in ("/providers/", f"/providers/{provider.npi}/", "/providers/capacity/", "/providers/exceptions/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/providers/{provider.npi}/record/", {"contract_status": "ACTIVE"}).status_code == 403
    assert not NetworkRecord.objects.exists()


def test_provider_detail_shows_everything_the_plan_keeps(client, django_assert_max_num_queries):
    provider, staff = ecm(7, name="Bay Street Outreach"), network_staff()
    ProviderSite.objects.create(provider=provider, name="Main clinic", county="Alameda", is_primary=True)
    services.update_network_record(provider, ACTIVE, actor=staff)
    services.set_capacity_line(provider, county="Alameda", population="ADULT_HOMELESS", capacity="8", actor=staff)
    services.add_subcontractor(provider, {"name": "Street Medicine Partners"}, actor=staff)
    for i in range(3):
        CareManager.objects.create(provider=provider, name=f"Care Manager {i}", role="NURSE", languages=["es"])
    services.record_exception({"kind": "WPC_LEAD_ENTITY", "provider_npi": provider.npi, "reason": "RATES",
                               "explanation": "Three rate proposals declined."}, actor=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(f"/providers/{provider.npi}/")
    html = response.content.decode()
    for text in ("Bay Street Outreach", "Main clinic", "Contracted", "Enrolled in Medi-Cal", "Care Manager 2",
                 "Street Medicine Partners", "WPC Lead Entity not contracted", "No readiness application yet"):
        assert text in html, text
    response = client.post(f"/providers/{provider.npi}/record/", {"contract_status": "TERMINATED",
                                                                   "contract_start": "2025-01-01",
                                                                   "contract_end": "2025-12-31",
                                                                   "enrollment_status": "PLAN_VETTED"})
    assert response.status_code == 302
    provider.network.refresh_from_db()
    assert (provider.network.contract_status, provider.network.community_experience) == ("TERMINATED", False)
    assert client.post(f"/providers/{provider.npi}/sites/", {"name": "Outreach van", "county": "Alameda",
                                                              "is_primary": "on"}).status_code == 302
    assert list(provider.sites.order_by("name").values_list("name", "is_primary")) == [("Main clinic", False),
                                                                                        ("Outreach van", True)]
    assert client.post(f"/providers/{provider.npi}/sites/", {"name": " "}).status_code == 400
    bad = client.post(f"/providers/{provider.npi}/record/", {"contract_status": "ACTIVE", "contract_start": "",
                                                              "enrollment_status": "PLAN_VETTED"})
    assert bad.status_code == 400 and b"contract start date" in bad.content
    assert client.get("/providers/0000000000/").status_code == 404
    fresh = ecm(8)
    assert b'<option value="" selected>' in client.get(f"/providers/{fresh.npi}/").content
    unchosen = client.post(f"/providers/{fresh.npi}/record/",
                           {"contract_status": "", "enrollment_status": "PLAN_VETTED"})
    assert unchosen.status_code == 400 and not NetworkRecord.objects.filter(provider=fresh).exists()


def test_provider_relations_add_a_prospective_provider_that_is_not_assigned(client):
    client.force_login(network_staff())
    form = {"npi": npi(77), "name": "Eastside Promotoras", "kind": "ECM", "provider_type": "COMMUNITY_HEALTH_CENTER",
            "tin": "123456789", "counties": "Alameda, contra costa", "languages": "es, en",
            "populations": ["ADULT_HOMELESS"], "capacity": "60"}
    assert client.get("/providers/new/").status_code == 200
    for bad, problem in (({"npi": "1234567890"}, b"check digit"), ({"tin": "12-345"}, b"TIN"),
                         ({"counties": "Gotham"}, b"not a California county"), ({"kind": "PCP"}, b"ECM or")):
        response = client.post("/providers/new/", {**form, **bad})
        assert response.status_code == 400 and problem in response.content, bad
    assert client.post("/providers/new/", form).status_code == 302
    provider = ProviderOrganization.objects.get(npi=npi(77))
    assert (provider.counties, provider.languages, provider.capacity, provider.network.contract_status) == (
        ["Alameda", "Contra Costa"], ["es", "en"], 60, "PROSPECTIVE")
    assert assignment_services.network()[provider.npi].capacity == 0  # prospective: not assigned members
    again = client.post("/providers/new/", form)
    assert again.status_code == 400 and b"already in the network" in again.content
