"""Background jobs of the discontinuation app (django-tasks, database backend; `carehub worker` runs them).

A confirmed discontinuation with advance notice queues a job for the start of its date of action (42 CFR 431.211):
the job ends the member's ECM then, unless a timely appeal holds it. `end_due` is idempotent, so a job run twice,
or after `carehub discontinuation end-due` already ended it, changes nothing."""

from __future__ import annotations

from django_tasks import task


@task()
def end_ecm_job(discontinuation_id: int) -> dict[str, int]:
    """End the ECM of one confirmed discontinuation whose date of action has come."""
    from carehub.apps.discontinuation.services import end_due

    return end_due(only=discontinuation_id)
