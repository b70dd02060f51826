"""MIF out, RTF/OTF in: round trip, all-or-nothing validation with a report of file/row/column/problem,
idempotent re-import, and the same through the web page, the API and the command line."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from assign_helpers import NPI_A, NPI_B, approved, ecm_provider
from django.utils import timezone
from factories import make_member, make_user
from openpyxl import load_workbook
from typer.testing import CliRunner

from carehub.apps.accounts.models import Role
from carehub.apps.assignments import exchange, services
from carehub.apps.assignments.models import Assignment, AssignmentStatus, ExchangeFile, ProviderReport
from carehub.apps.audit.services import JobActor
from carehub.apps.members.models import CareRelationship
from carehub.cli import app
from carehub.domain.dhcsfiles import layout, write_workbook

pytestmark = pytest.mark.django_db
JOB = JobActor("test")
PERIOD_COLUMN = "Member Information File Reporting Period"


@pytest.fixture
def assigned():
    """One member assigned to provider A this month; returns (provider, assignment)."""
    provider = ecm_provider(NPI_A)
    plan = make_user(Role.PLAN_CARE_COORDINATION)
    member = make_member(county="Alameda", first_name="Rosa", last_name="Nguyen")
    approved(member, actor=plan, decided_at=timezone.now() - timedelta(days=3))
    # assigned before the OTF's attempts (an attempt before the assignment is refused)
    (assignment,) = services.assign_authorized(actor=plan, now=timezone.now() - timedelta(days=3)).assigned
    return provider, assignment


def period() -> str:
    return timezone.localdate().strftime("%Y-%m")


def rtf_from_mif(path, **changes) -> bytes:
    """What a provider sends back: the MIF's CIN, period and NPI, plus status and care-plan facts."""
    sheet = load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = []
    for cells in sheet.iter_rows(min_row=2, values_only=True):
        mif = dict(zip(header, cells, strict=True))
        keep = ("Member Client Index Number (CIN)", "Member Information File Reporting Period",
                "ECM Provider National Provider Identifier (NPI)")
        row = {**{k: mif[k] for k in keep},
               "Member ECM Status": "Enrolled", "ECM Lead Care Manager Name": "Jo Park",
               "Date of Latest Care Plan Revision": timezone.localdate() - timedelta(days=1)}
        row.update(changes)
        rows.append(row)
    buffer = io.BytesIO()
    write_workbook(buffer, layout("RTF"), rows)
    return buffer.getvalue()


def otf(cin: str, npi: str = NPI_A, **changes) -> bytes:
    row = {"ECM Provider NPI": npi, "Member Client Index Number": cin,
           "Date of Outreach Attempt": timezone.localdate() - timedelta(days=2), "Outreach Attempt Method": "In Person",
           "Outreach Attempt Successful": "Y", "Time Spent Performing Outreach": 30}
    row.update(changes)
    buffer = io.BytesIO()
    write_workbook(buffer, layout("OTF"), [row])
    return buffer.getvalue()


def test_round_trip_mif_out_rtf_in_and_reimport_changes_nothing(assigned, tmp_path):
    _, assignment = assigned
    mif = tmp_path / "mif.xlsx"
    assert exchange.write_mif(NPI_A, period(), mif, actor=JOB) == 1
    sheet = load_workbook(mif).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert row["Member Client Index Number (CIN)"] == assignment.member.member_id
    assert row["Member POF"] == "ADULT_HOMELESS" and row["ECM Provider National Provider Identifier (NPI)"] == NPI_A

    data = rtf_from_mif(mif)
    report = exchange.import_file("RTF", data, name="rtf.xlsx", actor=JOB)
    assert report.accepted and (report.rows, report.changed) == (1, 1)
    assignment.refresh_from_db()
    assert (assignment.ecm_status, assignment.lead_care_manager_name) == ("Enrolled", "Jo Park")
    assert assignment.care_plan_revised_on == timezone.localdate() - timedelta(days=1)
    before = (ProviderReport.objects.get().row_hash, assignment.ecm_status)

    again = exchange.import_file("RTF", data, name="rtf.xlsx", actor=JOB)
    assert (again.accepted, again.changed, again.unchanged) == (True, 0, 1)
    assert ProviderReport.objects.count() == 1
    assignment.refresh_from_db()
    assert (ProviderReport.objects.get().row_hash, assignment.ecm_status) == before


def test_rtf_discontinuation_goes_to_the_plans_review_not_straight_to_the_end(assigned, tmp_path, settings):
    """Seed 004 VI.F.2: the plan confirms a discontinuation and sends the Notice of Action; a provider's file
    once ended the assignment itself, with no notice to the member (found by an audit of issues 4-6)."""
    from carehub.apps.discontinuation.models import Discontinuation, Origin, Status
    from carehub.domain import discontinuation as policy

    _, assignment = assigned
    mif = tmp_path / "mif.xlsx"
    exchange.write_mif(NPI_A, period(), mif, actor=JOB)
    stopped = {"Discontinuation Date": timezone.localdate(), "Discontinuation Reason Code": 3}
    # No reason maps to DHCS code 3 in the shipped file (DHCS's labels were not found): a note, nothing ends.
    report = exchange.import_file("RTF", rtf_from_mif(mif, **stopped), name="rtf.xlsx", actor=JOB)
    assert report.accepted and report.discontinuations == 0
    assert report.notes == [f"{assignment.member.member_id}: discontinued on {timezone.localdate().isoformat()}, "
                            "DHCS reason code 3: no discontinuation reason maps to it; record the discontinuation "
                            "with its reason in CareHub"]
    assignment.refresh_from_db()
    assert assignment.status != AssignmentStatus.ENDED and not Discontinuation.objects.exists()
    # The plan maps code 3 to "not engaging": the row becomes the provider's request for the plan to confirm.
    shipped = policy.DEFAULT_REASONS_FILE.read_text(encoding="utf-8").splitlines()
    mapped = tmp_path / "reasons.csv"
    mapped.write_text("\n".join(line + "3" if line.startswith("NOT_ENGAGING,") else line for line in shipped),
                      encoding="utf-8")
    settings.CAREHUB_DISCONTINUATION = {"reasons_file": str(mapped)}
    data = rtf_from_mif(mif, **stopped, **{"Discontinuation Reason": "No response to outreach"})
    report = exchange.import_file("RTF", data, name="rtf-2.xlsx", actor=JOB)
    assert report.accepted and report.discontinuations == 1 and report.notes == []
    item = Discontinuation.objects.get()
    assert (item.reason, item.origin, item.status) == ("NOT_ENGAGING", Origin.RETURN_FILE, Status.REQUESTED)
    assert "rtf-2.xlsx" in item.evidence and "No response to outreach" in item.evidence
    assignment.refresh_from_db()
    assert assignment.status != AssignmentStatus.ENDED
    assert CareRelationship.objects.get(pk=assignment.relationship_id).end_date is None
    # The same file again changes nothing and files nothing twice.
    again = exchange.import_file("RTF", data, name="rtf-2.xlsx", actor=JOB)
    assert (again.unchanged, again.discontinuations) == (1, 0) and Discontinuation.objects.count() == 1


def test_otf_rows_are_kept_and_reimport_changes_nothing(assigned):
    _, assignment = assigned
    data = otf(assignment.member.member_id)
    assert exchange.import_file("OTF", data, name="otf.xlsx", actor=JOB).changed == 1
    assert exchange.import_file("OTF", data, name="otf.xlsx", actor=JOB).changed == 0
    stored = ProviderReport.objects.get(kind="OTF")
    assert stored.data["Outreach Attempt Method"] == "In Person" and stored.data["Outreach Attempt Successful"]


@pytest.mark.parametrize(("make", "column", "problem"), [
    (lambda cin: otf("99999999Z"), "Member Client Index Number", "no member assigned to this provider has this CIN"),
    (lambda cin: otf(cin, npi=NPI_B), "ECM Provider NPI", "no ECM provider in the plan's network has this NPI"),
    (lambda cin: otf(cin, **{"Date of Outreach Attempt": timezone.localdate() + timedelta(days=1)}),
     "Date of Outreach Attempt", "is in the future"),
    (lambda cin: otf(cin, **{"Time Spent Performing Outreach": "99999999999999999999"}),
     "Time Spent Performing Outreach", "is too large (at most 9 digits)"),
])
def test_bad_row_rejects_the_whole_file_with_a_fixable_report(assigned, make, column, problem):
    _, assignment = assigned
    good = otf(assignment.member.member_id)
    bad = make(assignment.member.member_id)
    # Two rows: a good one then the bad one; nothing is applied.
    book = load_workbook(io.BytesIO(good))
    book.worksheets[0].append([c.value for c in load_workbook(io.BytesIO(bad)).worksheets[0][2]])
    buffer = io.BytesIO()
    book.save(buffer)
    report = exchange.import_file("OTF", buffer.getvalue(), name="otf.xlsx", actor=JOB)
    assert [(p.file, p.row, p.column, p.problem) for p in report.problems] == [("otf.xlsx", 3, column, problem)]
    assert ProviderReport.objects.count() == 0
    assert ExchangeFile.objects.get().accepted is False


def test_an_rtf_with_a_bad_npi_or_text_too_long_is_refused_and_logged_not_a_server_error(assigned, tmp_path):
    _, assignment = assigned
    mif = tmp_path / "mif.xlsx"
    exchange.write_mif(NPI_A, period(), mif, actor=JOB)
    for name, changes, column, problem in (
            ("bad-npi.xlsx", {"ECM Provider National Provider Identifier (NPI)": "1234567890"},
             "ECM Provider National Provider Identifier (NPI)", "is not a valid NPI (10 digits, check digit)"),
            ("long.xlsx", {"Member ECM Status": "Enrolled " * 30}, "Member ECM Status",
             "is longer than 40 characters")):
        report = exchange.import_file("RTF", rtf_from_mif(mif, **changes), name=name, actor=JOB)
        assert [(p.file, p.row, p.column, p.problem) for p in report.problems] == [(name, 2, column, problem)]
        assert ExchangeFile.objects.get(filename=name).accepted is False
    assignment.refresh_from_db()
    assert assignment.ecm_status == "" and ProviderReport.objects.count() == 0


def test_the_mif_has_one_row_per_member_when_one_is_assigned_again_within_the_month(assigned):
    from carehub.apps.assignments.models import Assignment
    from carehub.apps.assignments.services import end_assignment

    provider, first = assigned
    end_assignment(first, "moved", actor=JOB)
    again = Assignment.objects.create(member=first.member, provider_npi=NPI_A, authorization=first.authorization,
                                      population=first.population, rule="MANUAL", assigned_at=timezone.now())
    rows = exchange.mif_rows(provider, period())
    assert [r["Member Client Index Number (CIN)"] for r in rows] == [first.member.member_id]
    assert rows[0]["ECM Assignment Date"] == timezone.localdate(again.assigned_at)


def test_missing_columns(assigned):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ECM Provider NPI", "Member Client Index Number"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = exchange.import_file("OTF", buffer.getvalue(), name="otf.xlsx", actor=JOB)
    assert {p.column for p in report.problems} == {"Date of Outreach Attempt", "Outreach Attempt Method",
                                                   "Outreach Attempt Successful"}
    assert all(p.row == 1 and p.problem == "required column is missing" for p in report.problems)


def test_mif_for_unknown_provider_is_refused(tmp_path):
    with pytest.raises(exchange.ExchangeError):
        exchange.write_mif(NPI_B, "2025-06", tmp_path / "x.xlsx", actor=JOB)


def test_provider_web_page_download_and_upload_only_for_own_npis(assigned, client):
    provider, assignment = assigned
    staff = make_user(Role.ECM_PROVIDER_STAFF, organization=provider.organization)
    client.force_login(staff)
    page = client.get("/assignments/files/")
    assert page.status_code == 200
    response = client.get("/assignments/files/mif/", {"npi": NPI_A, "period": period()})
    assert response.status_code == 200
    mif = b"".join(response.streaming_content)
    assert load_workbook(io.BytesIO(mif)).worksheets[0].max_row == 2
    assert client.get("/assignments/files/mif/", {"npi": NPI_B, "period": period()}).status_code == 404

    upload = io.BytesIO(otf(assignment.member.member_id))
    upload.name = "otf.xlsx"
    assert client.post("/assignments/files/", {"kind": "OTF", "file": upload}).status_code == 200
    # Another organization's staff may not report on this provider's members.
    other = make_user(Role.ECM_PROVIDER_STAFF)
    client.force_login(other)
    upload = io.BytesIO(otf(assignment.member.member_id, **{"Outreach Attempt Method": "Telephonic"}))
    upload.name = "otf.xlsx"
    page = client.post("/assignments/files/", {"kind": "OTF", "file": upload})
    assert page.status_code == 400
    assert "this NPI is not your organization&#x27;s" in page.content.decode()
    assert ProviderReport.objects.count() == 1


def test_api_upload_reports_problems_as_json(assigned, client):
    provider, assignment = assigned
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF, organization=provider.organization))
    upload = io.BytesIO(otf(assignment.member.member_id, **{"Outreach Attempt Successful": "maybe"}))
    upload.name = "otf.xlsx"
    response = client.post("/api/assignments/files/otf", {"file": upload})
    assert response.status_code == 400
    assert response.json()["problems"] == [{"file": "otf.xlsx", "row": 2, "column": "Outreach Attempt Successful",
                                            "problem": "must be Y or N"}]
    mine = client.get("/api/assignments/mine").json()
    assert [m["id"] for m in mine] == [assignment.pk]
    assert client.post(f"/api/assignments/{assignment.pk}/accept").json()["status"] == "ACCEPTED"


def test_cli_export_mif_and_import_rtf(assigned, tmp_path):
    out = tmp_path / "mif.xlsx"
    runner = CliRunner()
    result = runner.invoke(app, ["export", "mif", "--provider", NPI_A, "--period", period(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rtf = tmp_path / "rtf.xlsx"
    rtf.write_bytes(rtf_from_mif(out))
    assert runner.invoke(app, ["import", "rtf", str(rtf)]).exit_code == 0
    assert Assignment.objects.get().ecm_status == "Enrolled"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(otf("99999999Z"))
    result = runner.invoke(app, ["import", "otf", str(bad)])
    assert result.exit_code == 1
    assert "bad.xlsx, row 2, Member Client Index Number: no member assigned" in result.output


def test_rows_about_a_time_the_member_was_not_assigned_are_refused(assigned, tmp_path):
    """An RTF for a period to come, or one the assignment does not overlap, rewrote an ended assignment's status;
    an OTF attempt before the assignment counted toward the required outreach, though the app refuses it (found by
    an audit of the exchange files). The row is named, nothing is applied."""
    from carehub.apps.assignments.services import end_assignment

    _, assignment = assigned
    mif = tmp_path / "mif.xlsx"
    exchange.write_mif(NPI_A, period(), mif, actor=JOB)
    cin = assignment.member.member_id
    future = (timezone.localdate().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    report = exchange.import_file("RTF", rtf_from_mif(mif, **{PERIOD_COLUMN: future}), name="rtf.xlsx", actor=JOB)
    assert [(p.row, p.column, p.problem) for p in report.problems] == [
        (2, PERIOD_COLUMN, "this reporting period has not started yet")]
    early = timezone.localdate() - timedelta(days=10)
    report = exchange.import_file("OTF", otf(cin, **{"Date of Outreach Attempt": early}), name="otf.xlsx", actor=JOB)
    assigned_on = timezone.localdate(assignment.assigned_at).isoformat()
    assert [(p.column, p.problem) for p in report.problems] == [
        ("Date of Outreach Attempt",
         f"the attempt is outside the member's assignment to this provider (assigned {assigned_on})")]
    end_assignment(assignment, "moved", actor=JOB, on=timezone.localdate())
    old = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    report = exchange.import_file("RTF", rtf_from_mif(mif, **{PERIOD_COLUMN: old.strftime("%Y-%m")}),
                                  name="rtf-old.xlsx", actor=JOB)
    assert not report.accepted and report.problems[0].problem.startswith(
        "the member was not assigned to this provider in this period")
    assignment.refresh_from_db()
    assert assignment.ecm_status != "Enrolled"  # nothing applied
    assert ProviderReport.objects.count() == 0


def test_the_mif_gives_the_current_pcp_and_homelessness_from_the_housing_record(tmp_path):
    """The MIF took the member row's PCP (stale once the PCP assignment changes) and read homelessness from the
    Population of Focus alone (found by an audit of the exchange files)."""
    from factories import add_history

    from carehub.apps.providers.models import ProviderOrganization

    ecm_provider(NPI_A, populations=("ADULT_AVOIDABLE_UTILIZATION",))
    plan = make_user(Role.PLAN_CARE_COORDINATION)
    member = make_member(county="Alameda", pcp_npi="1245319599")
    add_history(member, pcp_npi="1679576722")  # a current PCP assignment; housing UNSHELTERED since 2025-03-01
    approved(member, actor=plan, population="ADULT_AVOIDABLE_UTILIZATION", decided_at=timezone.now())
    services.assign_authorized(actor=plan)
    (row,) = exchange.mif_rows(ProviderOrganization.objects.get(npi=NPI_A), period())
    assert (row["Member PCP NPI"], row["Member Homelessness Indicator"]) == ("1679576722", "Y")


def test_the_mif_leaves_out_a_member_whose_ecm_with_the_provider_ended(assigned):
    """The file carries the member's address and phone; it listed members whose ECM had ended that month, after
    the provider's pages refused them (found by a walk-through of the demo)."""
    from carehub.apps.assignments.services import end_assignment

    provider, assignment = assigned
    assert [r["Member Client Index Number (CIN)"] for r in exchange.mif_rows(provider, period())] == [
        assignment.member.member_id]
    end_assignment(assignment, "ECM discontinued", actor=JOB, on=timezone.localdate())
    assert exchange.mif_rows(provider, period()) == []
