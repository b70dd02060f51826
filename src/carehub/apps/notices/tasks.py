"""Background jobs of the notices app (django-tasks, database backend; `carehub worker` runs them).

A decision's letters are rendered by a job after the decision commits, so the person deciding does not wait
~170 ms a letter and a failure to render is retried by running the job again (issuing is idempotent)."""

from __future__ import annotations

from django_tasks import task

from carehub.apps.audit.services import JobActor


@task()
def issue_decision_notices_job(authorization_id: int, actor_id: int | None = None, job: str = "notices") -> int:
    """Issue the decision notices of one authorization on behalf of the user who decided (or a job); returns how
    many were issued now."""
    from carehub.apps.accounts.models import User
    from carehub.apps.notices.services import issue_decision_notices

    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    return len(issue_decision_notices(authorization_id, actor=actor or JobActor(job)))
