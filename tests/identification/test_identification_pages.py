"""The worklist of newly identified members, the run summary and the member page's Populations of Focus section:
filters, pages, scoping, audit, query counts, and what a coordinator reads there."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from factories import QueryCounter, make_member, make_org, make_provider, make_user, relate, write_claims

from carehub.apps.accounts.models import OrganizationKind, Role
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.identification import selectors
from carehub.apps.identification.models import IdentificationRun, IdentifiedPopulation, NoLongerEligible
from carehub.apps.members.models import Member

pytestmark = pytest.mark.django_db
ECM_NPI = "1234567893"


def names(html: str) -> list[str]:
    """The member names of the worklist table, in order."""
    return re.findall(r'<a href="/members/[^"]+/">([^<]+)</a>', html)


@pytest.fixture
def coordinator():
    return make_user(Role.PLAN_CARE_COORDINATION)


@pytest.fixture
def ecm_user():
    org = make_org(OrganizationKind.ECM_PROVIDER)
    make_provider(ECM_NPI, organization=org)
    return make_user(Role.ECM_PROVIDER_STAFF, organization=org)


def test_worklist_shows_newly_identified_members_most_urgent_first_with_a_link(client, coordinator, two_runs):
    client.force_login(coordinator)
    response = client.get("/identification/")
    assert response.status_code == 200
    html = response.content.decode()
    # Only HOMELESS is new in August; ED and HOSPICE were identified in July too.
    assert names(html) == ["Pat LastHomeless"]
    assert 'href="/members/HOMELESS/"' in html
    assert "Adults experiencing homelessness" in html and "avoidable hospital or ED utilization" in html
    assert "1 newly identified of 3 members" in html
    # why first: unsheltered since 08-01, a second population, five ED visits in August (ident_scenario)
    assert '<span class="badge" title="Unsheltered on the as-of date">Unsheltered</span>' in html
    assert ">Other populations: 1</span>" in html and ">ED visits (6 mo): 5</span>" in html
    api = client.get("/api/identification/worklist").json()["results"]
    assert set(api[0]["factors"]) == {"UNSHELTERED_NOW=1", "ADDITIONAL_POPULATIONS=1", "ED_VISITS_6M=5"}


def test_the_first_run_lists_everyone_not_excluded_and_can_include_the_excluded(client, coordinator, scenario,
                                                                                members):
    from ident_scenario import D1, store

    store(scenario.folder, D1)
    client.force_login(coordinator)
    assert names(client.get("/identification/").content.decode()) == ["Pat LastEd", "Pat LastFoster"]
    with_excluded = client.get("/identification/?excluded=1").content.decode()
    assert names(with_excluded) == ["Pat LastEd", "Pat LastFoster", "Pat LastHospice"]
    assert "Excluded: Receiving hospice or intensive outpatient palliative care" in with_excluded


def test_worklist_filters_by_county_and_population(client, coordinator, scenario, members):
    from ident_scenario import D1, store

    store(scenario.folder, D1)
    client.force_login(coordinator)
    assert names(client.get("/identification/?county=Kern").content.decode()) == ["Pat LastFoster"]
    assert names(client.get("/identification/?county=Alameda").content.decode()) == ["Pat LastEd"]
    assert names(client.get("/identification/?population=CHILD_WELFARE").content.decode()) == ["Pat LastFoster"]
    assert names(client.get("/identification/?population=CHILD_WELFARE&county=Alameda").content.decode()) == []


def test_worklist_pages_are_bounded_and_continue_after_the_last_priority(coordinator, scenario, members):
    from ident_scenario import D1, store

    run = store(scenario.folder, D1)
    first = selectors.worklist(coordinator, run, selectors.WorklistFilter(include_excluded=True), page_size=2)
    assert [line.person_id for line in first.lines] == ["ED", "FOSTER"] and first.next_after == 2
    # the "Next" link continues this list after priority 2; the download starts from its first page
    assert first.next_query == f"run={run.pk}&change=NEW&excluded=1&after=2"
    assert first.query == f"run={run.pk}&change=NEW&excluded=1"
    rest = selectors.worklist(coordinator, run, selectors.WorklistFilter(include_excluded=True, after=2), page_size=2)
    assert [line.person_id for line in rest.lines] == ["HOSPICE"] and rest.next_after is None


def test_worklist_read_is_audited_with_the_person_ids_shown(client, coordinator, two_runs):
    client.force_login(coordinator)
    client.get("/identification/?county=Kern")
    [event] = AuditEvent.objects.filter(action=Action.SEARCH, object_type="IdentifiedPopulation")
    assert event.actor_id == coordinator.pk
    assert event.detail["person_ids"] == ["HOMELESS"]
    assert event.detail["filters"]["county"] == "Kern"


def test_worklist_query_count_does_not_grow_with_the_page(client, coordinator, scenario, members):
    from ident_scenario import D1, store

    store(scenario.folder, D1)
    client.force_login(coordinator)
    client.get("/identification/")
    with QueryCounter() as few:
        client.get("/identification/?excluded=1&after=2")
    with QueryCounter() as many:
        client.get("/identification/?excluded=1")
    assert many.count == few.count
    # session, user, latest run, page rows (joined to members), page populations, audit (3, and the members shown in
    # one insert), header organization, session save.
    assert many.count == 11, "\n".join(s[:100] for s in many.statements)


def test_provider_staff_have_no_worklist_page_and_the_api_shows_only_related_members(client, ecm_user, two_runs,
                                                                                    members):
    relate(members["ED"], ECM_NPI)
    relate(members["HOMELESS"], ECM_NPI, kind="REFERRED")
    client.force_login(ecm_user)
    assert client.get("/identification/").status_code == 403
    run = IdentificationRun.objects.get(as_of="2024-07-31")
    page = selectors.worklist(ecm_user, run, selectors.WorklistFilter(include_excluded=True))
    assert [line.person_id for line in page.lines] == ["ED"]  # FOSTER and HOSPICE are not theirs
    api = client.get("/api/identification/worklist").json()
    assert [r["person_id"] for r in api["results"]] == ["HOMELESS"]
    assert client.get("/api/identification/members/HOSPICE").status_code == 404
    assert client.get("/api/identification/members/ED").json()["populations"][0]["change"] == "STILL"


def test_member_page_explains_criteria_evidence_priority_and_change(client, coordinator, two_runs, scenario):
    client.force_login(coordinator)
    html = client.get("/members/HOMELESS/").content.decode()
    assert "Populations of Focus" in html and "Identification of 2024-08-31" in html
    assert "Adults experiencing homelessness" in html and "New" in html
    assert "Housing status on the as-of date is homeless" in html and "(HOMELESS_HOUSING_STATUS)" in html
    assert "5 or more avoidable ED visits in the last 6 months" in html
    assert "<td>Housing episode</td><td>UNSHELTERED</td><td>2024-08-01</td>" in html
    for claim_id in scenario.claims["HOMELESS"]:
        assert f"<td>Claim</td><td>{claim_id}</td>" in html
    assert "Priority 1" in html and "Unsheltered on the as-of date" in html
    [event] = AuditEvent.objects.filter(action=Action.READ, object_type="IdentifiedPopulation")
    assert (event.person_id, event.detail["populations"]) == (
        "HOMELESS", ["ADULT_AVOIDABLE_UTILIZATION", "ADULT_HOMELESS"])


def test_member_page_shows_exclusion_and_no_longer_eligible(client, coordinator, two_runs):
    client.force_login(coordinator)
    hospice = client.get("/members/HOSPICE/").content.decode()
    assert "Excluded:" in hospice and "Receiving hospice or intensive outpatient palliative care" in hospice
    # and what proves it: the plan data's hospice enrollment (build_plan: HOSPICE from 2024-01-01)
    assert "Program enrollment HOSPICE, 2024-01-01" in hospice
    assert "Still eligible" in hospice
    foster = client.get("/members/FOSTER/").content.decode()
    assert "No longer eligible" in foster and "Children and youth involved in child welfare" in foster


def test_worklist_lists_members_still_eligible_and_no_longer_eligible(client, coordinator, two_runs):
    july, august = two_runs
    client.force_login(coordinator)
    # August against July: ED and HOSPICE (excluded) still have avoidable utilization; FOSTER lost child welfare
    assert names(client.get("/identification/?change=STILL").content.decode()) == ["Pat LastEd"]
    assert names(client.get("/identification/?change=STILL&excluded=1").content.decode()) == [
        "Pat LastEd", "Pat LastHospice"]
    html = client.get("/identification/?change=NO_LONGER").content.decode()
    assert "<h1>No longer eligible members</h1>" in html and "Previous priority" in html
    assert names(html) == ["Pat LastFoster"] and "Children and youth involved in child welfare" in html
    assert "Still identified for another population" not in html
    assert names(client.get("/identification/?change=NO_LONGER&population=ADULT_HOMELESS").content.decode()) == []
    event = AuditEvent.objects.filter(action=Action.SEARCH, object_type="IdentifiedPopulation").latest("pk")
    assert event.detail["filters"]["change"] == "NO_LONGER"
    # the first run has nothing to compare with
    first = client.get(f"/identification/?run={july.pk}&change=NO_LONGER").content.decode()
    assert names(first) == [] and "This is the first run" in first
    # the run summary's counts lead to these lists
    summary = client.get(f"/identification/runs/{august.pk}/").content.decode()
    assert f"?run={august.pk}&amp;change=NO_LONGER&amp;population=CHILD_WELFARE&amp;excluded=1" in summary
    assert f"?run={august.pk}&amp;change=STILL&amp;population=ADULT_AVOIDABLE_UTILIZATION&amp;excluded=1" in summary
    assert names(client.get("/identification/?change=BOGUS").content.decode()) == ["Pat LastHomeless"]  # the new
    api = client.get("/api/identification/worklist?change=NO_LONGER").json()
    assert [(r["person_id"], r["populations"], r["still_identified"]) for r in api["results"]] == [
        ("FOSTER", ["CHILD_WELFARE"], False)]
    assert client.get("/api/identification/worklist?change=BOGUS").status_code == 422


def _runs_with_rows(previous_rows, current_rows):
    """Two runs stored a month apart, from (person_id, population, priority) rows (store_run compares them)."""
    from carehub.apps.identification.services import store_run

    return [store_run([(person_id, "", population, "", "", False, "", False, priority, "Kern", None, "", "")
                       for person_id, population, priority in rows], as_of=as_of)
            for as_of, rows in ((date(2024, 7, 31), previous_rows), (date(2024, 8, 31), current_rows))]


def test_still_and_no_longer_lists_show_one_line_per_member_with_its_populations(coordinator, ecm_user):
    for person_id in "ABCDE":
        make_member(person_id=person_id, last_name=person_id)
    _, run = _runs_with_rows(
        [("A", "ADULT_HOMELESS", 1), ("A", "ADULT_REENTRY", 1), ("A", "ADULT_SMH_SUD", 1), ("B", "ADULT_HOMELESS", 2),
         ("D", "ADULT_HOMELESS", 3), ("E", "ADULT_REENTRY", 4)],
        [("A", "ADULT_HOMELESS", 1), ("A", "ADULT_REENTRY", 1), ("B", "ADULT_HOMELESS", 2), ("C", "ADULT_HOMELESS", 3),
         ("E", "ADULT_REENTRY", 4)])

    def page(user=coordinator, **filters):
        return selectors.worklist(user, run, selectors.WorklistFilter(**filters), page_size=1)

    first = page(change="STILL")
    assert [(line.person_id, [code for code, _ in line.populations]) for line in first.lines] == [
        ("A", ["ADULT_HOMELESS", "ADULT_REENTRY"])]
    assert first.next_after == 1
    assert [line.person_id for line in page(change="STILL", after=1).lines] == ["B"]
    assert [line.person_id for line in page(change="STILL", after=2).lines] == ["E"]
    assert page(change="STILL", after=2).next_after is None
    # no longer: A lost ADULT_SMH_SUD (still identified for others), D lost everything; E kept its population
    gone = selectors.worklist(coordinator, run, selectors.WorklistFilter(change="NO_LONGER"))
    assert [(line.person_id, [code for code, _ in line.populations], line.still_identified)
            for line in gone.lines] == [("A", ["ADULT_SMH_SUD"], True), ("D", ["ADULT_HOMELESS"], False)]
    assert [line.person_id for line in page(change="NO_LONGER", population="ADULT_HOMELESS").lines] == ["D"]
    assert [line.person_id for line in page(change="NEW").lines] == ["C"]
    # provider staff: only their related members, in every list
    relate(Member.objects.get(person_id="D"), ECM_NPI)
    assert [line.person_id for line in page(ecm_user, change="NO_LONGER").lines] == ["D"]
    assert page(ecm_user, change="STILL").lines == []


def test_the_no_longer_eligible_list_says_why(client, coordinator):
    """Died, Medi-Cal ended, turned 21, or the criteria no longer met, on the run's date (the member record as
    loaded), on the page, in the download and in the API."""
    from carehub.apps.members.models import EligibilitySpan

    def member(person_id: str, *, ends: date | None = None, **fields) -> None:
        m = make_member(person_id=person_id, last_name=person_id.title(), **fields)
        EligibilitySpan.objects.create(member=m, row_key=f"el-{person_id}", row_hash="x", start_date=date(2024, 1, 1),
                                       end_date=ends)

    member("LOST", ends=date(2024, 8, 15))
    member("DIED", death_date=date(2024, 8, 20))
    member("GROWN", birth_date=date(2003, 8, 10))
    member("CRITERIA", birth_date=date(2003, 9, 10))  # 21 after the run's date
    _runs_with_rows(  # NOBODY is not in the member file any more
        [("LOST", "ADULT_HOMELESS", 1), ("DIED", "ADULT_REENTRY", 2), ("GROWN", "CHILD_CCS", 3),
         ("GROWN", "CHILD_SMH_SUD", 3), ("CRITERIA", "CHILD_SMH_SUD", 4), ("NOBODY", "ADULT_HOMELESS", 5)],
        [("GROWN", "ADULT_SMH_SUD", 1)])
    expected = [
        ("LOST", ["Medi-Cal eligibility ended 2024-08-15"]), ("DIED", ["Died 2024-08-20"]),
        ("GROWN", ["Turned 21 on 2024-08-10"]), ("CRITERIA", ["No longer meets the criteria"]),
        ("NOBODY", ["No longer enrolled with the plan"])]
    page = selectors.worklist(coordinator, selectors.latest_run(), selectors.WorklistFilter(change="NO_LONGER"))
    assert [(line.person_id, [text for _, text in line.leaving]) for line in page.lines] == expected
    client.force_login(coordinator)
    html = client.get("/identification/?change=NO_LONGER").content.decode()
    assert "Why no longer" in html and "Turned 21 on 2024-08-10" in html and "Died 2024-08-20" in html
    member_page = client.get("/members/GROWN/").content.decode()
    assert re.search(r"Children and youth enrolled in CCS / WCM with additional needs <small>[^<]*</small>: "
                     r"Turned 21 on 2024-08-10</li>", member_page)
    assert client.get("/api/identification/members/GROWN").json()["no_longer_why"] == {
        "CHILD_CCS": "AGED_OUT:2024-08-10", "CHILD_SMH_SUD": "AGED_OUT:2024-08-10"}
    rows = _csv(client, "/identification/export.csv?change=NO_LONGER")
    assert [(r["person_id"], [r["why_no_longer"]]) for r in rows] == expected
    api = client.get("/api/identification/worklist?change=NO_LONGER").json()["results"]
    assert [(r["person_id"], r["leaving"]) for r in api] == [
        ("LOST", ["NOT_ENROLLED:2024-08-15"]), ("DIED", ["DECEASED:2024-08-20"]), ("GROWN", ["AGED_OUT:2024-08-10"]),
        ("CRITERIA", ["CRITERIA"]), ("NOBODY", ["NOT_ENROLLED"])]
    # the run summary counts them by why, each count a link to that list; the list, download and API filter by it
    run = selectors.latest_run()
    summary = client.get(f"/identification/runs/{run.pk}/").content.decode()
    counted = re.findall(r'<tr><td>([^<]+)</td><td class="num"><a href="/identification/\?([^"]+)">(\d+)</a>', summary)
    assert [(why, int(n)) for why, _, n in counted] == [
        ("Died", 1), ("Medi-Cal eligibility ended", 2), ("Reached the age limit (21; 26 for former foster youth)", 1),
        ("No longer meets the criteria", 1)]
    link = dict((why, query) for why, query, _ in counted)["Medi-Cal eligibility ended"].replace("&amp;", "&")
    assert "why=NOT_ENROLLED" in link
    lost_list = client.get(f"/identification/?{link}").content.decode()
    assert names(lost_list) == ["Ana Lost"] and "NOBODY <small>(not loaded)</small>" in lost_list
    assert [r["person_id"] for r in _csv(client, f"/identification/export.csv?{link}")] == ["LOST", "NOBODY"]
    assert [r["person_id"] for r in client.get(
        "/api/identification/worklist?change=NO_LONGER&why=DECEASED").json()["results"]] == ["DIED"]
    assert client.get("/api/identification/worklist?change=NO_LONGER&why=MOVED").status_code == 422
    # a run stored before the reasons were kept says so instead of a blank
    NoLongerEligible.objects.update(reason="", reason_date=None)
    old = client.get("/identification/?change=NO_LONGER").content.decode()
    assert old.count("— (not recorded)") == 5 and "store it again" in old


def test_excluded_members_are_counted_by_reason_and_listed_by_it(client, coordinator):
    """Excluded members are reported, never silently dropped (spec "Exclusions"): the run summary counts them by
    reason, in the order of the spec's table, newly identified and still eligible; each count opens that list,
    which the download and the API filter the same way."""
    from carehub.apps.identification.services import store_run

    for person_id in ("HOSPICE", "CASE_A", "CASE_B", "OPEN", "KEPT"):
        make_member(person_id=person_id, last_name=person_id.title().replace("_", ""))

    def row(person_id, population, priority, reason=""):
        return (person_id, "", population, "", "", bool(reason), reason, False, priority, "Kern", None, "", "")

    for as_of, rows in (
            (date(2024, 7, 31), [row("HOSPICE", "ADULT_HOMELESS", 9, "HOSPICE_OR_PALLIATIVE"),
                                 row("KEPT", "ADULT_HOMELESS", 1)]),
            (date(2024, 8, 31), [row("HOSPICE", "ADULT_HOMELESS", 9, "HOSPICE_OR_PALLIATIVE"),
                                 row("HOSPICE", "ADULT_SMH_SUD", 9, "HOSPICE_OR_PALLIATIVE"),
                                 row("CASE_A", "ADULT_REENTRY", 7, "PLAN_CASE_MANAGEMENT"),
                                 row("CASE_B", "ADULT_HOMELESS", 8, "PLAN_CASE_MANAGEMENT"),
                                 row("OPEN", "ADULT_HOMELESS", 2), row("KEPT", "ADULT_HOMELESS", 1)])):
        run = store_run(rows, as_of=as_of)
    client.force_login(coordinator)
    summary = client.get(f"/identification/runs/{run.pk}/").content.decode()
    section = summary[summary.index("Why members are excluded"):summary.index("By county")]
    counted = [(re.sub(r"<[^>]+>", "", why), members, re.sub(r"<[^>]+>", "", new), re.sub(r"<[^>]+>", "", still))
               for why, members, new, still in re.findall(
                   r'<tr><td>(.*?)</td><td class="num">(\d+)</td>\s*<td class="num">(.*?)</td>\s*'
                   r'<td class="num">(.*?)</td></tr>', section, re.S)]
    assert counted == [("Receiving hospice or intensive outpatient palliative care", "1", "1", "1"),
                       ("In plan complex or basic case management (coordinate instead)", "2", "2", "0")]
    links = re.findall(r'href="/identification/\?([^"]+)"', section)
    case_management = next(q for q in links if "PLAN_CASE_MANAGEMENT" in q).replace("&amp;", "&")
    listed = client.get(f"/identification/?{case_management}").content.decode()
    assert names(listed) == ["Ana CaseA", "Ana CaseB"]
    assert "Excluded: In plan complex or basic case management (coordinate instead)" in listed
    assert re.search(r'<option value="PLAN_CASE_MANAGEMENT" selected>Only: In plan complex', listed)
    assert names(client.get("/identification/?change=NEW").content.decode()) == ["Ana Open"]  # left out by default
    assert [r["person_id"] for r in _csv(client, f"/identification/export.csv?{case_management}")] == [
        "CASE_A", "CASE_B"]
    api = client.get("/api/identification/worklist?change=STILL&exclusion=HOSPICE_OR_PALLIATIVE").json()["results"]
    assert [(r["person_id"], r["exclusion_reason"]) for r in api] == [("HOSPICE", "HOSPICE_OR_PALLIATIVE")]
    assert client.get("/api/identification/worklist?exclusion=ON_VACATION").status_code == 422


def test_a_member_in_ecm_who_lost_medi_cal_gets_a_discontinuation_from_the_list(client):
    """Loss of eligibility and death are ECM discontinuation reasons (seed 004 VI.F.1.e-f): for a member in ECM
    the list offers to record it, with the run's finding as evidence; no longer meeting the criteria is not."""
    from discontinuation.discontinuation_helpers import accepted_case

    from carehub.apps.discontinuation.models import Discontinuation, Status
    from carehub.apps.members.models import EligibilitySpan

    lost, stays = accepted_case(), accepted_case(provider_exists=True)
    EligibilitySpan.objects.create(member=lost.member, row_key="el-lost", row_hash="x", start_date=date(2024, 1, 1),
                                   end_date=date(2024, 8, 15))
    EligibilitySpan.objects.create(member=stays.member, row_key="el-stays", row_hash="x", start_date=date(2024, 1, 1))
    _runs_with_rows([(lost.member.person_id, "ADULT_HOMELESS", 1), (stays.member.person_id, "ADULT_HOMELESS", 2)], [])
    client.force_login(lost.plan)
    html = client.get("/identification/?change=NO_LONGER").content.decode()
    assert html.count("In ECM") == 2 and html.count("Record ECM discontinuation") == 1
    form = re.search(r'<form method="post" action="/discontinuation/plan-new/".*?</form>', html, re.S).group(0)
    fields = dict(re.findall(r'name="(person_id|reason|evidence)" value="([^"]*)"', form))
    assert fields == {"person_id": lost.member.person_id, "reason": "LOST_ELIGIBILITY",
                      "evidence": "Identification run of 2024-08-31: Medi-Cal eligibility ended 2024-08-15"}
    response = client.post("/discontinuation/plan-new/", fields)
    item = Discontinuation.objects.get()
    assert response.status_code == 302 and item.member_id == lost.member.person_id
    assert (item.reason, item.status) == ("LOST_ELIGIBILITY", Status.REQUESTED)
    html = client.get("/identification/?change=NO_LONGER").content.decode()
    assert "Record ECM discontinuation" not in html
    assert f'href="/discontinuation/{item.pk}/">Discontinuation waiting for review' in html


def test_the_worklist_downloads_as_csv_with_an_export_audit(client, coordinator, two_runs):
    july, august = two_runs
    client.force_login(coordinator)
    assert "Download these members as CSV" in client.get("/identification/").content.decode()
    response = client.get("/identification/export.csv?change=STILL&excluded=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="identification-2024-08-31-still.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["person_id"], r["name"], r["populations"], r["excluded"]) for r in rows] == [
        ("ED", "Pat LastEd", "ADULT_AVOIDABLE_UTILIZATION", "0"),
        ("HOSPICE", "Pat LastHospice", "ADULT_AVOIDABLE_UTILIZATION", "1")]
    assert rows[1]["exclusion_reason"] == "HOSPICE_OR_PALLIATIVE"
    [event] = AuditEvent.objects.filter(action=Action.EXPORT, object_type="IdentifiedPopulation")
    assert event.detail["person_ids"] == ["ED", "HOSPICE"] and event.detail["filters"]["change"] == "STILL"
    new = _csv(client, "/identification/export.csv")
    assert [r["person_id"] for r in new] == ["HOMELESS"]
    assert new[0]["population_names"].startswith("Adults at risk for avoidable hospital or ED utilization; ")
    assert "Unsheltered" in new[0]["why_this_priority"].split("; ")
    july_gone = client.get(f"/identification/export.csv?run={july.pk}&change=NO_LONGER").content.decode()
    assert july_gone.splitlines()[1:] == []  # the first run: nobody is no longer eligible


def _csv(client, path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get(path).content.decode())))


def test_the_download_holds_the_same_members_and_populations_as_the_pages(client, coordinator):
    for person_id in "ABCDE":
        make_member(person_id=person_id, last_name=person_id)
    _runs_with_rows(
        [("A", "ADULT_HOMELESS", 1), ("A", "ADULT_REENTRY", 1), ("A", "ADULT_SMH_SUD", 1), ("B", "ADULT_HOMELESS", 2),
         ("D", "ADULT_HOMELESS", 3), ("E", "ADULT_REENTRY", 4)],
        [("A", "ADULT_HOMELESS", 1), ("A", "ADULT_REENTRY", 1), ("B", "ADULT_HOMELESS", 2), ("C", "ADULT_HOMELESS", 3),
         ("E", "ADULT_REENTRY", 4)])
    client.force_login(coordinator)
    still = _csv(client, "/identification/export.csv?change=STILL")
    assert [(r["person_id"], r["populations"]) for r in still] == [
        ("A", "ADULT_HOMELESS;ADULT_REENTRY"), ("B", "ADULT_HOMELESS"), ("E", "ADULT_REENTRY")]
    # a population filter picks the members; each keeps all its populations of that change, as on the page
    reentry = _csv(client, "/identification/export.csv?change=STILL&population=ADULT_REENTRY")
    assert [(r["person_id"], r["populations"]) for r in reentry] == [
        ("A", "ADULT_HOMELESS;ADULT_REENTRY"), ("E", "ADULT_REENTRY")]
    gone = _csv(client, "/identification/export.csv?change=NO_LONGER")
    assert [(r["person_id"], r["populations"], r["still_identified"]) for r in gone] == [
        ("A", "ADULT_SMH_SUD", "1"), ("D", "ADULT_HOMELESS", "0")]
    assert [r["person_id"] for r in _csv(client, "/identification/export.csv")] == ["C"]


def test_the_csv_download_is_for_plan_staff_and_safe_in_a_spreadsheet(client, coordinator, ecm_user, two_runs):
    from carehub.apps.members.models import Member

    Member.objects.filter(person_id="HOMELESS").update(last_name="=HYPERLINK(1)")
    client.force_login(ecm_user)
    assert client.get("/identification/export.csv").status_code == 403
    client.force_login(coordinator)
    text = client.get("/identification/export.csv").content.decode()
    assert ",'Pat =HYPERLINK(1)," not in text and "Pat =HYPERLINK(1)" in text  # "Pat ..." starts with P: kept
    Member.objects.filter(person_id="HOMELESS").update(first_name="", last_name="=HYPERLINK(1)")
    text = client.get("/identification/export.csv").content.decode()
    assert ",'=HYPERLINK(1)," in text and ",=HYPERLINK" not in text


def test_run_summary_counts_new_still_and_no_longer(client, coordinator, two_runs):
    july, august = two_runs
    client.force_login(coordinator)
    html = client.get(f"/identification/runs/{august.pk}/").content.decode()
    rows = {label: cells for label, cells in re.findall(
        r'population=[A-Z_]+">([^<]+)</a></td>\s*((?:<td class="num">(?:<a [^>]+>)?\d+(?:</a>)?</td>\s*)+)', html)}
    counts = {label: re.findall(r">(\d+)<", cells) for label, cells in rows.items()}
    # members, excluded, new, still, no longer
    assert counts["Adults at risk for avoidable hospital or ED utilization"] == ["3", "1", "1", "2", "0"]
    assert counts["Children and youth involved in child welfare"] == ["0", "0", "0", "0", "1"]
    assert "2024-07-31" in html
    assert client.get("/identification/runs/").status_code == 200
    by_county = html[html.index("<h2>By county</h2>"):]
    assert f"?run={august.pk}&amp;change=NO_LONGER&amp;county=Kern&amp;excluded=1\">1</a>" in by_county
    assert f"?run={august.pk}&amp;change=STILL&amp;county=Alameda&amp;excluded=1\">2</a>" in by_county
    assert names(client.get(f"/identification/?run={august.pk}&change=STILL&county=Alameda&excluded=1")
                 .content.decode()) == ["Pat LastEd", "Pat LastHospice"]  # the link leads to that many members


def test_part2_evidence_is_withheld_from_provider_staff(client, ecm_user, tmp_path):
    from ident_scenario import store
    from plan_builder import Plan

    plan = Plan(tmp_path / "sud")
    (tmp_path / "sud").mkdir()
    plan.person("KID", "2012-01-01", county="Alameda")
    plan.program("KID", "DMC_ODS", "2024-02-01")
    store(plan.write(), "2024-08-31")
    kid = make_member(person_id="KID")
    relate(kid, ECM_NPI)
    assert IdentifiedPopulation.objects.get().evidence == "program:DMC_ODS:2024-02-01"
    client.force_login(ecm_user)
    html = client.get("/members/KID/").content.decode()
    assert "DMC_ODS" not in html and "Withheld under 42 CFR Part 2 — consent required" in html
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert "DMC_ODS" in client.get("/members/KID/").content.decode()
    # an exclusion whose proof is a Drug Medi-Cal span (a plan listing DMC as duplicative): the reason shows, the
    # proof is withheld from provider staff like any Part 2 evidence
    IdentifiedPopulation.objects.update(excluded=True, exclusion_reason="DUPLICATIVE_PROGRAM",
                                        exclusion_evidence="program:DMC:2024-03-01")
    assert "Program enrollment DMC, 2024-03-01" in client.get("/members/KID/").content.decode()
    client.force_login(ecm_user)
    html = client.get("/members/KID/").content.decode()
    assert "Excluded:" in html and "Program enrollment DMC" not in html and "2024-03-01" not in html


def test_claim_evidence_shows_the_claim_date_and_codes_from_the_warehouse(client, coordinator, two_runs, scenario):
    ed_claims = scenario.claims["HOMELESS"][1:]
    write_claims([{"claim_id": scenario.claims["HOMELESS"][0], "person_id": "HOMELESS",
                   "claim_start_date": date(2024, 2, 1), "diagnosis_code_1": "E11.9", "hcpcs_code": "99213"}]
                 + [{"claim_id": claim_id, "person_id": "HOMELESS", "claim_start_date": date(2024, 8, 2 + i),
                     "place_of_service_code": "23", "hcpcs_code": "99283", "diagnosis_code_1": "J06.9"}
                    for i, claim_id in enumerate(ed_claims)])
    client.force_login(coordinator)
    html = client.get("/members/HOMELESS/").content.decode()
    assert f"<td>Claim</td><td>{ed_claims[0]}</td><td>2024-08-02</td><td>23 · 99283 · J06.9</td>" in html
    assert f"<td>Claim</td><td>{scenario.claims['HOMELESS'][0]}</td><td>2024-02-01</td><td>11 · 99213 · E11.9</td>" \
        in html


def test_claims_with_a_substance_use_diagnosis_are_withheld_from_provider_staff(client, ecm_user, two_runs,
                                                                                scenario, members):
    sud, other = scenario.claims["ED"][0], scenario.claims["ED"][1]
    write_claims([{"claim_id": sud, "person_id": "ED", "claim_start_date": date(2024, 3, 1),
                   "diagnosis_code_1": "F11.20", "place_of_service_code": "23"},
                  {"claim_id": other, "person_id": "ED", "claim_start_date": date(2024, 4, 10),
                   "diagnosis_code_1": "J06.9", "place_of_service_code": "23"}])
    relate(members["ED"], ECM_NPI)
    client.force_login(ecm_user)
    html = client.get("/members/ED/").content.decode()
    assert f"<td>{other}</td>" in html and f"<td>{sud}</td>" not in html
    assert "Withheld under 42 CFR Part 2 — consent required" in html
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    assert f"<td>{sud}</td>" in client.get("/members/ED/").content.decode()


def test_a_claim_with_substance_use_in_any_diagnosis_or_that_cannot_be_checked_is_withheld(client, ecm_user,
                                                                                          two_runs, scenario, members):
    """42 CFR Part 2: a substance use diagnosis in the second position makes the claim a Part 2 record as much as in
    the first (member page and identification evidence alike), and a cited claim the warehouse does not have cannot
    be cleared, so provider staff without a consent do not see it either."""
    secondary, missing = scenario.claims["ED"][0], scenario.claims["ED"][1]
    write_claims([{"claim_id": secondary, "person_id": "ED", "claim_start_date": date(2024, 3, 1),
                   "diagnosis_code_1": "J06.9", "diagnosis_code_2": "F11.20", "place_of_service_code": "23"}])
    relate(members["ED"], ECM_NPI)

    def cited(user) -> set[str]:
        client.force_login(user)
        body = client.get("/api/identification/members/ED").json()
        return {e["detail"] for p in body["populations"] for e in p["evidence"] if e["kind"] == "claim"}

    assert {secondary, missing} <= cited(make_user(Role.PLAN_CARE_COORDINATION))
    assert f"<td>{secondary}</td>" in client.get("/members/ED/").content.decode()
    assert cited(ecm_user) & {secondary, missing} == set()
    assert f"<td>{secondary}</td>" not in client.get("/members/ED/").content.decode()


def test_the_api_gives_the_plan_wide_counts_to_plan_staff_only(client, coordinator, ecm_user, two_runs, members):
    relate(members["ED"], ECM_NPI)
    client.force_login(ecm_user)
    for path in ("/api/identification/worklist", "/api/identification/members/ED"):
        run = client.get(path).json()["run"]
        assert run["as_of"] and (run["people"], run["excluded_people"], run["new_people"]) == (None, None, None)
    client.force_login(coordinator)
    assert client.get("/api/identification/worklist").json()["run"]["people"] == selectors.latest_run().people > 0


def test_a_number_parameter_in_other_digits_is_ignored_not_an_error(client, coordinator, two_runs):
    client.force_login(coordinator)
    for path in ("/identification/?run=\u00b2", "/identification/?after=\u00b2",
                 "/identification/export.csv?run=\u0663", "/identification/export.csv?after=\u00b9"):
        assert client.get(path).status_code == 200, path


def test_a_run_says_which_rules_changed_and_is_marked_when_a_later_run_of_its_date_replaces_it(client, coordinator):
    """Counts can move because the rules or value sets changed (an upgrade, a plan's edited value set), not only
    because members' data did: the run summary names what changed since the compared run, and a month stored again
    with other rules is marked replaced, with a link to the run that counts."""
    from carehub.apps.identification.services import store_run
    from carehub.domain.populations.runner import Versions

    make_member(person_id="A", last_name="A")
    rows = [("A", "", "ADULT_HOMELESS", "", "", False, "", False, 1, "Kern", None, "", "")]

    def store(as_of, rule_b, diagnoses):
        return store_run(rows, as_of=as_of, versions=Versions(rules={"pop_a": "1", "pop_b": rule_b},
                                                               value_sets={"diagnoses": diagnoses, "codes": "c"}))

    july = store(date(2024, 7, 31), "1", "d1")
    august = store(date(2024, 8, 31), "1", "d2")
    again = store(date(2024, 8, 31), "2", "d2")  # the month identified again after an upgrade
    client.force_login(coordinator)

    def text(path):  # the page's words, inline markup (links, code) dropped
        html = re.sub(r"</?(a|code)\b[^>]*>", "", client.get(path).content.decode())
        return " ".join(re.sub(r"<[^>]+>", " ", html).split())

    assert "Rules and value sets changed since the compared run (value sets changed: diagnoses)" in text(
        f"/identification/runs/{august.pk}/")
    newest = text(f"/identification/runs/{again.pk}/")
    assert "changed since the compared run (rules changed: pop_b; value sets changed: diagnoses)" in newest
    assert "A later run of this date replaces" not in newest
    replaced = text(f"/identification/runs/{august.pk}/")
    assert "A later run of this date replaces this one" in replaced and "(rules changed: pop_b)" in replaced
    link = f'href="/identification/runs/{again.pk}/"'
    assert link in client.get(f"/identification/runs/{august.pk}/").content.decode()
    assert "the same as the compared run" not in text(f"/identification/runs/{july.pk}/")  # the first: none to compare
    runs = client.get("/identification/runs/").content.decode()
    assert runs.count("replaced by the run of") == 1
    assert selectors.latest_run() == again


def test_the_run_summary_lists_the_plans_own_value_sets_and_what_narrows(client, coordinator, tmp_path):
    from carehub.apps.identification.services import store_run
    from carehub.domain.populations.runner import VALUE_SETS_DIR

    make_member(person_id="A", last_name="A")
    rows = [("A", "", "ADULT_HOMELESS", "", "", False, "", False, 1, "Kern", None, "", "")]
    shipped = store_run(rows, as_of=date(2024, 7, 31))
    plan_sets = tmp_path / "value_sets"
    plan_sets.mkdir()
    lines = (VALUE_SETS_DIR / "diagnoses.csv").read_text().splitlines()
    (plan_sets / "diagnoses.csv").write_text(
        "\n".join([x for x in lines if not x.startswith("SMI,F25,")] + ["CHRONIC,G35,false,MS"]) + "\n")
    own = store_run(rows, as_of=date(2024, 8, 31), value_sets=plan_sets)
    client.force_login(coordinator)
    page = " ".join(re.sub(r"<[^>]+>", " ", client.get(f"/identification/runs/{own.pk}/").content.decode()).split())
    assert "The plan's own value sets" in page
    assert "diagnoses : SMI includes F25 removed narrows a definition the plan may not narrow" in page
    assert "diagnoses : CHRONIC includes G35 added" in page and "G35 added narrows" not in page
    assert "The plan's own value sets" not in client.get(f"/identification/runs/{shipped.pk}/").content.decode()
