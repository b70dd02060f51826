"""Contracting exceptions (seed 000 II.b, III.c; seed 004 VI.G.2.a) and the Lead Care Manager roster (its own
staff edit it, caseload from the engagement app)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from factories import make_member, make_user
from providers_helpers import ecm, network_staff, staff_of

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import services as assignment_services
from carehub.apps.engagement.models import LeadCareManagerAssignment
from carehub.apps.providers import roster as rosters
from carehub.apps.providers import selectors, services
from carehub.apps.providers.models import CareManager, ContractingException
from carehub.apps.providers.services import NetworkError
from carehub.domain.network import contracting_exception_reasons

pytestmark = pytest.mark.django_db


def test_the_permissible_reasons_are_the_six_of_the_policy():
    assert list(contracting_exception_reasons()) == ["QUALITY_OF_CARE", "RATES", "UNWILLING", "UNRESPONSIVE",
                                                     "ENROLLMENT", "VETTING_NO_STATE_PATHWAY"]


def test_wpc_exception_needs_a_permissible_reason_and_is_reviewed():
    provider, staff = ecm(1), network_staff()
    with pytest.raises(NetworkError, match="permissible reasons"):
        services.record_exception({"kind": "WPC_LEAD_ENTITY", "provider_npi": provider.npi, "reason": "",
                                   "explanation": "x"}, actor=staff)
    with pytest.raises(NetworkError, match="explain"):
        services.record_exception({"kind": "HHP_CB_CME", "entity_name": "Old CB-CME", "reason": "UNWILLING"},
                                  actor=staff)
    assert not ContractingException.objects.exists()
    exc = services.record_exception({"kind": "WPC_LEAD_ENTITY", "provider_npi": provider.npi, "county": "Alameda",
                                     "reason": "UNRESPONSIVE", "populations": ["ADULT_HOMELESS"],
                                     "explanation": "Five letters and calls since March."}, actor=staff)
    assert (exc.entity_name, exc.status, exc.provider) == (provider.name, "DRAFT", provider)
    with pytest.raises(NetworkError, match="cannot become approved"):
        services.review_exception(exc, "APPROVED", actor=staff)
    services.review_exception(exc, "SUBMITTED", actor=staff, on=date(2025, 5, 1), note="Sent with the MOC.")
    exc = services.review_exception(exc, "APPROVED", actor=staff, on=date(2025, 6, 1))
    assert (exc.status, exc.submitted_on, exc.decided_on) == ("APPROVED", date(2025, 5, 1), date(2025, 6, 1))
    assert "Sent with the MOC." in exc.review_note
    with pytest.raises(NetworkError):
        services.review_exception(exc, "WITHDRAWN", actor=staff)


def test_own_staff_exception_is_explained_in_words_not_a_reason():
    staff = network_staff()
    with pytest.raises(NetworkError, match="in words"):
        services.record_exception({"kind": "PLAN_OWN_STAFF", "reason": "RATES", "explanation": "x"}, actor=staff)
    exc = services.record_exception({"kind": "PLAN_OWN_STAFF", "county": "Modoc",
                                     "explanation": "No community provider serves Modoc County."}, actor=staff)
    assert (exc.entity_name, exc.reason, exc.provider) == ("Plan care management staff", "", None)


def test_exceptions_page_lists_records_and_reviews(client, django_assert_max_num_queries):
    staff = network_staff()
    provider = ecm(1)
    for i in range(55):
        services.record_exception({"kind": "HHP_CB_CME", "entity_name": f"CB-CME {i}", "reason": "RATES",
                                   "provider_npi": provider.npi if i % 2 else "",
                                   "explanation": "Rates."}, actor=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(10):
        response = client.get("/providers/exceptions/")
    assert response.status_code == 200 and len(response.context["page"].object_list) == 50
    bad = client.post("/providers/exceptions/", {"kind": "WPC_LEAD_ENTITY", "entity_name": "Lead",
                                                 "explanation": "x"})
    assert bad.status_code == 400 and b"permissible reasons" in bad.content
    assert client.post("/providers/exceptions/", {"kind": "WPC_LEAD_ENTITY", "entity_name": "County WPC",
                                                  "reason": "QUALITY_OF_CARE",
                                                  "explanation": "Audit findings."}).status_code == 302
    exc = ContractingException.objects.get(entity_name="County WPC")
    assert client.post(f"/providers/exceptions/{exc.pk}/review/", {"status": "SUBMITTED"}).status_code == 302
    assert client.get("/providers/exceptions/?status=SUBMITTED").context["page"].paginator.count == 1
    assert client.get(f"/providers/{provider.npi}/").content.decode().count("HHP CB-CME not contracted") == 27


# ---- the roster ----------------------------------------------------------------------------------------------

ROSTER = {"name": "Rosa Diaz", "role": "SOCIAL_WORKER", "languages": "Spanish, English",
          "populations": ["ADULT_HOMELESS"], "max_caseload": "25", "active": "on"}


def test_provider_staff_keep_their_roster(client):
    provider = ecm(1)
    client.force_login(staff_of(provider))
    assert client.post("/providers/roster/", ROSTER).status_code == 302
    cm = CareManager.objects.get()
    assert (cm.provider, cm.role, cm.languages, cm.populations, cm.max_caseload, cm.active) == (
        provider, "SOCIAL_WORKER", ["Spanish", "English"], ["ADULT_HOMELESS"], 25, True)
    response = client.post(f"/providers/roster/{cm.pk}/", {**ROSTER, "role": "CHW", "active": "off"})
    assert response.status_code == 302
    cm.refresh_from_db()
    assert (cm.role, cm.active) == ("CHW", False)
    bad = client.post("/providers/roster/", {**ROSTER, "role": "WIZARD"})
    assert bad.status_code == 400 and b"role" in bad.content
    assert CareManager.objects.count() == 1


def test_other_staff_cannot_touch_a_roster(client):
    provider, other = ecm(1), ecm(2)
    cm = rosters.save_care_manager(provider, {**ROSTER, "languages": []}, actor=staff_of(provider))
    client.force_login(staff_of(other))
    assert client.post(f"/providers/roster/{cm.pk}/", {**ROSTER, "name": "Hijacked"}).status_code == 404
    client.force_login(staff_of(provider, Role.LEAD_CARE_MANAGER))
    page = client.get("/providers/roster/")
    assert page.status_code == 200 and b"Rosa Diaz" in page.content and b"Add a Lead Care Manager" not in page.content
    assert client.post("/providers/roster/", ROSTER).status_code == 400
    with pytest.raises(NetworkError):
        rosters.save_care_manager(provider, ROSTER, actor=make_user(Role.PLAN_CARE_COORDINATION))
    cm.refresh_from_db()
    assert cm.name == "Rosa Diaz" and CareManager.objects.count() == 1


def test_plan_network_staff_edit_any_roster(client):
    provider = ecm(1)
    client.force_login(network_staff())
    assert client.post(f"/providers/{provider.npi}/roster/", ROSTER).status_code == 302
    assert CareManager.objects.get().provider == provider


def test_caseload_comes_from_current_lead_care_manager_assignments(client, django_assert_max_num_queries):
    provider = ecm(1, capacity=100)
    managers = [CareManager.objects.create(provider=provider, name=f"CM {i:02d}", role="NURSE", max_caseload=1)
                for i in range(55)]
    for _ in range(3):
        assignment = assignment_services._open_assignment(
            member=make_member(county="Alameda"), npi=provider.npi, rule="BEST_MATCH", actor=None,
            now=timezone.now(), authorization=None, population="ADULT_HOMELESS")
        LeadCareManagerAssignment.objects.create(assignment=assignment, care_manager=managers[0],
                                                 start_date=timezone.localdate())
    assert selectors.caseloads(managers[:2]) == {managers[0].pk: 3, managers[1].pk: 0}
    client.force_login(staff_of(provider))
    # Session, user, the organization's NPIs and providers, the roster, caseloads, capacity lines and assignments.
    with django_assert_max_num_queries(14):
        page = client.get("/providers/roster/")
    assert page.status_code == 200 and len(page.context["care_managers"]) == 55
    assert b"Assigned 3" in page.content and b"Left 97" in page.content
    assert page.context["care_managers"][0].caseload == 3
    assert b'<span class="status bad">3</span>' in page.content  # over its maximum of 1


def test_staff_of_an_organization_without_a_network_record_see_an_explanation(client):
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    for url in ("/providers/roster/", "/providers/readiness/"):
        response = client.get(url)
        assert response.status_code == 200 and b"no network record" in response.content


def test_roster_entry_links_to_one_of_the_providers_own_sign_ins(client):
    provider, other = ecm(1), ecm(2)
    lcm, stranger = staff_of(provider, Role.LEAD_CARE_MANAGER), staff_of(other, Role.LEAD_CARE_MANAGER)
    client.force_login(staff_of(provider))
    page = client.get("/providers/roster/").content.decode()
    assert f'value="{lcm.pk}"' in page and f'value="{stranger.pk}"' not in page
    assert client.post("/providers/roster/", {**ROSTER, "user_id": str(lcm.pk)}).status_code == 302
    assert CareManager.objects.get().user == lcm
    refused = client.post("/providers/roster/", {**ROSTER, "name": "Second", "user_id": str(lcm.pk)})
    assert refused.status_code == 400 and b"already linked" in refused.content
    refused = client.post("/providers/roster/", {**ROSTER, "name": "Third", "user_id": str(stranger.pk)})
    assert refused.status_code == 400 and b"not one of this provider" in refused.content
    cm = CareManager.objects.get()
    assert client.post(f"/providers/roster/{cm.pk}/", {**ROSTER, "user_id": ""}).status_code == 302
    cm.refresh_from_db()
    assert cm.user is None and CareManager.objects.count() == 1
