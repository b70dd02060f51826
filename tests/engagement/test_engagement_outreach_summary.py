"""Outreach by provider for a period (page and CSV): plan staff see every provider, provider staff their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from engagement_helpers import NPI_A, NPI_B, assign, days_ago, ecm_shop
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.engagement import services

pytestmark = pytest.mark.django_db


def test_summary_counts_by_provider_and_scope(client):
    shop, other = ecm_shop(NPI_A), ecm_shop(NPI_B)
    start = timezone.now() - timedelta(days=10)
    a1, a2, a3 = (assign(NPI_A, assigned_at=start) for _ in range(3))
    b1 = assign(NPI_B, assigned_at=start)
    services.record_outreach(a1, actor=shop.staff, attempted_on=days_ago(5), method="IN_PERSON",
                             outcome="NO_ANSWER", minutes=20)
    services.record_outreach(a1, actor=shop.staff, attempted_on=days_ago(3), method="PHONE",
                             outcome="REACHED_ENGAGED", minutes=10)
    services.enroll(a1, actor=shop.staff, on=days_ago(3))
    services.record_outreach(a2, actor=shop.staff, attempted_on=days_ago(2), method="IN_PERSON",
                             outcome="REACHED_DECLINED", minutes=15)
    services.record_outreach(b1, actor=other.staff, attempted_on=days_ago(1), method="TEXT", outcome="NO_ANSWER")
    assert a3.pk
    client.force_login(make_user(Role.PLAN_CARE_COORDINATION))
    period = f"from={days_ago(30).isoformat()}&to={days_ago(0).isoformat()}"
    lines = {x.provider_npi: x for x in client.get(f"/engagement/outreach-summary/?{period}").context["lines"]}
    a = lines[NPI_A]
    assert (a.members_assigned, a.members_outreached, a.members_reached, a.attempts, a.minutes) == (3, 2, 2, 3, 45)
    assert (a.by_method["IN_PERSON"], a.by_method["PHONE"], a.by_method["TEXT"]) == (2, 1, 0)
    assert (a.enrolled, a.declined, a.unreachable, a.stopped) == (1, 1, 0, 0)
    assert lines[NPI_B].attempts == 1
    csv_text = client.get(f"/engagement/outreach-summary/?{period}&format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("provider_npi,provider_name,members_assigned")
    assert f"{NPI_A},Provider {NPI_A},3,2,2,3,2,1,0,0,0,0,45,1,1,0,0" in csv_text
    client.force_login(shop.staff)
    assert [x.provider_npi for x in client.get(f"/engagement/outreach-summary/?{period}").context["lines"]] == [NPI_A]
    assert client.get("/engagement/outreach-summary/?from=2025-05-01&to=2025-01-01").status_code == 400
