"""The background-jobs page: plan administrators see queued, finished and failed jobs and queue a failed one
again; nobody else opens it."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.audit.models import AuditEvent
from carehub.apps.notices.tasks import issue_decision_notices_job

pytestmark = pytest.mark.django_db


def test_admin_sees_jobs_and_queues_a_failed_one_again(client, queued_jobs):
    done = issue_decision_notices_job.enqueue(1, job="done")
    failed = issue_decision_notices_job.enqueue(404404, job="broken")
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL")
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED",
                                                     exception_class_path="carehub.errors.DoesNotExist",
                                                     traceback="Traceback ... secret value")
    admin = make_user(Role.PLAN_ADMIN)
    client.force_login(admin)

    page = client.get("/jobs/").content.decode()
    assert "Successful: 1" in page and "Failed: 1" in page and "Ready: 0" in page
    assert "issue_decision_notices_job" in page and "DoesNotExist" in page
    assert "secret value" not in page  # the error's class only, never its traceback
    assert page.count("Queue again") == 1
    only_failed = client.get("/jobs/?status=FAILED").content.decode()
    assert only_failed.count("issue_decision_notices_job") == 1

    response = client.post(f"/jobs/{failed.id}/requeue/")
    assert response.status_code == 302
    again = DBTaskResult.objects.exclude(pk__in=[done.id, failed.id]).get()
    assert (again.status, again.args_kwargs) == ("READY", {"args": [404404], "kwargs": {"job": "broken"}})
    assert AuditEvent.objects.filter(object_type="BackgroundJob", object_id=str(again.id), actor=admin).exists()
    assert client.post(f"/jobs/{done.id}/requeue/").status_code == 404  # only a failed job is queued again


def test_only_plan_administrators_open_it(client, queued_jobs):
    failed = issue_decision_notices_job.enqueue(1)
    DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")
    for role in (Role.PLAN_CARE_COORDINATION, Role.PLAN_COMPLIANCE_FINANCE, Role.ECM_PROVIDER_STAFF, Role.MEMBER):
        client.force_login(make_user(role))
        assert client.get("/jobs/").status_code == 403
        assert client.post(f"/jobs/{failed.id}/requeue/").status_code == 403
    assert DBTaskResult.objects.count() == 1
