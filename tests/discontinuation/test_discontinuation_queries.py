"""List pages run a fixed number of queries whatever the number of rows (no N+1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from discontinuation_helpers import accepted_case
from factories import QueryCounter

from carehub.apps.discontinuation import services

pytestmark = pytest.mark.django_db
AFTER_NOTICE = date.today() + timedelta(days=30)


def _counts(client, case) -> tuple[int, int]:
    client.force_login(case.plan)
    with QueryCounter() as plan_page:
        assert client.get("/discontinuation/").status_code == 200
    client.force_login(case.staff)
    with QueryCounter() as provider_page:
        assert client.get("/discontinuation/provider/").status_code == 200
    return plan_page.count, provider_page.count


def test_queue_and_provider_pages_have_bounded_queries(client):
    first = accepted_case()
    services.request_discontinuation(first.assignment, "MEMBER_WISH", actor=first.staff)
    confirmed = services.request_discontinuation(
        accepted_case(plan=first.plan, provider_exists=True).assignment, "TRANSITIONED", actor=first.staff,
        evidence="Hospice.")
    services.confirm(confirmed, actor=first.plan)
    services.end_due(AFTER_NOTICE)  # the provider's places come free for the next members
    few = _counts(client, first)
    for _ in range(2):
        more = accepted_case(plan=first.plan, provider_exists=True)
        services.request_discontinuation(more.assignment, "MEMBER_WISH", actor=first.staff)
        services.confirm(services.request_discontinuation(
            accepted_case(plan=first.plan, provider_exists=True).assignment, "GRADUATED", actor=first.staff,
            evidence="Goals met."), actor=first.plan)
        services.end_due(AFTER_NOTICE)
    many = _counts(client, first)
    assert many == few
