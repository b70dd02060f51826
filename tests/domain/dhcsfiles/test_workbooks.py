"""Exchange workbooks against their layouts: round trip, missing columns, bad cells, future dates."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from carehub.domain.dhcsfiles import layout, load_layouts, read_workbook, write_workbook
from carehub.domain.dhcsfiles.layouts import LAYOUTS_CSV

TODAY = date(2025, 7, 15)
NPI = "1234567893"


def rtf_row(**overrides):
    row = {"Member Client Index Number (CIN)": "91234567A", "Member ECM Status": "Enrolled",
           "Member Information File Reporting Period": "2025-06",
           "ECM Provider National Provider Identifier (NPI)": NPI,
           "Date of Latest Care Plan Revision": date(2025, 6, 20), "Discontinuation Reason Code": None}
    row.update(overrides)
    return row


def test_every_shipped_column_names_its_source_and_the_rtf_carries_the_closed_loop_elements():
    layouts = load_layouts(LAYOUTS_CSV)
    assert set(layouts) == {"MIF", "RTF", "OTF"}
    assert all(c.source for lay in layouts.values() for c in lay.columns)
    assert {"Referral Status", "Date of Referral Status Update",
            "Reason for Referral (Loop) Closure"} <= set(layout("RTF").names)
    assert len(layout("OTF").names) == 12


def test_round_trip(tmp_path):
    path = tmp_path / "rtf.xlsx"
    assert write_workbook(path, layout("RTF"), [rtf_row()]) == 1
    result = read_workbook(path, layout("RTF"), today=TODAY)
    assert result.ok, result.problems
    (row,) = result.rows
    assert row.row == 2
    assert row.values["Member Client Index Number (CIN)"] == "91234567A"
    assert row.values["Date of Latest Care Plan Revision"] == date(2025, 6, 20)
    assert row.values["Discontinuation Reason Code"] is None


def test_missing_required_column_is_reported_once_per_column(tmp_path):
    book = Workbook()
    book.active.append(["Member Client Index Number (CIN)", "Member ECM Status"])
    book.active.append(["91234567A", "Enrolled"])
    book.save(tmp_path / "rtf.xlsx")
    result = read_workbook(tmp_path / "rtf.xlsx", layout("RTF"), today=TODAY)
    assert [(p.row, p.column, p.problem) for p in result.problems] == [
        (1, "Member Information File Reporting Period", "required column is missing"),
        (1, "ECM Provider National Provider Identifier (NPI)", "required column is missing")]
    assert result.rows == []


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("Member Client Index Number (CIN)", "12345", "is not a CIN (8 digits and a letter)"),
    ("ECM Provider National Provider Identifier (NPI)", "1234567890", "is not a valid NPI (10 digits, check digit)"),
    ("Date of Latest Care Plan Revision", date(2025, 8, 1), "is in the future"),
    ("Date of Latest Care Plan Revision", "last week", "is not a date (YYYY-MM-DD or MM/DD/YYYY)"),
    ("Member Information File Reporting Period", "2025-13", "is not a reporting period (YYYY-MM)"),
    ("Discontinuation Reason Code", 16, "must be a DHCS discontinuation reason code from 1 to 15"),
    ("Member ECM Status", "", "is required"),
])
def test_bad_cells_name_row_and_column_without_repeating_the_value(tmp_path, column, value, problem):
    path = tmp_path / "rtf.xlsx"
    write_workbook(path, layout("RTF"), [rtf_row(), rtf_row(**{column: value})])
    result = read_workbook(path, layout("RTF"), today=TODAY, name="june.xlsx")
    assert [str(p) for p in result.problems] == [f"june.xlsx, row 3, {column}: {problem}"]
    assert str(value) not in result.problems[0].problem or str(value) == ""


def test_not_a_workbook(tmp_path):
    path = tmp_path / "rtf.xlsx"
    path.write_text("person,cin\n")
    result = read_workbook(path, layout("RTF"), today=TODAY)
    assert [p.problem for p in result.problems] == ["is not an Excel workbook (.xlsx)"]


def test_us_dates_and_yes_no(tmp_path):
    path = tmp_path / "otf.xlsx"
    write_workbook(path, layout("OTF"), [{"ECM Provider NPI": NPI, "Member Client Index Number": "91234567a",
                                          "Date of Outreach Attempt": "07/03/2025",
                                          "Outreach Attempt Method": "Telephonic",
                                          "Outreach Attempt Successful": "N", "Time Spent Performing Outreach": 15}])
    result = read_workbook(path, layout("OTF"), today=TODAY)
    assert result.ok
    values = result.rows[0].values
    assert values["Date of Outreach Attempt"] == date(2025, 7, 3)
    assert values["Outreach Attempt Successful"] is False
    assert values["Member Client Index Number"] == "91234567A"
    assert values["Time Spent Performing Outreach"] == 15
