"""The authorization equity report (seed 003 8.b: authorize ECM in an equitable and non-discriminatory manner):
requests, approvals, denials and the median time to decision by race/ethnicity, language, sex, age band and
county, so compliance staff can compare groups."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from carehub.apps.authorizations.models import AuthorizationRequest, Decision
from carehub.domain.calendar import default_calendar

DIMENSIONS = {"race_ethnicity": "Race / ethnicity", "language": "Preferred language", "sex": "Sex",
              "age_band": "Age band", "county": "County"}
# Children and youth (under 21) are their own ECM Populations of Focus; adult bands in 15-year steps.
AGE_BANDS = ((0, 20, "0-20"), (21, 34, "21-34"), (35, 49, "35-49"), (50, 64, "50-64"), (65, 200, "65+"))
UNKNOWN = "(not recorded)"


def age_band(birth_date: date, on: date) -> str:
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), UNKNOWN)


@dataclass
class EquityRow:
    group: str
    requests: int = 0
    approvals: int = 0  # approved or approved with changes
    denials: int = 0
    pending: int = 0
    hours: list[float] = field(default_factory=list, repr=False)

    @property
    def approval_rate(self) -> float | None:
        decided = self.approvals + self.denials
        return round(100 * self.approvals / decided, 1) if decided else None

    @property
    def median_hours(self) -> float | None:
        return round(median(self.hours), 1) if self.hours else None


def equity_report(since: date | None = None, until: date | None = None) -> dict[str, list[EquityRow]]:
    """Per dimension, one row per group (largest first), over requests received between `since` and `until`
    (inclusive, plan time). One query reading only the columns it needs."""
    cal = default_calendar()
    qs = AuthorizationRequest.objects.all()
    if since:
        qs = qs.filter(received_at__gte=cal.local(datetime.combine(since, datetime.min.time())))
    if until:
        qs = qs.filter(received_at__lte=cal.end_of_day(until))
    groups: dict[str, dict[str, EquityRow]] = {d: {} for d in DIMENSIONS}
    columns = ("decision", "received_at", "decided_at", "member__race", "member__ethnicity",
               "member__preferred_language", "member__gender", "member__birth_date", "member__county")
    for decision, received, decided, race, ethnicity, language, sex, birth, county in qs.values_list(*columns) \
            .iterator(chunk_size=5000):
        race_eth = " / ".join(v for v in (race, ethnicity) if v) or UNKNOWN
        keys = {"race_ethnicity": race_eth, "language": language or UNKNOWN, "sex": sex or UNKNOWN,
                "age_band": age_band(birth, cal.local(received).date()) if birth else UNKNOWN,
                "county": county or UNKNOWN}
        for dimension, key in keys.items():
            row = groups[dimension].setdefault(key, EquityRow(key))
            row.requests += 1
            if decision in (Decision.APPROVED, Decision.MODIFIED):
                row.approvals += 1
            elif decision == Decision.DENIED:
                row.denials += 1
            else:
                row.pending += 1
            if decided is not None:
                row.hours.append((decided - received).total_seconds() / 3600)
    return {d: sorted(rows.values(), key=lambda r: (-r.requests, r.group)) for d, rows in groups.items()}


def equity_csv(report: dict[str, list[EquityRow]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dimension", "group", "requests", "approvals", "denials", "pending", "approval_rate_pct",
                     "median_hours_to_decision"])
    for dimension, rows in report.items():
        for r in rows:
            writer.writerow([dimension, r.group, r.requests, r.approvals, r.denials, r.pending,
                             "" if r.approval_rate is None else r.approval_rate,
                             "" if r.median_hours is None else r.median_hours])
    return out.getvalue()
