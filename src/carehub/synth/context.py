"""Shared state of one chunk of members: the calendar, the random generator and the row buffers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

EPOCH = date(1970, 1, 1)
NULL_DAY = -(2**31)  # sentinel for an empty date in int32 day arrays


def day_number(value: date) -> int:
    """Days since 1970-01-01 (the Arrow date32 representation)."""
    return (value - EPOCH).days


@dataclass(frozen=True)
class Calendar:
    """The extract date D and the 24-month history window (D - 24 months, D]."""

    as_of: date

    @property
    def d(self) -> int:
        return day_number(self.as_of)

    @property
    def window_start(self) -> int:
        """First day of history: the day after D minus 24 months."""
        year, month = self.as_of.year - 2, self.as_of.month
        last = int((np.datetime64(f"{year:04d}-{month:02d}", "M") + 1).astype("datetime64[D]").astype(int)) - 1
        return min(day_number(date(year, month, 1)) + self.as_of.day - 1, last) + 1

    @property
    def first_month(self) -> np.datetime64:
        return np.datetime64(self.window_start, "D").astype("datetime64[M]")

    @property
    def months(self) -> int:
        """Calendar months touched by the window (24, or 25 when D is not a month end)."""
        return int(np.datetime64(self.as_of, "M") - self.first_month) + 1

    def month_start(self, offset: np.ndarray | int) -> np.ndarray:
        """First day (day number) of the month `offset` months after the window's first month."""
        return (self.first_month + np.asarray(offset)).astype("datetime64[D]").astype(np.int64)

    def month_end(self, offset: np.ndarray | int) -> np.ndarray:
        """Last day (day number) of that month."""
        return self.month_start(np.asarray(offset) + 1) - 1


def month_start_of(days: np.ndarray) -> np.ndarray:
    """First day of the month of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def month_end_of(days: np.ndarray) -> np.ndarray:
    """Last day of the month of each day number."""
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")).astype(np.int64)


class Rows:
    """Column buffers of one small table (programs, housing, ...); scalars are broadcast to the batch size.

    Day columns hold day numbers (NULL_DAY for empty); the other columns hold strings ("" for empty)."""

    def __init__(self, columns: tuple[str, ...], day_columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.day_columns = frozenset(day_columns)
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in ("member", *columns)}

    def add(self, member: np.ndarray, **values: object) -> None:
        size = len(member)
        if size == 0:
            return
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"unknown columns {sorted(unknown)}")
        self.parts["member"].append(np.asarray(member, dtype=np.int64))
        for name in self.columns:
            value = values.get(name)
            is_day = name in self.day_columns
            if isinstance(value, np.ndarray):
                array = value.astype(np.int64) if is_day else value.astype(object)
            elif value is None:
                array = np.full(size, NULL_DAY, dtype=np.int64) if is_day else np.full(size, "", dtype=object)
            else:
                array = np.full(size, value, dtype=np.int64 if is_day else object)
            self.parts[name].append(array)

    def arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name, parts in self.parts.items():
            numeric = name == "member" or name in self.day_columns
            out[name] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64 if numeric else object)
        return out


@dataclass
class Events:
    """Claim events: one row per claim before it is expanded into lines (see claims.py)."""

    parts: dict[str, list[np.ndarray]] = field(
        default_factory=lambda: {k: [] for k in ("member", "template", "start", "los", "admit", "dx1", "dx2", "dx3",
                                                 "admission")}
    )

    def add(self, member: np.ndarray, template: int | np.ndarray, start: np.ndarray, dx1: int | np.ndarray,
            dx2: int | np.ndarray = -1, dx3: int | np.ndarray = -1, los: int | np.ndarray = 0,
            admit: int | np.ndarray = 0, admission: int | np.ndarray = NULL_DAY) -> None:
        """Add claims; `admit` is the admit type code (0 none, 1 emergency, 2 urgent, 3 elective)."""
        size = len(member)
        if size == 0:
            return
        for name, value in (("member", member), ("template", template), ("start", start), ("los", los),
                            ("admit", admit), ("dx1", dx1), ("dx2", dx2), ("dx3", dx3), ("admission", admission)):
            self.parts[name].append(np.broadcast_to(np.asarray(value, dtype=np.int64), (size,)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in self.parts.items()}
