"""/api/discontinuation: reasons, a provider's request, the plan's queue and confirmation, scoping."""

from __future__ import annotations

import pytest
from discontinuation_helpers import NPI_B, accepted_case

pytestmark = pytest.mark.django_db


def test_api_request_queue_confirm_and_scope(client):
    case = accepted_case()
    other = accepted_case(npi=NPI_B, plan=case.plan, county="Fresno")
    client.force_login(case.staff)
    reasons = client.get("/api/discontinuation/reasons").json()
    assert len(reasons) == 10 and all(r["needs_notice"] for r in reasons)  # seed 004 VI.F.2.b
    body = {"assignment": case.assignment.pk, "reason": "LOST_ELIGIBILITY"}
    assert client.post("/api/discontinuation/", body, content_type="application/json").status_code == 400
    created = client.post("/api/discontinuation/", {**body, "evidence": "Eligibility ended 2025-06-30."},
                          content_type="application/json")
    assert created.status_code == 201
    item = created.json()
    assert client.get("/api/discontinuation/queue").status_code == 403
    assert [r["id"] for r in client.get("/api/discontinuation/mine").json()] == [item["id"]]

    client.force_login(other.staff)
    assert client.get(f"/api/discontinuation/{item['id']}").status_code == 404
    assert client.post("/api/discontinuation/", body, content_type="application/json").status_code == 404

    client.force_login(case.plan)
    assert [r["id"] for r in client.get("/api/discontinuation/queue").json()] == [item["id"]]
    done = client.post(f"/api/discontinuation/{item['id']}/confirm", {}, content_type="application/json").json()
    assert done["status"] == "CONFIRMED" and done["notice"].startswith("NTC-")
    again = client.post(f"/api/discontinuation/{item['id']}/send-back", {"note": "x"},
                        content_type="application/json")
    assert again.status_code == 400
