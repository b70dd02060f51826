"""ECM discontinuation and graduation: the provider's request with its reason and evidence, the plan's review
(confirm or send back), the Notice of Action it issues, and the transition to a lower level of care.

Reasons and their rules are carehub.domain.discontinuation (seed 004 VI.F.1). One request per assignment may be
open at a time; a request sent back stays as history and the provider files a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from carehub.apps.assignments.models import Assignment
from carehub.apps.members.models import Member
from carehub.apps.notices.models import Case, Notice
from carehub.domain.discontinuation import Reason, default_reasons

REASON_CHOICES = [(r.value, rule.label) for r, rule in default_reasons().items()]


class Status(models.TextChoices):
    REQUESTED = "REQUESTED", "Requested, waiting for the plan"
    SENT_BACK = "SENT_BACK", "Sent back to the provider"
    CONFIRMED = "CONFIRMED", "Confirmed by the plan"
    WITHDRAWN = "WITHDRAWN", "Withdrawn by the plan before ECM ended"


class Origin(models.TextChoices):
    PROVIDER = "PROVIDER", "ECM provider"
    MEMBER = "MEMBER", "Member (portal)"
    PLAN = "PLAN", "Plan"
    RETURN_FILE = "RTF", "ECM provider's return file (RTF)"


class DiscontinuationQuerySet(models.QuerySet):
    def ending(self) -> DiscontinuationQuerySet:
        """Confirmed, and ECM not ended yet: before the date of action, or held by a timely appeal."""
        return self.filter(status=Status.CONFIRMED, ended_on__isnull=True, reversed_on_appeal=False)


class Discontinuation(models.Model):
    """A request to end a member's ECM, for one reason of seed 004 VI.F.1, and what the plan did with it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="discontinuations")
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="discontinuations")
    provider_npi = models.CharField(max_length=10, db_index=True)
    reason = models.CharField(max_length=30, choices=REASON_CHOICES)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.PROVIDER)
    evidence = models.TextField(blank=True, default="")
    # An optional supporting file, kept in the database like the notices' PDFs (checked type and size).
    evidence_file = models.BinaryField(null=True, blank=True)
    evidence_filename = models.CharField(max_length=200, blank=True, default="")
    evidence_content_type = models.CharField(max_length=60, blank=True, default="")
    evidence_sha256 = models.CharField(max_length=64, blank=True, default="")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")
    # The date of action: the day ECM ends, at least 10 days after the notice unless an exception of 42 CFR
    # 431.213 applies (carehub.domain.discontinuation.ends_on). ECM goes on until `ended_on` is set.
    effective_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # A timely appeal keeps ECM going while it is open (42 CFR 438.420); overturned, ECM does not end.
    appeal = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reversed_on_appeal = models.BooleanField(default=False)
    needs_notice = models.BooleanField(default=True)
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Transition to a lower level of care or an alternative program (seed 004 VI.F.1.j), when the reason plans one.
    transition_due_on = models.DateField(null=True, blank=True)
    transition_to = models.CharField(max_length=200, blank=True, default="")
    transition_completed_on = models.DateField(null=True, blank=True)
    transition_note = models.TextField(blank=True, default="")

    objects = DiscontinuationQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=Q(status="REQUESTED"),
                                               name="one_open_discontinuation_per_assignment")]
        indexes = [models.Index(fields=["status", "requested_at"], name="discontinuation_status_idx"),
                   models.Index(fields=["transition_due_on"], name="discontinuation_transition_idx"),
                   models.Index(fields=["effective_on"], condition=Q(status="CONFIRMED", ended_on__isnull=True),
                                name="discontinuation_ending_idx")]

    def __str__(self) -> str:
        return f"discontinuation {self.pk} ({self.reason}, {self.status})"

    @property
    def reason_rule(self):
        return default_reasons()[Reason(self.reason)]

    @property
    def ending(self) -> bool:
        """Confirmed, and ECM still goes on until the date of action (or while a timely appeal is open)."""
        return self.status == Status.CONFIRMED and self.ended_on is None and not self.reversed_on_appeal

    @property
    def has_file(self) -> bool:
        return bool(self.evidence_sha256)
