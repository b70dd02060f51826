"""The background-jobs page for the plan's administrators: what is queued, running, done and failed, and a failed
job queued again (jobs are idempotent: running one twice changes nothing; notices/tasks.py)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.web.navigation import allowed

SHOWN = 50
STATUSES = ("READY", "RUNNING", "SUCCESSFUL", "FAILED")


def _require_admin(request: HttpRequest) -> None:
    if not allowed(request.user.role, "jobs"):
        raise PermissionDenied


def _short(path: str) -> str:
    return path.rsplit(".", 1)[-1] if path else ""


@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    from django_tasks_db.models import DBTaskResult

    _require_admin(request)
    counts = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by())
    status = request.GET.get("status", "")
    rows = DBTaskResult.objects.order_by("-enqueued_at")
    if status in STATUSES:
        rows = rows.filter(status=status)
    # The error's class only: a traceback may quote values, and this is not a developer's console.
    shown = [{"id": r.id, "task": _short(r.task_path), "status": r.status, "enqueued_at": r.enqueued_at,
              "finished_at": r.finished_at, "error": _short(r.exception_class_path)} for r in rows[:SHOWN]]
    return render(request, "web/jobs.html", {"by_status": [(s, counts.get(s, 0)) for s in STATUSES], "rows": shown,
                                             "status": status, "statuses": STATUSES})


@require_POST
def requeue(request: HttpRequest, job_id: UUID) -> HttpResponse:
    from django_tasks_db.models import DBTaskResult

    _require_admin(request)
    failed = get_object_or_404(DBTaskResult, pk=job_id, status="FAILED")
    with transaction.atomic():
        again = failed.task.enqueue(*failed.args_kwargs.get("args", []), **failed.args_kwargs.get("kwargs", {}))
        record(actor=request.user, action=Action.CREATE, object_type="BackgroundJob", object_id=str(again.id),
               purpose="queue a failed job again", detail={"task": _short(failed.task_path), "of": str(failed.id)})
    return redirect("web:jobs")
