"""`carehub load` on good folders: what lands in the database and the warehouse, reloads, newer extracts."""

from __future__ import annotations

from datetime import date

import pytest

from carehub.apps.audit.models import Action, AuditEvent
from carehub.apps.members.models import (
    CareRelationship,
    EligibilitySpan,
    HousingEpisode,
    Member,
    PcpAssignment,
    ProgramEnrollment,
)
from carehub.apps.providers.models import ProviderOrganization, ProviderSite
from carehub.ingest.loader import LoadRejected, load_folder
from carehub.warehouse import current_version_dir, recent_medical_claims
from ingest.plans import (
    ECM_NPI,
    PCP_NPI,
    base_plan,
    db_snapshot,
    warehouse_rows,
    write_csv,
    write_parquet,
    write_plan,
)

pytestmark = pytest.mark.django_db


def test_happy_path_loads_every_table(tmp_path):
    result = load_folder(write_plan(tmp_path / "plan", base_plan()))

    assert Member.objects.count() == 2
    ana = Member.objects.get(person_id="P1")
    assert (ana.last_name, ana.county, ana.pcp_npi) == ("Lopez", "Orange", PCP_NPI)  # latest span wins
    assert EligibilitySpan.objects.count() == 3
    assert PcpAssignment.objects.filter(member=ana).count() == 2
    assert ProgramEnrollment.objects.get(member=ana).detail == ECM_NPI
    assert HousingEpisode.objects.get(member=ana).household_with_minors is False
    relationships = {(r.kind, r.provider_npi, r.member_id) for r in CareRelationship.objects.all()}
    assert relationships == {("PCP", PCP_NPI, "P1"), ("PROGRAM", ECM_NPI, "P1")}
    acme = ProviderOrganization.objects.get(npi=ECM_NPI)
    assert acme.counties == ["Los Angeles", "Orange"] and acme.capacity == 40
    assert ProviderSite.objects.get(provider=acme, is_primary=True).address == "1 Main St, Los Angeles"
    assert not ProviderSite.objects.filter(provider__npi=PCP_NPI).exists()  # no address, no site

    assert result.warehouse == {"medical_claim": 3, "pharmacy_claim": 1}
    lines = recent_medical_claims("P1", since=date(2024, 1, 1))
    assert [(c["claim_id"], c["claim_line_number"], c["diagnosis_code_1"]) for c in lines] == [
        ("C1", 1, "Z5901"), ("C1", 2, "I10")]  # ICD-10 stored without the dot
    assert recent_medical_claims("P404", since=date(2024, 1, 1)) == []

    event = AuditEvent.objects.get(action=Action.LOAD)
    assert event.actor_label == "job:load"
    assert event.detail["changes"]["members"] == {"inserted": 2, "updated": 0, "deleted": 0}
    assert "Lopez" not in str(event.detail) and "P1" not in str(event.detail)  # counts, no member data
    assert "members: 2 inserted" in result.summary()


def test_reloading_the_same_folder_changes_nothing(tmp_path):
    folder = write_plan(tmp_path / "plan", base_plan())
    load_folder(folder)
    before, claims_before = db_snapshot(), warehouse_rows("medical_claim")

    result = load_folder(folder)

    after = db_snapshot()
    assert after.pop("audit_events") == [{"count": 2}]  # one event per load
    before.pop("audit_events")
    assert after == before  # same ids, same content
    assert warehouse_rows("medical_claim") == claims_before
    assert all(c["inserted"] == c["updated"] == c["deleted"] == 0 for c in result.changes.values())


def test_newer_extract_inserts_updates_and_deletes(tmp_path):
    load_folder(write_plan(tmp_path / "v1", base_plan()))
    ana_id = Member.objects.get(person_id="P1").pk
    housing_id = HousingEpisode.objects.get().pk

    plan = base_plan()
    plan["eligibility"][1]["last_name"] = "Lopez-Ruiz"  # changed
    plan["eligibility"] = [r for r in plan["eligibility"] if r["person_id"] != "P2"]  # P2 disenrolled
    plan["eligibility"].append(dict(plan["eligibility"][1], person_id="P3", member_id="91000003A"))  # new
    for table in ("program_enrollment", "incarceration", "assessment"):
        plan[table] = [r for r in plan[table] if r["person_id"] != "P2"]
    plan["medical_claim"] = [
        dict(plan["medical_claim"][0], paid_amount="12.00"),  # C1/1 corrected
        dict(plan["medical_claim"][0], claim_id="C3", person_id="P3"),  # new claim
    ]
    del plan["pharmacy_claim"]  # not in this extract: the warehouse keeps it
    result = load_folder(write_plan(tmp_path / "v2", plan))

    assert set(Member.objects.values_list("person_id", flat=True)) == {"P1", "P3"}
    ana = Member.objects.get(person_id="P1")
    assert (ana.pk, ana.last_name) == (ana_id, "Lopez-Ruiz")
    assert HousingEpisode.objects.get().pk == housing_id  # unchanged row kept its id
    assert result.changes["members"] == {"inserted": 1, "updated": 1, "deleted": 1}
    assert not EligibilitySpan.objects.filter(member_id="P2").exists()
    claims = {(r[0], r[1]): r for r in warehouse_rows("medical_claim")}
    assert set(claims) == {("C1", 1), ("C1", 2), ("C2", 1), ("C3", 1)}  # C2 history kept
    assert len(warehouse_rows("pharmacy_claim")) == 1
    lines = {(c["claim_id"], c["claim_line_number"]): c for c in recent_medical_claims("P1", date(2024, 1, 1))}
    assert str(lines[("C1", 1)]["paid_amount"]) == "12.00"


def test_member_still_referenced_elsewhere_is_kept(tmp_path):
    from carehub.apps.accounts.models import User

    load_folder(write_plan(tmp_path / "v1", base_plan()))
    User.objects.create_user(username="ben", password="x" * 12, member=Member.objects.get(person_id="P2"))
    plan = base_plan()
    plan["eligibility"] = [r for r in plan["eligibility"] if r["person_id"] != "P2"]
    for table in ("program_enrollment", "incarceration", "assessment", "medical_claim"):
        plan[table] = [r for r in plan[table] if r["person_id"] != "P2"]
    result = load_folder(write_plan(tmp_path / "v2", plan))
    assert Member.objects.filter(person_id="P2").exists()
    assert result.changes["members"]["kept"] == 1


@pytest.mark.parametrize("layout", ["parquet", "parts-csv", "parts-parquet"])
def test_parquet_and_part_file_folders_load_like_csv(tmp_path, layout):
    load_folder(write_plan(tmp_path / "csv", base_plan()))
    expected_db, expected_claims = db_snapshot(), warehouse_rows("medical_claim")

    plan = base_plan()
    folder = tmp_path / layout
    if layout == "parquet":
        write_plan(folder, plan, fmt="parquet")
    else:
        claims = plan.pop("medical_claim")
        write_plan(folder, plan)
        writer, ext = (write_csv, "csv") if layout == "parts-csv" else (write_parquet, "parquet")
        writer(folder / "medical_claim" / f"part-0001.{ext}", claims[:2])
        writer(folder / "medical_claim" / f"part-0002.{ext}", claims[2:])
        writer(folder / "medical_claim" / f"_rejected.{ext}", claims[:1])  # ignored: starts with _
    (folder / "_README.csv").write_text("not,a,table\n")
    (folder / ".DS_Store").write_text("")
    result = load_folder(folder)

    actual = db_snapshot()
    for snap in (actual, expected_db):
        snap.pop("audit_events")
    assert actual == expected_db  # nothing changed: same content as the CSV load
    assert warehouse_rows("medical_claim") == expected_claims
    assert result.rows["medical_claim"] == 3


def test_unknown_columns_and_tables_are_ignored(tmp_path):
    plan = base_plan()
    for row in plan["eligibility"]:
        row["favorite_color"] = "teal"
    folder = write_plan(tmp_path / "plan", plan)
    write_csv(folder / "lab_result.csv", [{"person_id": "P1", "loinc": "1234-5"}])
    result = load_folder(folder)
    assert Member.objects.count() == 2
    assert result.ignored == ["lab_result.csv"]


def test_repeated_claim_lines_are_deduplicated(tmp_path):
    plan = base_plan()
    plan["medical_claim"].append(dict(plan["medical_claim"][0], paid_amount="99.00"))  # same C1/1, later line
    result = load_folder(write_plan(tmp_path / "plan", plan))
    assert result.warehouse["medical_claim"] == 3
    assert result.duplicates == {"medical_claim": 1}
    line = next(c for c in recent_medical_claims("P1", date(2024, 1, 1)) if c["claim_line_number"] == 1)
    assert str(line["paid_amount"]) == "99.00"  # the last occurrence wins


def test_old_warehouse_versions_do_not_pile_up(tmp_path):
    folder = write_plan(tmp_path / "plan", base_plan())
    for _ in range(4):
        load_folder(folder)
    root = current_version_dir().parent
    assert len([p for p in root.iterdir() if p.is_dir() and p.name.startswith("v-")]) == 2


def test_warehouse_version_is_a_plan_folder_of_every_table(tmp_path):
    import duckdb

    from carehub.domain.input_layout import TABLE_NAMES, discover_tables

    plan = base_plan()
    plan["medical_claim"][0]["diagnosis_code_1"] = "z59.01"
    load_folder(write_plan(tmp_path / "plan", plan))
    version = current_version_dir()
    tables = discover_tables(version)
    assert set(tables) == set(TABLE_NAMES)
    con = duckdb.connect()
    read = lambda t: con.execute(  # noqa: E731
        f"SELECT * FROM read_parquet({[str(p) for p in tables[t]]}, union_by_name = true)")
    assert len(read("eligibility").fetchall()) == 3
    assert sorted(r[0] for r in con.execute(
        f"SELECT diagnosis_code_1 FROM read_parquet({[str(p) for p in tables['medical_claim']]})").fetchall()) == [
        "F1020", "I10", "Z5901"]  # normalised: upper case, no dot

    # A later extract without housing_status: the snapshot of the earlier one is carried over.
    later = base_plan()
    del later["housing_status"]
    load_folder(write_plan(tmp_path / "later", later))
    carried = discover_tables(current_version_dir())
    assert current_version_dir() != version and "housing_status" in carried
    rows = con.execute(f"SELECT * FROM read_parquet({[str(p) for p in carried['housing_status']]})").fetchall()
    assert len(rows) == len(plan["housing_status"])


def test_every_version_carries_the_claim_events_identification_reads(tmp_path):
    """The load stores the rule-ready claim events; identification on the version reads them and gives what a
    scan of the same folder gives."""
    import shutil

    from carehub.domain.populations import identify_folder
    from carehub.domain.populations.sources import CLAIM_SOURCE, EVENTS_FOLDER

    load_folder(write_plan(tmp_path / "plan", base_plan()))
    version = current_version_dir()
    assert (version / EVENTS_FOLDER / "KEY").is_file()
    scan_copy = tmp_path / "scan"
    shutil.copytree(version, scan_copy, ignore=shutil.ignore_patterns(EVENTS_FOLDER))
    answers = {}
    for label, folder in (("events", version), ("scan", scan_copy)):
        con, result = identify_folder(folder, date(2024, 12, 31))
        answers[label] = result.fetchall()
        assert con.execute(f"SELECT source FROM {CLAIM_SOURCE}").fetchone() == (label,)
        con.close()
    assert answers["events"] == answers["scan"]


def _indexes() -> dict[str, set[str]]:
    """Every index of the loaded tables, by table (what member search and the member page rely on)."""
    from django.db import connection

    tables = [m._meta.db_table for m in (Member, EligibilitySpan, PcpAssignment, CareRelationship)]
    with connection.cursor() as cur:
        return {t: {name for name, c in connection.introspection.get_constraints(cur, t).items() if c["index"]}
                for t in tables}


def test_a_first_load_keeps_every_index_even_when_rejected(tmp_path):
    # On SQLite a first load builds the secondary indexes after the rows (operational._secondary_indexes_deferred).
    migrated = _indexes()
    assert any("member_name" in name for name in migrated[Member._meta.db_table])
    bad = base_plan()
    bad["medical_claim"][2]["person_id"] = "P999"  # found by the claims check, after the members were written
    with pytest.raises(LoadRejected):
        load_folder(write_plan(tmp_path / "bad", bad))
    assert Member.objects.count() == 0 and _indexes() == migrated

    load_folder(write_plan(tmp_path / "good", base_plan()))
    assert Member.objects.count() == 2 and _indexes() == migrated


def test_many_members_reach_the_database_each_with_its_own_values(tmp_path):
    """More rows than one multi-row INSERT holds (49 member rows a statement), and a remainder."""
    plan = base_plan()
    template = plan["eligibility"][2]
    plan["eligibility"] += [dict(template, person_id=f"Q{i:03d}", member_id=f"92{i:06d}A", first_name=f"F{i}",
                                 last_name=f"L{i}") for i in range(130)]
    load_folder(write_plan(tmp_path / "plan", plan))
    got = {m.person_id: (m.member_id, m.first_name, m.last_name)
           for m in Member.objects.filter(person_id__startswith="Q")}
    assert got == {f"Q{i:03d}": (f"92{i:06d}A", f"F{i}", f"L{i}") for i in range(130)}
    assert EligibilitySpan.objects.filter(member__person_id__startswith="Q").count() == 130
