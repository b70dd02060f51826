"""ECM provider work on one assignment: enrollment, outreach attempts, the Lead Care Manager (with history),
core-service activities and the member's multidisciplinary care team.

Everything hangs off `assignments.Assignment` (one member with one ECM provider), so that a provider's scope
(its open assignments) is also the scope of this work. Sources: seed 000 II.g-j; seed 003 1.c, 12.a; seed 004
VI.A.2, VI.D.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from carehub.apps.assignments.models import Assignment
from carehub.apps.providers.models import CareManager


class EnrollmentStatus(models.TextChoices):
    """Where the member is in ECM with this provider (seed 000 II.g-i; seed 004 VI.A.2: the member may decline or
    stop at any time, including at first contact)."""

    OUTREACH = "OUTREACH", "Outreach"
    ENROLLED = "ENROLLED", "Enrolled"
    DECLINED = "DECLINED", "Declined"
    UNREACHABLE = "UNREACHABLE", "Unreachable"
    STOPPED = "STOPPED", "Stopped"
    DISCONTINUED = "DISCONTINUED", "Discontinued"


# Statuses that keep the member on the provider's active worklist.
ACTIVE_STATUSES = (EnrollmentStatus.OUTREACH, EnrollmentStatus.ENROLLED)


class Enrollment(models.Model):
    """The member's engagement with the provider on one assignment: each transition's date and who recorded it.
    A missing row means outreach has not started being recorded (status OUTREACH)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="enrollment")
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.OUTREACH,
                              db_index=True)
    outreach_started_on = models.DateField(null=True, blank=True)
    enrolled_on = models.DateField(null=True, blank=True)
    declined_on = models.DateField(null=True, blank=True)
    unreachable_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    discontinued_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    # The member's stated contact preference (seed 000 II.g: other modalities "to reflect a Member's stated contact
    # preferences"); blank means in person first.
    preferred_method = models.CharField(max_length=10, blank=True, default="")
    # The plan's answer to an unreachable or declining member: routed to other care management (seed 000 II.g ix).
    routed_on = models.DateField(null=True, blank=True)
    routed_to = models.CharField(max_length=200, blank=True, default="")
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    def __str__(self) -> str:
        return f"enrollment on assignment {self.assignment_id} ({self.status})"


class LeadCareManagerAssignment(models.Model):
    """One period a care manager was the member's Lead Care Manager (seed 000 II.h.2; seed 004 VI.D.3). Switching
    ends the current row and starts a new one, so the history is kept."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="lead_care_managers")
    care_manager = models.ForeignKey(CareManager, on_delete=models.PROTECT, related_name="lead_assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    member_requested = models.BooleanField(default=False)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    end_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "-start_date", "-pk"]
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=Q(end_date__isnull=True),
                                               name="one_current_lead_care_manager")]
        indexes = [models.Index(fields=["care_manager", "end_date"], name="lcm_caseload_idx")]

    def __str__(self) -> str:
        return f"LCM {self.care_manager_id} on assignment {self.assignment_id}"


class OutreachMethod(models.TextChoices):
    """Modalities of seed 000 II.g, in-person first."""

    IN_PERSON = "IN_PERSON", "In person"
    PHONE = "PHONE", "Phone"
    TEXT = "TEXT", "Text"
    EMAIL = "EMAIL", "Email"
    MAIL = "MAIL", "Mail"
    OTHER = "OTHER", "Other"


class OutreachOutcome(models.TextChoices):
    REACHED_ENGAGED = "REACHED_ENGAGED", "Reached, engaged"
    REACHED_DECLINED = "REACHED_DECLINED", "Reached, declined"
    NO_ANSWER = "NO_ANSWER", "No answer"
    LEFT_MESSAGE = "LEFT_MESSAGE", "Left message"
    WRONG_CONTACT = "WRONG_CONTACT", "Wrong contact information"
    OTHER = "OTHER", "Other"


class RecordSource(models.TextChoices):
    APP = "APP", "Recorded in CareHub"
    OTF = "OTF", "Outreach Tracker File"


class OutreachAttempt(models.Model):
    """One attempt to reach the member (seed 000 II.g; seed 003 12.a: outreach is a core service the plan reports
    to DHCS). Rows imported from an OTF carry the report's key, so re-importing changes nothing."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="outreach_attempts")
    attempted_on = models.DateField()
    method = models.CharField(max_length=10, choices=OutreachMethod.choices)
    location = models.CharField(max_length=200, blank=True, default="")
    outcome = models.CharField(max_length=20, choices=OutreachOutcome.choices)
    minutes = models.PositiveIntegerField(default=0)
    care_manager = models.ForeignKey(CareManager, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="outreach_attempts")
    staff_name = models.CharField(max_length=120, blank=True, default="")
    note = models.TextField(blank=True, default="")
    source = models.CharField(max_length=3, choices=RecordSource.choices, default=RecordSource.APP)
    source_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "attempted_on", "pk"]
        indexes = [models.Index(fields=["assignment", "attempted_on"], name="outreach_assignment_day_idx")]

    def __str__(self) -> str:
        return f"outreach {self.attempted_on} {self.method} {self.outcome}"


class CoreService(models.TextChoices):
    """The six ECM core service components plus outreach (seed 000 II.j; seed 003 12.a; seed 004 VI.D.5)."""

    OUTREACH = "OUTREACH", "Outreach and engagement"
    ASSESSMENT_CARE_PLAN = "ASSESSMENT", "Comprehensive assessment and care management plan"
    COORDINATION = "COORDINATION", "Enhanced coordination of care"
    HEALTH_PROMOTION = "HEALTH_PROMOTION", "Health promotion"
    TRANSITIONAL_CARE = "TRANSITIONAL", "Comprehensive transitional care"
    MEMBER_FAMILY_SUPPORTS = "SUPPORTS", "Member and family supports"
    COMMUNITY_REFERRAL = "REFERRAL", "Coordination of and referral to community and social support services"


class ActivityMode(models.TextChoices):
    """In person first; telehealth (video or telephone) supplements it with the member's consent (seed 003 1.c;
    seed 004 VI.D.1)."""

    IN_PERSON = "IN_PERSON", "In person"
    VIDEO = "VIDEO", "Telehealth: video"
    TELEPHONE = "TELEPHONE", "Telehealth: telephone"

    @classmethod
    def telehealth(cls) -> frozenset[str]:
        return frozenset({cls.VIDEO.value, cls.TELEPHONE.value})


class Activity(models.Model):
    """One core-service activity delivered to an enrolled member."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="ecm_activities")
    occurred_on = models.DateField()
    component = models.CharField(max_length=20, choices=CoreService.choices)
    mode = models.CharField(max_length=10, choices=ActivityMode.choices)
    minutes = models.PositiveIntegerField()
    care_manager = models.ForeignKey(CareManager, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="activities")
    staff_name = models.CharField(max_length=120, blank=True, default="")
    note = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "occurred_on", "pk"]
        indexes = [models.Index(fields=["assignment", "occurred_on"], name="activity_assignment_day_idx")]

    def __str__(self) -> str:
        return f"{self.component} on {self.occurred_on}"


class CareTeamRole(models.TextChoices):
    """Who is on the member's multidisciplinary care team (seed 004 VI.D.4, VI.D.5.d)."""

    ROSTER = "ROSTER", "Provider care team member"
    PCP = "PCP", "Primary care provider"
    BEHAVIORAL_HEALTH = "BEHAVIORAL", "Behavioral health provider"
    OTHER_CARE_MANAGER = "OTHER_CM", "Other care manager"
    OTHER = "OTHER", "Other"


class CareTeamMember(models.Model):
    """One person or organization on the member's care team: a roster member (care_manager) or someone outside
    the provider (name, organization, contact) the Lead Care Manager coordinates with."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="care_team")
    role = models.CharField(max_length=12, choices=CareTeamRole.choices)
    care_manager = models.ForeignKey(CareManager, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="care_teams")
    name = models.CharField(max_length=120, blank=True, default="")
    organization = models.CharField(max_length=200, blank=True, default="")
    npi = models.CharField(max_length=10, blank=True, default="")
    contact = models.CharField(max_length=200, blank=True, default="")
    note = models.TextField(blank=True, default="")
    added_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["assignment_id", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on assignment {self.assignment_id}"

    @property
    def display_name(self) -> str:
        return self.care_manager.name if self.care_manager_id and self.care_manager else self.name

    @property
    def contact_text(self) -> str:
        if self.contact or not (self.care_manager_id and self.care_manager):
            return self.contact
        return " ".join(x for x in (self.care_manager.phone, self.care_manager.email) if x)
