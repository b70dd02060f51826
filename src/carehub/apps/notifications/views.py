"""Notification pages: every signed-in user's inbox, and the plan's outbox of messages for outside parties (a
member's PCP). Views parse, authorize and call services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carehub.apps.notifications import selectors, services
from carehub.apps.notifications.models import Channel, Notification
from carehub.web.navigation import allowed

INBOX_KEY = "notifications"
OUTBOX_KEY = "outbox"


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user.role, INBOX_KEY):
        raise PermissionDenied
    unread_only = request.GET.get("unread") == "1"
    notes = selectors.audited_inbox(request.user, route=request.path, unread_only=unread_only)
    return render(request, "notifications/inbox.html", {
        "notes": notes, "unread_only": unread_only, "unread": selectors.unread_count(request.user)})


@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    note = selectors.notification_for(request.user, notification_id)
    if note is None:
        raise Http404
    services.mark_read(note, actor=request.user)
    if request.POST.get("follow") == "1" and note.link.startswith("/"):
        return redirect(note.link)
    return redirect("notifications:inbox")


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    if not allowed(request.user.role, OUTBOX_KEY):
        raise PermissionDenied
    pending_only = request.GET.get("all") != "1"
    notes = selectors.audited_outbox(request.user, route=request.path, pending_only=pending_only)
    return render(request, "notifications/outbox.html", {"notes": notes, "pending_only": pending_only})


@require_POST
def sent(request: HttpRequest, notification_id: int) -> HttpResponse:
    if not allowed(request.user.role, OUTBOX_KEY):
        raise PermissionDenied
    note = Notification.objects.filter(pk=notification_id, channel=Channel.OUTBOX).first()
    if note is None:
        raise Http404
    services.mark_sent(note, actor=request.user)
    return redirect("notifications:outbox")
