"""Written notices of authorization decisions, the member's authorized representatives, and grievances and
appeals with their clocks (issue 4; seed 001 Q7; seed 003 8.f).

A notice keeps the exact PDF that was sent (bytes and sha256), so it can be printed again byte for byte whatever
happens later to the templates, the WeasyPrint version or the member's address."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.apps.authorizations.models import AuthorizationRequest, Program
from carehub.apps.members.models import Member


class NoticeKind(models.TextChoices):
    APPROVAL = "APPROVAL", "Approval notice"
    DENIAL = "DENIAL", "Notice of Action: denial"
    MODIFICATION = "MODIFICATION", "Notice of Action: modification"
    DISCONTINUATION = "DISCONTINUATION", "Notice of Action: discontinuation"  # reserved: discontinuation workflow


class Recipient(models.TextChoices):
    MEMBER = "MEMBER", "Member"
    REPRESENTATIVE = "REPRESENTATIVE", "Authorized representative"
    REFERRER = "REFERRER", "Referrer (copy without protected details)"


class Representative(models.Model):
    """A person the member named to act for them (guardian, conservator, family member, advocate). Notices are
    addressed to the current representative instead of the member."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="representatives")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=80, blank=True, default="")
    state = models.CharField(max_length=2, blank=True, default="")
    zip_code = models.CharField(max_length=10, blank=True, default="")
    preferred_language = models.CharField(max_length=40, blank=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"representative {self.pk} of {self.member_id}"


class Notice(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    authorization = models.ForeignKey(AuthorizationRequest, on_delete=models.PROTECT, related_name="notices")
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="notices")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    recipient = models.CharField(max_length=16, choices=Recipient.choices)
    addressee = models.CharField(max_length=200)
    language = models.CharField(max_length=5)
    program = models.CharField(max_length=4, choices=Program.choices)
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["-issued_at", "pk"]
        # One decision notice per recipient (issuing is idempotent); a discontinuation notice per discontinuation,
        # several over an authorization's life (after a withdrawal or an appeal).
        constraints = [models.UniqueConstraint(fields=["authorization", "kind", "recipient"],
                                               condition=~models.Q(kind="DISCONTINUATION"),
                                               name="notice_one_per_decision_recipient")]
        indexes = [models.Index(fields=["member", "issued_at"], name="notice_member_issued_idx")]

    def __str__(self) -> str:
        return f"notice {self.reference} ({self.kind}, {self.recipient})"

    @property
    def on_time(self) -> bool | None:
        return None if self.due_at is None else self.issued_at <= self.due_at


class CaseKind(models.TextChoices):
    GRIEVANCE = "GRIEVANCE", "Grievance"
    APPEAL = "APPEAL", "Appeal of a decision"


class CaseStatus(models.TextChoices):
    RECEIVED = "RECEIVED", "Received, to be acknowledged"
    ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged, in review"
    RESOLVED = "RESOLVED", "Resolved"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


OPEN_CASE_STATUSES = (CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED)


class Outcome(models.TextChoices):
    UPHELD = "UPHELD", "Decision upheld"
    OVERTURNED = "OVERTURNED", "Decision overturned"
    PARTIALLY_OVERTURNED = "PARTIAL", "Decision partly overturned"
    RESOLVED = "RESOLVED", "Grievance resolved"


class Case(models.Model):
    """A grievance or an appeal, tracked to resolution on its own clocks (carehub.domain.deadlines)."""

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="cases")
    authorization = models.ForeignKey(AuthorizationRequest, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="cases")
    program = models.CharField(max_length=4, choices=Program.choices, default=Program.ECM)
    expedited = models.BooleanField(default=False)
    filed_by = models.CharField(max_length=120, help_text="Who filed: the member, a representative, a provider.")
    summary = models.TextField()
    received_at = models.DateTimeField()
    acknowledgement_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField()
    next_due_at = models.DateTimeField(null=True, blank=True, help_text="The nearest open clock (worklist order).")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True, default="")
    resolution = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["next_due_at", "pk"]
        indexes = [models.Index(fields=["status", "next_due_at"], name="case_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.kind.lower()} {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES
