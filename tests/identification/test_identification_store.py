"""Storing identification runs: one run record and its rows, idempotent re-stores, the comparison with the previous
run (new / still / no longer eligible), the CSV path of `carehub identify`, and one audit event with counts only."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from django.utils import timezone
from ident_scenario import D1, D2, store
from typer.testing import CliRunner

from carehub.apps.assignments.models import Assignment, AssignmentStatus
from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.engagement.models import Enrollment, EnrollmentStatus
from carehub.apps.identification.models import Change, IdentificationRun, IdentifiedPopulation, NoLongerEligible
from carehub.apps.identification.services import combined, current_versions, store_from_csv
from carehub.cli import app

pytestmark = pytest.mark.django_db


def rows_of(run: IdentificationRun) -> dict[tuple[str, str], IdentifiedPopulation]:
    return {(r.member_id, r.population): r for r in IdentifiedPopulation.objects.filter(run=run)}


def test_a_stored_run_holds_every_output_row_with_county_score_and_counts(scenario):
    run = store(scenario.folder, D2)
    rows = rows_of(run)
    assert set(rows) == {("HOMELESS", "ADULT_AVOIDABLE_UTILIZATION"), ("HOMELESS", "ADULT_HOMELESS"),
                         ("ED", "ADULT_AVOIDABLE_UTILIZATION"), ("HOSPICE", "ADULT_AVOIDABLE_UTILIZATION")}
    homeless = rows[("HOMELESS", "ADULT_HOMELESS")]
    assert (homeless.cin, homeless.criteria, homeless.county, homeless.priority) == (
        "MHOMELESS", "HOMELESS_HOUSING_STATUS;COMPLEX_NEED", "Kern", 1)
    assert homeless.evidence == f"claim:{scenario.claims['HOMELESS'][-1]};claim:{scenario.claims['HOMELESS'][0]};" \
                                "housing:UNSHELTERED:2024-08-01"
    assert homeless.score == 55.0
    assert homeless.priority_factors == "ADDITIONAL_POPULATIONS=1;ED_VISITS_6M=5;UNSHELTERED_NOW=1"
    hospice = rows[("HOSPICE", "ADULT_AVOIDABLE_UTILIZATION")]
    assert (hospice.excluded, hospice.exclusion_reason, hospice.priority) == (True, "HOSPICE_OR_PALLIATIVE", 3)
    assert (run.as_of, run.rows, run.people, run.excluded_people, run.new_people) == (date(2024, 8, 31), 4, 3, 1, 3)
    assert run.counts["ADULT_AVOIDABLE_UTILIZATION"] == {"rows": 3, "excluded": 1, "NEW": 3, "STILL": 0,
                                                         "NO_LONGER": 0}
    assert run.counties == ["Alameda", "Kern"]
    versions = current_versions()
    assert (run.rule_version, run.value_set_version) == (combined(versions.rules), combined(versions.value_sets))


def test_storing_writes_one_audit_event_with_counts_and_no_member_identifiers(scenario):
    run = store(scenario.folder, D2)
    events = list(AuditEvent.objects.filter(object_type="IdentificationRun"))
    assert len(events) == 1
    event = events[0]
    assert (event.action, event.actor_label, event.object_id, event.person_id) == (
        Action.CREATE, "job:identify", str(run.pk), "")
    assert event.detail["people"] == 3 and event.detail["populations"] == {"ADULT_AVOIDABLE_UTILIZATION": 3,
                                                                           "ADULT_HOMELESS": 1}
    assert set(event.detail) == {"as_of", "rule_version", "value_set_version", "source", "replaced", "rows", "people",
                                 "excluded_people", "new_people", "populations"}  # counts only, no person_ids


def test_storing_the_same_run_again_replaces_its_rows(scenario):
    first = store(scenario.folder, D2)
    scenario.plan.ed("ED", "2024-08-30")  # the plan data was corrected in between
    scenario.plan.write()
    second = store(scenario.folder, D2)
    assert second.pk == first.pk and IdentificationRun.objects.count() == 1
    assert second.times_stored == 2
    assert IdentifiedPopulation.objects.count() == 4
    assert rows_of(second)[("ED", "ADULT_AVOIDABLE_UTILIZATION")].evidence.count("claim:") == 7
    actions = list(AuditEvent.objects.filter(object_type="IdentificationRun").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == [Action.CREATE, Action.UPDATE]


def test_changes_between_two_runs_are_new_still_and_no_longer(two_runs):
    july, august = two_runs
    assert august.previous_run_id == july.pk
    changes = {key: row.change for key, row in rows_of(august).items()}
    assert changes == {("HOMELESS", "ADULT_AVOIDABLE_UTILIZATION"): Change.NEW,
                       ("HOMELESS", "ADULT_HOMELESS"): Change.NEW,
                       ("ED", "ADULT_AVOIDABLE_UTILIZATION"): Change.STILL,
                       ("HOSPICE", "ADULT_AVOIDABLE_UTILIZATION"): Change.STILL}
    assert august.counts["CHILD_WELFARE"] == {"rows": 0, "excluded": 0, "NEW": 0, "STILL": 0, "NO_LONGER": 1}
    assert august.counts["ADULT_AVOIDABLE_UTILIZATION"]["NEW"] == 1
    assert august.counts["ADULT_AVOIDABLE_UTILIZATION"]["STILL"] == 2
    assert august.new_people == 1
    leads = [key for key, row in rows_of(august).items() if row.lead]
    assert leads == [("HOMELESS", "ADULT_AVOIDABLE_UTILIZATION")]  # one worklist line per new person
    # what the July run said of FOSTER is kept for the list of members no longer eligible
    assert no_longer(august) == [("FOSTER", "CHILD_WELFARE", rows_of(july)[("FOSTER", "CHILD_WELFARE")].priority,
                                  "Kern")]
    assert no_longer(july) == []
    # members by county as the worklist lists count them: FOSTER is counted in July's county (Kern)
    assert august.county_counts == {
        "Alameda": {"people": 2, "excluded": 1, "NEW": 0, "STILL": 2, "NO_LONGER": 0},
        "Kern": {"people": 1, "excluded": 0, "NEW": 1, "STILL": 0, "NO_LONGER": 1}}
    assert july.county_counts == {"Alameda": {"people": 2, "excluded": 1, "NEW": 2, "STILL": 0, "NO_LONGER": 0},
                                  "Kern": {"people": 1, "excluded": 0, "NEW": 1, "STILL": 0, "NO_LONGER": 0}}


def no_longer(run: IdentificationRun) -> list[tuple[str, str, int, str]]:
    return sorted(NoLongerEligible.objects.filter(run=run).values_list("member_id", "population", "priority",
                                                                       "county"))


def test_a_month_stored_late_becomes_the_previous_run_of_the_next_one(scenario, members):
    august = store(scenario.folder, D2)
    july = store(scenario.folder, D1)
    august.refresh_from_db()
    assert july.previous_run_id is None and august.previous_run_id == july.pk
    assert rows_of(august)[("ED", "ADULT_AVOIDABLE_UTILIZATION")].change == Change.STILL
    assert august.counts["CHILD_WELFARE"]["NO_LONGER"] == 1
    assert [row[:2] for row in no_longer(august)] == [("FOSTER", "CHILD_WELFARE")]
    assert august.county_counts["Kern"]["NO_LONGER"] == 1  # counted again with the comparison
    # storing July again (plan data corrected: the foster care episode is gone) recompares August
    scenario.plan.rows["program_enrollment"] = [r for r in scenario.plan.rows["program_enrollment"]
                                                  if r["person_id"] != "FOSTER"]
    scenario.plan.write()
    store(scenario.folder, D1)
    assert no_longer(august) == [] and NoLongerEligible.objects.count() == 0
    august.refresh_from_db()
    assert august.county_counts["Kern"] == {"people": 1, "excluded": 0, "NEW": 1, "STILL": 0, "NO_LONGER": 0}


def test_carehub_identify_stores_the_run_with_its_priority_unless_told_not_to(scenario, tmp_path):
    out = tmp_path / "out.csv"
    skipped = CliRunner().invoke(app, ["identify", "--as-of", D2, "--data", str(scenario.folder), "--out", str(out),
                                       "--no-store"])
    assert skipped.exit_code == 0, skipped.output
    assert IdentificationRun.objects.count() == 0
    stored = CliRunner().invoke(app, ["identify", "--as-of", D2, "--data", str(scenario.folder), "--out", str(out)])
    assert stored.exit_code == 0, stored.output
    run = IdentificationRun.objects.get()
    assert "stored run" in stored.output and run.people == 3
    # Stored from the engine's own tables: the priority score and its factors, which the CSV contract leaves out,
    # and the county of the member's eligibility on the as-of date, are kept for the worklist and member page.
    row = rows_of(run)[("HOMELESS", "ADULT_HOMELESS")]
    assert row.score is not None and row.score > 0
    assert "UNSHELTERED" in row.priority_factors.upper()
    assert row.county


def _enrollment(member, status: str, assignment_status: str = AssignmentStatus.ENDED, **dates) -> None:
    assignment = Assignment.objects.create(member=member, provider_npi="1234567893", rule="test",
                                           assigned_at=timezone.now(), status=assignment_status)
    Enrollment.objects.create(assignment=assignment, status=status, **dates)


def test_carehub_identify_excludes_members_unresponsive_to_outreach(scenario, members, tmp_path):
    """The run reads the ECM providers' outreach outcomes from the operational database (004 VI.C.1.d): ED was
    recorded unreachable 3 weeks before D2; HOMELESS declined in June but outreach started again in July (a later
    enrollment supersedes the outcome)."""
    _enrollment(members["ED"], EnrollmentStatus.UNREACHABLE, outreach_started_on=date(2024, 7, 1),
                unreachable_on=date(2024, 8, 10))
    _enrollment(members["HOMELESS"], EnrollmentStatus.DECLINED, outreach_started_on=date(2024, 5, 20),
                declined_on=date(2024, 6, 1))
    _enrollment(members["HOMELESS"], EnrollmentStatus.OUTREACH, AssignmentStatus.ACCEPTED,
                outreach_started_on=date(2024, 7, 1))
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(app, ["identify", "--as-of", D2, "--data", str(scenario.folder), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open() as f:
        reasons = {(r["person_id"], r["population"]): r["exclusion_reason"] for r in csv.DictReader(f)}
    assert reasons[("ED", "ADULT_AVOIDABLE_UTILIZATION")] == "UNRESPONSIVE"
    assert reasons[("HOMELESS", "ADULT_HOMELESS")] == ""
    stored = rows_of(IdentificationRun.objects.get())
    ed = stored[("ED", "ADULT_AVOIDABLE_UTILIZATION")]
    assert (ed.excluded, ed.exclusion_reason, ed.exclusion_evidence) == (
        True, "UNRESPONSIVE", "outreach:UNREACHABLE:2024-08-10")
    read = AuditEvent.objects.get(object_type="Enrollment", action=Action.READ)
    assert read.detail == {"outreach_outcomes": 1}


def test_csv_and_connection_stores_of_the_same_run_are_the_same_run(scenario, tmp_path):
    run = store(scenario.folder, D2)
    rows = scenario.plan.identify(D2)
    assert len(rows) == 4
    again = store_from_csv(scenario.plan.root / "out.csv", as_of=date.fromisoformat(D2))
    assert again.pk == run.pk and IdentifiedPopulation.objects.count() == 4


def test_postgresql_knows_a_stored_run_at_once(db):
    """store_run refreshes the planner's statistics: without them PostgreSQL took a new run for a handful of rows
    and read the pages by poor plans until autovacuum came (bench/README.md)."""
    from django.db import connection

    from carehub.apps.identification.services import store_run

    def stored(as_of: date, people: range) -> IdentificationRun:
        return store_run([(f"P{i}", "", "ADULT_HOMELESS", "", "", False, "", False, i, "Kern", None, "", "")
                          for i in people], as_of=as_of)

    stored(date(2024, 7, 31), range(1, 301))
    run = stored(date(2024, 8, 31), range(101, 501))  # 100 no longer eligible
    assert IdentifiedPopulation.objects.filter(run=run).count() == 400
    assert NoLongerEligible.objects.filter(run=run).count() == 100
    if connection.vendor != "postgresql":
        return  # SQLite plans from its indexes, with no statistics to refresh
    with connection.cursor() as cursor:
        for table, rows in (("identification_identifiedpopulation", 400), ("identification_nolongereligible", 100)):
            cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT * FROM {table} WHERE run_id = %s", [run.pk])
            estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
            assert rows / 2 <= estimate <= rows * 2, (table, estimate)
