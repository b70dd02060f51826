"""Searching the audit log (compliance staff)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from carehub.apps.audit.models import AuditEvent, AuditSubject


@dataclass(frozen=True)
class AuditFilter:
    person_id: str = ""
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_events(f: AuditFilter) -> QuerySet[AuditEvent]:
    """Events matching every given filter, newest first. Each filter is an indexed column (person_id,
    actor_label, action, at); the user matches in any case; dates are whole days in the plan's time zone, both
    ends included."""
    qs = AuditEvent.objects.all()
    if f.person_id:  # the event's own member, or one of those a list or a file showed (AuditSubject)
        qs = qs.filter(Q(person_id=f.person_id)
                       | Q(pk__in=AuditSubject.objects.filter(person_id=f.person_id).values("event_id")))
    if f.actor:
        qs = qs.filter(actor_label__iexact=f.actor)  # usernames are typed, not copied: any case
    if f.action:
        qs = qs.filter(action=f.action)
    if f.date_from:
        qs = qs.filter(at__gte=_start_of(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_start_of(f.date_to + timedelta(days=1)))
    return qs.order_by("-seq")
