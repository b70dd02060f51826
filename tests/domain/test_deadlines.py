"""Every clock of the program across weekends, holidays and daylight-saving changes, and the CLI that prints it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from carehub.cli import app
from carehub.domain.calendar import HOLIDAYS_CSV, default_calendar
from carehub.domain.deadlines import (
    RULES,
    ClockState,
    UnknownRule,
    authorization_end,
    clock_rules,
    clock_state,
    due,
    notice_due,
    referrer_notice_due,
)

LA = ZoneInfo("America/Los_Angeles")
CAL = default_calendar(HOLIDAYS_CSV)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LA)


ROUTINE = [
    # (received, due day, why)
    (date(2025, 6, 9), date(2025, 6, 16), "Monday: plain week, ends the next Monday"),
    (date(2025, 6, 13), date(2025, 6, 20), "Friday: the weekend does not count"),
    (date(2025, 6, 14), date(2025, 6, 20), "Saturday receipt is day 0; Monday is day 1"),
    (date(2025, 11, 26), date(2025, 12, 5), "Thanksgiving and the day after skipped"),
    (date(2025, 11, 27), date(2025, 12, 5), "received on Thanksgiving itself"),
    (date(2025, 12, 22), date(2025, 12, 30), "Christmas skipped"),
    (date(2025, 12, 29), date(2026, 1, 6), "New Year's Day skipped, across the year end"),
    (date(2025, 3, 27), date(2025, 4, 4), "Cesar Chavez Day (Monday March 31) skipped"),
    (date(2024, 3, 28), date(2024, 4, 5), "Cesar Chavez Day on a Sunday, observed Monday April 1"),
    (date(2026, 6, 29), date(2026, 7, 6), "July 4, 2026 is a Saturday: Friday July 3 is a working day"),
    (date(2023, 11, 8), date(2023, 11, 16), "Veterans Day on a Saturday: Friday November 10 is off"),
    (date(2027, 12, 20), date(2027, 12, 27), "Christmas 2027 on a Saturday: no weekday off"),
]


@pytest.mark.parametrize(("received", "due_day", "why"), ROUTINE, ids=[r[2] for r in ROUTINE])
def test_routine_authorization_five_working_days(received, due_day, why):
    assert due("authorization-routine", received, calendar=CAL) == end_of(due_day)


def test_routine_clock_from_a_datetime_uses_its_local_day():
    # 23:30 Pacific on Friday is still Friday, though it is already Saturday in UTC.
    friday_night = datetime(2025, 6, 14, 6, 30, tzinfo=UTC)
    assert due("authorization-routine", friday_night, calendar=CAL) == end_of(date(2025, 6, 20))


def test_working_day_clock_ends_at_the_last_instant_of_the_day():
    end = due("authorization-routine", date(2025, 6, 9), calendar=CAL)
    assert (end.hour, end.minute, end.second, end.microsecond) == (23, 59, 59, 999999)
    assert end.utcoffset() == timedelta(hours=-7)


EXPEDITED = [
    (datetime(2025, 6, 13, 16, 0, tzinfo=LA), datetime(2025, 6, 16, 16, 0, tzinfo=LA), "weekends count"),
    (datetime(2025, 11, 26, 9, 0, tzinfo=LA), datetime(2025, 11, 29, 9, 0, tzinfo=LA), "holidays count"),
    (datetime(2025, 3, 7, 10, 0, tzinfo=LA), datetime(2025, 3, 10, 11, 0, tzinfo=LA),
     "spring forward: 72 real hours end at 11:00 PDT"),
    (datetime(2025, 10, 31, 10, 0, tzinfo=LA), datetime(2025, 11, 3, 9, 0, tzinfo=LA),
     "fall back: 72 real hours end at 09:00 PST"),
]


@pytest.mark.parametrize(("received", "expected", "why"), EXPEDITED, ids=[e[2] for e in EXPEDITED])
def test_expedited_authorization_72_hours(received, expected, why):
    end = due("authorization-expedited", received, calendar=CAL)
    assert end == expected
    assert end.astimezone(UTC) - received.astimezone(UTC) == timedelta(hours=72)  # elapsed, not wall-clock
    assert end.tzinfo is not None and end.utcoffset() == expected.utcoffset()


def test_expedited_naive_datetime_is_plan_time():
    assert due("authorization-expedited", datetime(2025, 3, 7, 10, 0), calendar=CAL) == \
        datetime(2025, 3, 10, 11, 0, tzinfo=LA)


def test_assignment_ten_working_days_over_thanksgiving_and_christmas():
    assert due("assignment", date(2025, 11, 20), calendar=CAL) == end_of(date(2025, 12, 8))
    assert due("assignment", date(2025, 12, 19), calendar=CAL) == end_of(date(2026, 1, 6))


def test_provider_change_thirty_calendar_days_ignores_holidays():
    assert due("provider-change", date(2025, 11, 26), calendar=CAL) == end_of(date(2025, 12, 26))
    assert due("provider-change", date(2025, 12, 1), calendar=CAL) == end_of(date(2025, 12, 31))


def test_reassessment_is_due_on_the_last_day_of_the_six_month_authorization():
    # "authorized for six months ... reassessed within six months" (seed 004 VI.G.1, VI.G.3.e): by its last day
    assert due("reassessment", date(2025, 1, 15), calendar=CAL) == end_of(date(2025, 7, 14))
    assert due("reassessment", date(2025, 8, 31), calendar=CAL) == end_of(date(2026, 2, 27))
    assert due("reassessment", date(2027, 8, 31), calendar=CAL) == end_of(date(2028, 2, 28))
    for start in (date(2025, 1, 15), date(2025, 8, 31), date(2027, 8, 31), date(2026, 3, 1)):
        assert due("reassessment", start, calendar=CAL) == end_of(authorization_end(start, 6))


def test_an_expedited_notice_never_runs_past_72_hours_from_receipt_and_the_referrer_has_24_hours():
    received, decided = datetime(2026, 3, 6, 10, 0, tzinfo=LA), datetime(2026, 3, 9, 9, 0, tzinfo=LA)  # Fri, Mon
    assert notice_due(decided, received_at=received, expedited=False, calendar=CAL) == end_of(date(2026, 3, 11))
    expedited = notice_due(decided, received_at=received, expedited=True, calendar=CAL)
    assert expedited == datetime(2026, 3, 9, 11, 0, tzinfo=LA)  # 72 elapsed hours across the DST change
    # decided an hour after receipt: two working days from the decision would run past the 72 hours
    early = datetime(2026, 3, 6, 11, 0, tzinfo=LA)
    assert notice_due(early, received_at=received, expedited=True, calendar=CAL) == datetime(2026, 3, 9, 11, 0,
                                                                                            tzinfo=LA)
    assert referrer_notice_due(end_of(date(2026, 3, 11)), decided, calendar=CAL) == datetime(2026, 3, 10, 9, 0,
                                                                                             tzinfo=LA)
    assert referrer_notice_due(expedited, decided, calendar=CAL) == expedited
    assert referrer_notice_due(None, decided, calendar=CAL) == datetime(2026, 3, 10, 9, 0, tzinfo=LA)


def test_decision_notice_two_working_days():
    assert due("decision-notice", date(2025, 12, 24), calendar=CAL) == end_of(date(2025, 12, 29))


def test_every_rule_names_its_source():
    assert {r.name for r in RULES} >= {"authorization-routine", "authorization-expedited", "assignment",
                                        "provider-change", "reassessment"}
    assert all("seed" in r.source or "Code" in r.source for r in RULES)


def test_plan_overrides_only_tunable_clocks():
    assert clock_rules({"reassessment": 4})["reassessment"].amount == 4
    assert due("reassessment", date(2025, 1, 15), calendar=CAL, overrides={"reassessment": 4}) == \
        end_of(date(2025, 5, 14))
    with pytest.raises(ValueError, match="set by regulation"):
        clock_rules({"authorization-routine": 10})
    with pytest.raises(ValueError, match="positive"):
        clock_rules({"decision-notice": 0})
    with pytest.raises(UnknownRule):
        due("no-such-clock", date(2025, 1, 1), calendar=CAL)


def test_authorization_length_default_twelve_months_never_under_six():
    assert authorization_end(date(2025, 7, 1)) == date(2026, 6, 30)
    assert authorization_end(date(2025, 7, 1), 6) == date(2025, 12, 31)
    with pytest.raises(ValueError, match="at least 6 months"):
        authorization_end(date(2025, 7, 1), 5)


def test_clock_state():
    due_at = end_of(date(2025, 6, 16))
    assert clock_state(due_at, datetime(2025, 6, 12, 9, tzinfo=LA), calendar=CAL) == ClockState.ON_TIME
    assert clock_state(due_at, datetime(2025, 6, 16, 0, 1, tzinfo=LA), calendar=CAL) == ClockState.DUE_TODAY
    assert clock_state(due_at, datetime(2025, 6, 17, 0, 0, tzinfo=LA), calendar=CAL) == ClockState.OVERDUE
    assert clock_state(due_at, datetime(2025, 6, 20, tzinfo=LA), done_at=datetime(2025, 6, 16, 17, tzinfo=LA),
                       calendar=CAL) == ClockState.MET


# ---- carehub calendar due ----------------------------------------------------------------------------------

runner = CliRunner()


@pytest.mark.parametrize(("args", "out"), [
    (["--from", "2025-11-26", "--rule", "authorization-routine"], "2025-12-05"),
    (["--from", "2025-03-07T10:00", "--rule", "authorization-expedited"], "2025-03-10T11:00:00-07:00"),
    (["--from", "2025-03-07T18:00:00+00:00", "--rule", "authorization-expedited"], "2025-03-10T11:00:00-07:00"),
    (["--from", "2025-12-19", "--rule", "assignment"], "2026-01-06"),
    (["--from", "2025-11-26", "--rule", "provider-change"], "2025-12-26"),
    (["--from", "2025-08-31", "--rule", "reassessment"], "2026-02-27"),
    (["--from", "2025-11-26T16:45", "--rule", "authorization-routine"], "2025-12-05"),
])
def test_cli_prints_the_due_date_alone(args, out, monkeypatch):
    monkeypatch.delenv("CAREHUB_HOLIDAYS_FILE", raising=False)
    result = runner.invoke(app, ["calendar", "due", *args])
    assert result.exit_code == 0, result.output
    assert result.stdout == out + "\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2025-13-01", "--rule", "assignment"], "not an ISO date"),
    (["--from", "next tuesday", "--rule", "assignment"], "not an ISO date"),
    (["--from", "2025-01-01", "--rule", "nope"], "unknown rule"),
])
def test_cli_bad_input_exits_2_with_a_clear_message(args, message):
    result = runner.invoke(app, ["calendar", "due", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_uses_a_plan_holiday_file(tmp_path):
    plan_file = tmp_path / "h.csv"
    plan_file.write_text("name,rule,month,day,weekday,nth,offset_days,saturday,sunday,from_year,to_year,source\n",
                         encoding="utf-8")
    result = runner.invoke(app, ["calendar", "due", "--from", "2025-11-26", "--rule", "authorization-routine",
                                 "--holidays", str(plan_file)])
    assert result.stdout == "2025-12-03\n"
