"""The authorization equity report: requests, approvals, denials and median time to decision by race/ethnicity,
language, sex, age band and county; a page for compliance staff and a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from factories import QueryCounter, make_member, make_user

from carehub.apps.accounts.models import Role
from carehub.apps.authorizations.equity import age_band, equity_report
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.referrals.models import Channel
from carehub.apps.referrals.services import submit_referral

pytestmark = pytest.mark.django_db
LA = ZoneInfo("America/Los_Angeles")
RECEIVED = datetime(2025, 6, 9, 9, 0, tzinfo=LA)


def request_for(member, um, decision=None, hours=0):
    data = {"source": "PROVIDER", "referrer_name": "Dr. Lee", "referrer_phone": "510-555-0101",
            "cin": member.member_id, "first_name": member.first_name, "last_name": member.last_name,
            "birth_date": member.birth_date.isoformat()}
    referral = submit_referral(data, actor=um, channel=Channel.WEB, received_at=RECEIVED).referral
    request = open_authorization(referral, actor=um)
    if decision:
        decide(request, DecisionInput(decision, reasons="r", start_date=date(2025, 7, 1)), actor=um,
               now=RECEIVED.replace(hour=9 + hours))
    return request


@pytest.fixture
def data():
    um = make_user(Role.PLAN_UTILIZATION_MANAGEMENT)
    es = {"preferred_language": "es", "race": "White", "ethnicity": "Hispanic", "gender": "F", "county": "Fresno"}
    en = {"preferred_language": "en", "race": "Black", "ethnicity": "", "gender": "M", "county": "Alameda"}
    request_for(make_member(first_name="A", birth_date=date(2010, 1, 1), **es), um, "APPROVED", hours=2)
    request_for(make_member(first_name="B", birth_date=date(1980, 1, 1), **es), um, "DENIED", hours=6)
    request_for(make_member(first_name="C", birth_date=date(1955, 1, 1), **en), um, "MODIFIED", hours=4)
    request_for(make_member(first_name="D", birth_date=date(1990, 1, 1), **en), um)
    return um


def test_counts_rates_and_median_by_group(data):
    report = equity_report()
    language = {r.group: r for r in report["language"]}
    assert (language["es"].requests, language["es"].approvals, language["es"].denials) == (2, 1, 1)
    assert language["es"].approval_rate == 50.0 and language["es"].median_hours == 4.0
    assert (language["en"].requests, language["en"].pending, language["en"].approval_rate) == (2, 1, 100.0)
    assert language["en"].median_hours == 4.0
    assert {r.group for r in report["race_ethnicity"]} == {"White / Hispanic", "Black"}
    assert {r.group: r.requests for r in report["age_band"]} == {"0-20": 1, "35-49": 2, "65+": 1}
    assert {r.group: r.requests for r in report["county"]} == {"Fresno": 2, "Alameda": 2}
    assert equity_report(since=date(2025, 6, 10))["sex"] == []


def test_age_band_on_the_day_of_receipt():
    assert age_band(date(2004, 6, 10), date(2025, 6, 9)) == "0-20"
    assert age_band(date(2004, 6, 9), date(2025, 6, 9)) == "21-34"


def test_page_for_compliance_and_csv(client, data):
    client.force_login(make_user(Role.PLAN_COMPLIANCE_FINANCE))
    with QueryCounter() as counted:
        page = client.get("/authorizations/equity/")
    assert page.status_code == 200 and "Preferred language" in page.content.decode()
    assert counted.count < 12, counted.statements
    response = client.get("/authorizations/equity/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    es = next(r for r in rows if r["dimension"] == "language" and r["group"] == "es")
    assert (es["requests"], es["approvals"], es["denials"], es["approval_rate_pct"],
            es["median_hours_to_decision"]) == ("2", "1", "1", "50.0", "4.0")
    client.force_login(make_user(Role.ECM_PROVIDER_STAFF))
    assert client.get("/authorizations/equity/").status_code == 403
