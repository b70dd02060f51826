"""Sending notifications. Callers use `notify_after_commit` inside their service's transaction so that a message
goes out only if the change it announces is committed (DESIGN.md "Habits")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from carehub.apps.accounts.models import Organization, User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.models import Member
from carehub.apps.notifications.models import Channel, Notification


class NotificationError(ValueError):
    """A notification without a recipient, or acted on by someone it was not for."""


def organization_for_npi(npi: str) -> Organization | None:
    """The organization that signs in under an NPI: its own NPI or that of a network record linked to it."""
    if not npi:
        return None
    return (Organization.objects.filter(npi=npi).first()
            or Organization.objects.filter(providers__npi=npi).first())


def notify(*, actor: Any, kind: str, subject: str, body: str = "", person_id: str = "", link: str = "",
           organization: Organization | None = None, user: User | None = None, member: Member | None = None,
           npi: str = "", recipient_label: str = "", dedupe_key: str = "",
           now: datetime | None = None) -> Notification | None:
    """Send one notification. Exactly one recipient: an organization, a user, a member, or an NPI. An NPI that an
    organization in CareHub signs in under is delivered in the app; any other NPI (a PCP outside CareHub) goes to
    the plan's outbox for sending. A repeated `dedupe_key` sends nothing and returns None (jobs may re-run)."""
    given = [r for r in (organization, user, member, npi) if r]
    if len(given) != 1:
        raise NotificationError("A notification needs exactly one recipient.")
    channel = Channel.IN_APP
    if npi:
        organization = organization_for_npi(npi)
        if organization is None:
            channel = Channel.OUTBOX
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                created_at=now or timezone.now(), kind=kind, channel=channel, recipient_org=organization,
                recipient_user=user, recipient_member=member, recipient_npi=npi, recipient_label=recipient_label,
                person_id=person_id or (member.person_id if member else ""), subject=subject[:200], body=body,
                link=link, dedupe_key=dedupe_key or None)
            record(actor=actor, action=Action.CREATE, object_type="notification", object_id=str(note.pk),
                   person_id=note.person_id, detail={"kind": kind, "channel": channel})
    except IntegrityError:  # the same dedupe_key sent concurrently
        return None
    return note


def notify_after_commit(**kwargs: Any) -> None:
    """`notify` once the surrounding transaction commits (nothing is sent if it rolls back)."""
    transaction.on_commit(lambda: notify(**kwargs))


def mark_read(note: Notification, *, actor: User, now: datetime | None = None) -> Notification:
    """The recipient has seen it. Marking twice keeps the first time."""
    if note.read_at is None:
        note.read_at = now or timezone.now()
        note.read_by = actor
        note.save(update_fields=["read_at", "read_by"])
    return note


def mark_sent(note: Notification, *, actor: User, now: datetime | None = None) -> Notification:
    """Plan staff sent an outbox message (fax, secure mail) to the outside party."""
    if note.channel != Channel.OUTBOX:
        raise NotificationError("Only outbox messages are sent by hand.")
    with transaction.atomic():
        if note.sent_at is None:
            note.sent_at = now or timezone.now()
            note.save(update_fields=["sent_at"])
            record(actor=actor, action=Action.UPDATE, object_type="notification", object_id=str(note.pk),
                   person_id=note.person_id, detail={"sent": True})
    return note
