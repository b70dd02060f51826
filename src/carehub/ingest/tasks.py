"""Background jobs of the load (django-tasks, database backend; `carehub worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def compact_warehouse_job() -> str | None:
    """Rewrite the live warehouse version's tables stored as the extract (carehub.ingest.compact); returns the
    version published, or None when there was nothing to rewrite."""
    from carehub.ingest.compact import compact_current

    done = compact_current()
    return done.version if done else None
