"""ECM authorization requests (TAR) and their decisions, on the clocks of carehub.domain.deadlines.

`due_at` is computed once, when the request is received, from the plan's calendar as it was then: the worklist
sorts and filters on it with an index, and a later change of the holiday file does not move a running clock."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.apps.accounts.models import Organization
from carehub.apps.members.models import Member
from carehub.apps.referrals.models import Referral, Urgency


class AuthorizationKind(models.TextChoices):
    STANDARD = "STANDARD", "Reviewed by utilization management"
    CONTINUITY = "CONTINUITY", "Automatic for continuity (WPC, HHP, ECM in the last 6 months)"
    PRESUMPTIVE = "PRESUMPTIVE", "Presumptive, by a designated ECM provider; the plan confirms it (seed 003 8.e)"


class Program(models.TextChoices):
    """What is authorized; it decides the member's appeal rights (seed 003 8.f: Community Supports have plan-level
    grievance and appeal only, no State Fair Hearing)."""

    ECM = "ECM", "Enhanced Care Management"
    CS = "CS", "Community Supports"


class Decision(models.TextChoices):
    PENDING = "PENDING", "Waiting for a decision"
    APPROVED = "APPROVED", "Approved"
    MODIFIED = "MODIFIED", "Approved with changes"
    DENIED = "DENIED", "Denied"


class AuthorizationRequest(models.Model):
    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="authorization")
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="authorizations")
    kind = models.CharField(max_length=12, choices=AuthorizationKind.choices, default=AuthorizationKind.STANDARD)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    received_at = models.DateTimeField()
    clock_rule = models.CharField(max_length=40)
    due_at = models.DateTimeField()
    requested_months = models.PositiveSmallIntegerField(default=12)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reasons = models.TextField(blank=True, default="")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    notice_due_at = models.DateTimeField(null=True, blank=True)
    reassessment_due_at = models.DateTimeField(null=True, blank=True)
    program = models.CharField(max_length=4, choices=Program.choices, default=Program.ECM)
    # Presumptive authorization: the designated ECM provider that authorized, and the plan's confirmation.
    presumptive_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    # Reauthorization: the authorization this one continues, with the reassessment that supports it.
    renewal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="renewal")
    reassessment = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["decision", "due_at"], name="auth_decision_due_idx"),
                   models.Index(fields=["decision", "end_date"], name="auth_decision_end_idx")]

    def __str__(self) -> str:
        return f"authorization {self.pk} ({self.decision})"

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING

    @property
    def awaits_confirmation(self) -> bool:
        return self.kind == AuthorizationKind.PRESUMPTIVE and self.confirmed_at is None \
            and self.decision == Decision.APPROVED
