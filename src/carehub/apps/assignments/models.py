"""Assignment of authorized members to ECM providers, members' requests to change provider, and what providers
send back in their exchange files (RTF, OTF; spec/dhcs-interchange.md).

An assignment owns the ASSIGNED CareRelationship it wrote: while the assignment is open the provider's staff see
the member (members.selectors.visible_members); ending the assignment ends the relationship.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from carehub.apps.authorizations.models import AuthorizationRequest
from carehub.apps.members.models import CareRelationship, Member


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "ASSIGNED", "Assigned, waiting for the provider"
    ACCEPTED = "ACCEPTED", "Accepted by the provider"
    RETURNED = "RETURNED", "Returned by the provider (to reassign)"
    ENDED = "ENDED", "Ended"


OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.ACCEPTED)


class Assignment(models.Model):
    """One member assigned to one ECM provider, with the rule that decided it and the alternatives considered
    (carehub.domain.assignment). `due_by` is the end of the assignment clock (10 working days from the
    authorization decision, carehub.domain.deadlines 'assignment')."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="ecm_assignments")
    provider_npi = models.CharField(max_length=10, db_index=True)
    authorization = models.ForeignKey(AuthorizationRequest, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="assignments")
    population = models.CharField(max_length=40, blank=True, default="")
    rule = models.CharField(max_length=30)
    alternatives = models.JSONField(default=list, blank=True)
    assigned_at = models.DateTimeField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    due_by = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.ASSIGNED)
    responded_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True, default="")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True, default="")
    relationship = models.OneToOneField(CareRelationship, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="assignment")
    # What the provider last reported in its Return Transmission File (RTF).
    ecm_status = models.CharField(max_length=40, blank=True, default="")
    enrollment_start = models.DateField(null=True, blank=True)
    care_plan_revised_on = models.DateField(null=True, blank=True)
    last_encounter_on = models.DateField(null=True, blank=True)
    lead_care_manager_name = models.CharField(max_length=120, blank=True, default="")
    lead_care_manager_phone = models.CharField(max_length=30, blank=True, default="")
    lead_care_manager_email = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member"], condition=Q(status__in=["ASSIGNED", "ACCEPTED"]),
                                               name="one_open_assignment_per_member")]
        indexes = [models.Index(fields=["provider_npi", "status"], name="assignment_npi_status_idx")]

    def __str__(self) -> str:
        return f"assignment {self.pk} to {self.provider_npi} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def on_time(self) -> bool | None:
        return None if self.due_by is None else self.assigned_at <= self.due_by


class ChangeChannel(models.TextChoices):
    PHONE = "PHONE", "Phone"
    MAIL = "MAIL", "Mail"
    PORTAL = "PORTAL", "Member portal"


class ChangeStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    COMPLETED = "COMPLETED", "Completed"


class ProviderChangeRequest(models.Model):
    """A member's request to change ECM provider, acknowledged on receipt and completed within 30 days (clock
    'provider-change': seed 000 II.f; seed 004 VI.E.3), sooner when the member's needs require it."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="provider_change_requests")
    from_assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="change_requests")
    requested_npi = models.CharField(max_length=10, blank=True, default="")
    channel = models.CharField(max_length=10, choices=ChangeChannel.choices)
    reason = models.TextField(blank=True, default="")
    urgent = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    new_assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")

    def __str__(self) -> str:
        return f"provider change request {self.pk} ({self.status})"


class FileKind(models.TextChoices):
    MIF = "MIF", "Member Information File"
    RTF = "RTF", "Return Transmission File"
    OTF = "OTF", "Outreach Tracker File"


class ExchangeFile(models.Model):
    """One exchange file written or received, with its digest and the outcome of its validation."""

    kind = models.CharField(max_length=3, choices=FileKind.choices)
    provider_npi = models.CharField(max_length=10, blank=True, default="", db_index=True)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    period = models.CharField(max_length=7, blank=True, default="")
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=150, blank=True, default="")
    rows = models.PositiveIntegerField(default=0)
    accepted = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True)
    changed = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class ProviderReport(models.Model):
    """A row a provider reported (RTF or OTF), keyed by its natural key so that re-importing the same row changes
    nothing. Holds every column, including those no model carries yet (outreach, closed-loop referral status)."""

    kind = models.CharField(max_length=3, choices=FileKind.choices)
    provider_npi = models.CharField(max_length=10, db_index=True)
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="provider_reports")
    row_key = models.CharField(max_length=64, unique=True)
    row_hash = models.CharField(max_length=64)
    data = models.JSONField(default=dict)
    reported_on = models.DateField(null=True, blank=True)
    source_file = models.ForeignKey(ExchangeFile, on_delete=models.PROTECT, related_name="reports")
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["member", "kind"], name="provider_report_member_idx")]

    def __str__(self) -> str:
        return f"{self.kind} row from {self.provider_npi}"
