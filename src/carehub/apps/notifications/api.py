"""REST endpoints of notifications: the signed-in user's inbox, so a provider's system can poll it."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from carehub.apps.notifications import selectors

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    created_at: datetime
    kind: str
    subject: str
    body: str
    person_id: str
    link: str
    read_at: datetime | None


@router.get("/", response=list[NotificationOut])
def list_notifications(request: HttpRequest, unread: bool = False):
    """The signed-in user's notifications (their own and their organization's), newest first."""
    return selectors.audited_inbox(request.user, route=request.path, unread_only=unread)
