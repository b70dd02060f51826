"""The append-only, hash-chained audit log of every read and write of member data."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """Audit events are never changed or removed."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")


class Action(models.TextChoices):
    READ = "READ", "Read"
    SEARCH = "SEARCH", "Search"
    CREATE = "CREATE", "Create"
    UPDATE = "UPDATE", "Update"
    DELETE = "DELETE", "Delete"
    LOAD = "LOAD", "Load from plan data"
    EXPORT = "EXPORT", "Export"
    LOGIN = "LOGIN", "Sign in"
    LOGIN_FAILED = "LOGIN_FAILED", "Failed sign-in"
    LOGOUT = "LOGOUT", "Sign out"
    DENIED = "DENIED", "Access denied"


class AppendOnly(models.Model):
    """A row written once: saving an existing one or deleting one raises (the database triggers refuse too)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(AppendOnly):
    """One audited action. `hash` = SHA-256 over the previous event's hash and this event's canonical content
    (carehub.apps.audit.chain), so changing, removing or reordering any event breaks every later link."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    person_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    route = models.CharField(max_length=300, blank=True, default="")
    purpose = models.CharField(max_length=200, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        # A record's history (e.g. a provider's changes on its page) is looked up by object type and id.
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label}"



class AuditSubject(AppendOnly):
    """A member whose data one event showed or sent among others (a list page, an exported file), so that a
    search by member finds the event: list reads kept their ids only in `detail`, where the search by member did
    not look (found by an audit of the API). The same ids are in the event's detail["people"], under the hash
    chain; these rows are its index, append-only like the events."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    person_id = models.CharField(max_length=64, db_index=True)

    objects = AuditQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.person_id} in event {self.event_id}"



class AuditHead(models.Model):
    """The chain's tip, one row: locking it serializes appends so that every event links to its predecessor."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
