"""The background-jobs page for the plan's administrators: what is queued, running, done and failed, and a failed
job queued again (jobs are idempotent: running one twice changes nothing; notices/tasks.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_tasks import TaskResultStatus

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.web.navigation import allowed

SHOWN = 50


def _require_admin(request: HttpRequest) -> None:
    if not allowed(request.user.role, "jobs"):
        raise PermissionDenied


def _short(path: str) -> str:
    return path.rsplit(".", 1)[-1] if path else ""


def requeue_failed(job_id: UUID, *, actor: Any) -> UUID | None:
    """Queue a failed job again with the same arguments, audited; returns the new job's id, or None when there is
    no failed job with that id (a job that is waiting, running or done is never queued twice from here)."""
    from django_tasks_db.models import DBTaskResult

    failed = DBTaskResult.objects.filter(pk=job_id, status=TaskResultStatus.FAILED).first()
    if failed is None:
        return None
    with transaction.atomic():
        again = failed.task.enqueue(*failed.args_kwargs.get("args", []), **failed.args_kwargs.get("kwargs", {}))
        record(actor=actor, action=Action.CREATE, object_type="BackgroundJob", object_id=str(again.id),
               purpose="queue a failed job again", detail={"task": _short(failed.task_path), "of": str(failed.id)})
    return UUID(str(again.id))


@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    from django_tasks_db.models import DBTaskResult

    _require_admin(request)
    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
    status = request.GET.get("status", "")
    rows = DBTaskResult.objects.order_by("-enqueued_at")
    if status in TaskResultStatus.values:
        rows = rows.filter(status=status)
    # The error's class only: a traceback may quote values, and this is not a developer's console.
    shown = [{"id": r.id, "task": _short(r.task_path), "status": TaskResultStatus(r.status).label,
              "failed": r.status == TaskResultStatus.FAILED, "enqueued_at": r.enqueued_at,
              "finished_at": r.finished_at, "error": _short(r.exception_class_path)} for r in rows[:SHOWN]]
    return render(request, "web/jobs.html", {
        "by_status": [(s.label, counts.get(s.value, 0)) for s in TaskResultStatus], "rows": shown,
        "status": status, "statuses": TaskResultStatus.choices})


@require_POST
def requeue(request: HttpRequest, job_id: UUID) -> HttpResponse:
    _require_admin(request)
    if requeue_failed(job_id, actor=request.user) is None:
        raise Http404
    return redirect("web:jobs")
