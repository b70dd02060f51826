"""Notifications: what the system tells an organization, a user or a member in the app, and what it must send to
an outside party (a member's PCP, say) through the plan's outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.apps.accounts.models import Organization


class Channel(models.TextChoices):
    IN_APP = "IN_APP", "In the app"
    OUTBOX = "OUTBOX", "Outbox (sent outside the app)"


class Notification(models.Model):
    """One message to one recipient: an organization (all its staff), a user, a member, or an outside party known
    only by NPI. The subject and body carry only what that recipient may see (DESIGN.md "PHI hygiene")."""

    created_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    recipient_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="notifications")
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="notifications")
    recipient_member = models.ForeignKey("members.Member", to_field="person_id", db_column="recipient_person_id",
                                         null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="notifications")
    recipient_npi = models.CharField(max_length=10, blank=True, default="", db_index=True)
    recipient_label = models.CharField(max_length=200, blank=True, default="")
    person_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient_org", "read_at"]), models.Index(fields=["channel", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"
