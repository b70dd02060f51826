"""Reading notifications: a user's inbox (their own, their organization's, or as a member their own) and the
plan's outbox of messages for outside parties. Reads that show member-related messages are audit-logged."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.notifications.models import Channel, Notification

PAGE_SIZE = 100


def inbox_filter(user: User) -> Q:
    mine = Q(recipient_user=user)
    if user.is_member:
        return (mine | Q(recipient_member__pk=user.member_id)) if user.member_id else mine
    if user.organization_id:
        mine |= Q(recipient_org_id=user.organization_id)
    return mine


def inbox(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(inbox_filter(user), channel=Channel.IN_APP)


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def audited_inbox(user: User, *, route: str, unread_only: bool = False,
                  limit: int = PAGE_SIZE) -> list[Notification]:
    rows = inbox(user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    notes = list(rows[:limit])
    people = sorted({n.person_id for n in notes if n.person_id})
    if people:
        record(actor=user, action=Action.READ, object_type="notification", route=route,
               detail={"people": people[:200], "count": len(notes)})
    return notes


def notification_for(user: User, notification_id: int) -> Notification | None:
    return inbox(user).filter(pk=notification_id).first()


def outbox(*, pending_only: bool = True) -> QuerySet[Notification]:
    rows = Notification.objects.filter(channel=Channel.OUTBOX)
    return rows.filter(sent_at__isnull=True) if pending_only else rows


def audited_outbox(user: User, *, route: str, pending_only: bool = True, limit: int = PAGE_SIZE) -> list[Notification]:
    notes = list(outbox(pending_only=pending_only)[:limit])
    people = sorted({n.person_id for n in notes if n.person_id})
    if people:
        record(actor=user, action=Action.READ, object_type="notification", route=route,
               detail={"people": people[:200], "count": len(notes), "outbox": True})
    return notes
