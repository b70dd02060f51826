"""The working-day calendar: California state holidays, weekend moves, a plan's own file, and the `holidays`
package as an independent check."""

from __future__ import annotations

from datetime import date

import holidays as holidays_package
import pytest

from carehub.domain.calendar import HOLIDAYS_CSV, HolidayFileError, WorkingCalendar, default_calendar, read_rules

CAL = default_calendar(HOLIDAYS_CSV)


def test_2025_state_holidays_match_calhr_schedule():
    assert list(CAL.holidays(2025)) == [
        date(2025, 1, 1), date(2025, 1, 20), date(2025, 2, 17), date(2025, 3, 31), date(2025, 5, 26),
        date(2025, 7, 4), date(2025, 9, 1), date(2025, 11, 11), date(2025, 11, 27), date(2025, 11, 28),
        date(2025, 12, 25)]


def test_2024_sunday_cesar_chavez_day_is_observed_monday():
    # CalHR 2024 schedule: "Monday, April 1 Cesar Chavez Day (Observed)".
    assert CAL.holiday_name(date(2024, 4, 1)) == "Cesar Chavez Day"
    assert CAL.is_working_day(date(2024, 3, 29))


def test_saturday_holiday_gives_no_weekday_off():
    # July 4, 2026 and Christmas 2027 are Saturdays: state employees accrue holiday credit, offices open Friday.
    assert CAL.is_working_day(date(2026, 7, 3))
    assert CAL.is_working_day(date(2027, 12, 24))
    assert CAL.is_working_day(date(2027, 12, 31))  # New Year's Day 2028 is a Saturday too


def test_saturday_veterans_day_is_observed_the_friday_before():
    # Gov. Code 19853(b): November 11 on a Saturday -> the preceding Friday (2023-11-10, 2028-11-10).
    assert CAL.holiday_name(date(2023, 11, 10)) == "Veterans Day"
    assert CAL.holiday_name(date(2028, 11, 10)) == "Veterans Day"


def test_day_after_thanksgiving_when_november_has_five_fridays():
    assert CAL.holiday_name(date(2024, 11, 29)) == "Day after Thanksgiving"  # the 5th Friday of November 2024


def test_weekends_are_not_working_days():
    assert not CAL.is_working_day(date(2025, 6, 7))
    assert not CAL.is_working_day(date(2025, 6, 8))
    assert CAL.is_working_day(date(2025, 6, 9))


def test_add_working_days_counts_day_of_receipt_as_zero():
    assert CAL.add_working_days(date(2025, 6, 9), 0) == date(2025, 6, 9)
    assert CAL.add_working_days(date(2025, 6, 9), 1) == date(2025, 6, 10)
    assert CAL.add_working_days(date(2025, 6, 7), 1) == date(2025, 6, 9)  # received Saturday
    assert CAL.working_days_between(date(2025, 11, 26), date(2025, 12, 5)) == 5


# Every difference between our file and the `holidays` package (US, subdivision CA), explained.
def _explained(day: date, name: str) -> str | None:
    if "Susan B. Anthony" in name:
        return "a California day of observance, not a day off (not in Gov. Code 19853)"
    if "Juneteenth" in name:
        return "a California state holiday since 2022 but not a paid state-employee day off (not in 19853(a))"
    if "Diwali" in name:
        return "a California holiday from 2026 in the package, not a paid state-employee day off"
    if day.weekday() == 5:
        return "the package lists the Saturday date itself; state offices get holiday credit, not a day off"
    if day.weekday() == 4 and "observed" in name.lower() and "Veterans" not in name:
        return "the package moves Saturday holidays to Friday (federal rule); CalHR does not, except Veterans Day"
    if day.weekday() == 6:
        return "the package lists the Sunday date; the Monday after is observed in both"
    return None


@pytest.mark.parametrize("year", range(2022, 2031))
def test_differences_from_holidays_package_are_all_explained(year):
    package = holidays_package.US(subdiv="CA", years=year)
    ours = CAL.holidays(year)
    only_package = {d: n for d, n in package.items() if d not in ours}
    only_ours = {d: n for d, n in ours.items() if d not in package}
    unexplained = {d: n for d, n in only_package.items() if _explained(d, n) is None}
    assert unexplained == {}
    assert only_ours == {}  # every day we close is a holiday (or observed holiday) in the package too


def test_a_plan_file_replaces_the_holidays(tmp_path, monkeypatch):
    plan_file = tmp_path / "plan-holidays.csv"
    plan_file.write_text(
        "name,rule,month,day,weekday,nth,offset_days,saturday,sunday,from_year,to_year,source\n"
        "Plan closure,date,6,19,,,0,none,monday,2025,,plan board resolution\n"
        "Native American Day,nth_weekday,9,,FR,4,0,none,monday,,,plan choice\n", encoding="utf-8")
    monkeypatch.setenv("CAREHUB_HOLIDAYS_FILE", str(plan_file))
    cal = default_calendar()
    assert list(cal.holidays(2025)) == [date(2025, 6, 19), date(2025, 9, 26)]
    assert cal.is_working_day(date(2025, 12, 25)) is True
    assert list(cal.holidays(2026)) == [date(2026, 9, 25)]


def test_a_bad_holiday_file_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,rule,month,day,weekday,nth,offset_days,saturday,sunday,from_year,to_year,source\n"
                   "Ok,fixed,1,1,,,0,none,monday,,,x\nBroken,nth_weekday,11,,XX,4,0,none,monday,,,x\n",
                   encoding="utf-8")
    with pytest.raises(HolidayFileError, match="line 3, column weekday"):
        read_rules(bad)


def test_calendar_without_holidays_is_plain_weekdays():
    assert WorkingCalendar([]).add_working_days(date(2025, 12, 24), 2) == date(2025, 12, 26)
