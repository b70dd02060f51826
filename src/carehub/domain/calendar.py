"""Working days for the program's clocks: Monday to Friday minus the plan's holidays, in America/Los_Angeles.

The holidays are data (holidays_ca.csv, explained in holidays_ca.md): California's paid state holidays (Gov. Code
19853, CalHR), generated for any year from a small rule table. A plan replaces the file by pointing
CAREHUB_HOLIDAYS_FILE at its own (same columns). Counting convention (issue 4): the day of receipt is day 0, so
"N working days" ends at the end (23:59:59.999999 local) of the N-th working day after the day of receipt.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

PLAN_TZ = ZoneInfo("America/Los_Angeles")
HOLIDAYS_CSV = Path(__file__).with_name("holidays_ca.csv")
HOLIDAYS_ENV = "CAREHUB_HOLIDAYS_FILE"
END_OF_DAY = time(23, 59, 59, 999999)
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_SATURDAY, _SUNDAY = 5, 6


class HolidayFileError(ValueError):
    """The holiday file has a row that cannot be read; the message names the line and column."""


@dataclass(frozen=True)
class HolidayRule:
    """One row of the holiday file: how to find the holiday in a year and where it moves on a weekend."""

    name: str
    rule: str  # fixed | nth_weekday | date
    month: int
    day: int | None = None
    weekday: int | None = None
    nth: int | None = None
    offset_days: int = 0
    saturday: str = "none"  # none | friday
    sunday: str = "monday"  # monday | none
    from_year: int | None = None
    to_year: int | None = None
    source: str = ""

    def actual(self, year: int) -> date | None:
        """The calendar date of the holiday in `year`, before any weekend move (None if it does not apply)."""
        if (self.from_year and year < self.from_year) or (self.to_year and year > self.to_year):
            return None
        if self.rule == "date":
            return date(year, self.month, self.day or 1) if year == self.from_year else None
        if self.rule == "fixed":
            return date(year, self.month, self.day or 1) + timedelta(days=self.offset_days)
        assert self.weekday is not None and self.nth is not None
        return _nth_weekday(year, self.month, self.weekday, self.nth) + timedelta(days=self.offset_days)

    def observed(self, year: int) -> date | None:
        """The weekday off for the holiday in `year`, or None when none is given (e.g. a Saturday holiday)."""
        day = self.actual(year)
        if day is None:
            return None
        if day.weekday() == _SATURDAY:
            return day - timedelta(days=1) if self.saturday == "friday" else None
        if day.weekday() == _SUNDAY:
            return day + timedelta(days=1) if self.sunday == "monday" else None
        return day


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    days_in_month = _stdlib_calendar.monthrange(year, month)[1]
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = date(year, month, days_in_month)
    return last - timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-nth - 1))


def _int(row: dict[str, str], key: str, line: int) -> int | None:
    value = (row.get(key) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise HolidayFileError(f"line {line}, column {key}: {value!r} is not a whole number") from None


def read_rules(path: Path) -> tuple[HolidayRule, ...]:
    """Read a holiday file (columns in holidays_ca.md); raises HolidayFileError naming the bad line and column."""
    rules = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind = (row.get("rule") or "").strip()
            if kind not in ("fixed", "nth_weekday", "date"):
                raise HolidayFileError(f"line {line}, column rule: {kind!r} is not fixed, nth_weekday or date")
            weekday_text = (row.get("weekday") or "").strip().upper()
            if kind == "nth_weekday" and weekday_text not in _WEEKDAYS:
                raise HolidayFileError(f"line {line}, column weekday: {weekday_text!r} is not MO..SU")
            month = _int(row, "month", line)
            if month is None or not 1 <= month <= 12:
                raise HolidayFileError(f"line {line}, column month: must be 1 to 12")
            saturday = (row.get("saturday") or "none").strip()
            sunday = (row.get("sunday") or "monday").strip()
            if saturday not in ("none", "friday") or sunday not in ("none", "monday"):
                raise HolidayFileError(f"line {line}: saturday must be none|friday and sunday none|monday")
            rules.append(HolidayRule(
                name=row["name"].strip(), rule=kind, month=month, day=_int(row, "day", line),
                weekday=_WEEKDAYS.get(weekday_text), nth=_int(row, "nth", line),
                offset_days=_int(row, "offset_days", line) or 0, saturday=saturday, sunday=sunday,
                from_year=_int(row, "from_year", line), to_year=_int(row, "to_year", line),
                source=(row.get("source") or "").strip()))
    return tuple(rules)


class WorkingCalendar:
    """Working days under a set of holiday rules. Holidays are generated per year on first use."""

    def __init__(self, rules: Iterable[HolidayRule], tz: ZoneInfo = PLAN_TZ) -> None:
        self.rules = tuple(rules)
        self.tz = tz
        self._years: dict[int, dict[date, str]] = {}

    def holidays(self, year: int) -> dict[date, str]:
        """The weekdays off in `year` with their names (a holiday observed in another year counts there)."""
        if year not in self._years:
            days: dict[date, str] = {}
            for candidate_year in (year - 1, year, year + 1):  # Jan 1 on a Saturday may be observed Dec 31
                for rule in self.rules:
                    observed = rule.observed(candidate_year)
                    if observed is not None and observed.year == year:
                        days.setdefault(observed, rule.name)
            self._years[year] = dict(sorted(days.items()))
        return self._years[year]

    def holiday_name(self, day: date) -> str | None:
        return self.holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and day not in self.holidays(day.year)

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start is day 0, whether or not it is a working day)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def end_of_day(self, day: date) -> datetime:
        """The last instant of a local day: a working-day clock ends here."""
        return datetime.combine(day, END_OF_DAY, tzinfo=self.tz)

    def local(self, moment: datetime) -> datetime:
        """An aware datetime in plan time; a naive one is taken to be plan-local already."""
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment.astimezone(self.tz)


@cache
def _calendar_for(path: str) -> WorkingCalendar:
    return WorkingCalendar(read_rules(Path(path)))


def default_calendar(path: Path | str | None = None) -> WorkingCalendar:
    """The plan's calendar: `path`, else the file named by CAREHUB_HOLIDAYS_FILE, else the shipped
    California state holidays. Cached per file."""
    chosen = path or os.environ.get(HOLIDAYS_ENV) or HOLIDAYS_CSV
    return _calendar_for(str(Path(chosen).resolve()))
