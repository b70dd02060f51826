"""Comprehensive assessments and Individualized Care Plans (seed 004 VI.D.5.b-c).

A plan edits assessment templates as numbered versions (the shipped default is loaded from
carehub/domain/careplan_assessment_template.json). An assessment keeps the template version it used, its answers,
the plan's Health Risk Assessment results shown to the provider, and who completed it when. A care plan is a
working draft; each finalization writes an immutable CarePlanVersion (the member's copy is rendered from it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.apps.members.models import Member


class AssessmentTemplate(models.Model):
    """One version of a plan-editable comprehensive assessment template: sections with questions per domain."""

    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    content = models.JSONField()
    note = models.CharField(max_length=300, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="careplan_template_version_uniq")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class AssessmentStatus(models.TextChoices):
    DRAFT = "DRAFT", "In progress"
    COMPLETED = "COMPLETED", "Completed"


class ComprehensiveAssessment(models.Model):
    """A comprehensive assessment of a member by their ECM provider (seed 004 VI.D.5.b)."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="comprehensive_assessments")
    provider_npi = models.CharField(max_length=10, blank=True, default="")
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField(default=dict, blank=True)
    # The HRA rows (members.Assessment kind HRA) shown when the assessment was completed, for the record.
    hra_shown = models.JSONField(default=list, blank=True)
    ltss_needs = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    completed_on = models.DateField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        indexes = [models.Index(fields=["member", "status", "completed_on"], name="careplan_assess_member_idx")]

    def __str__(self) -> str:
        return f"assessment {self.pk} ({self.status})"


class PlanStatus(models.TextChoices):
    DRAFT = "DRAFT", "Draft (not yet shared)"
    FINAL = "FINAL", "Finalized"


class CarePlan(models.Model):
    """A member's Individualized Care Plan with one ECM provider: the working draft plus its finalized versions."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="care_plans")
    provider_npi = models.CharField(max_length=10, blank=True, default="", db_index=True)
    assessment = models.ForeignKey(ComprehensiveAssessment, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    ltss_needs = models.BooleanField(default=False)
    draft = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "closed_at"], name="careplan_member_open_idx")]

    def __str__(self) -> str:
        return f"care plan {self.pk}"

    def latest_version(self) -> CarePlanVersion | None:
        return self.versions.order_by("-number").first()


class ImmutableVersion(Exception):
    """A finalized care plan version is never changed: a new save makes a new version."""


class CarePlanVersion(models.Model):
    """A finalized care plan, frozen: content, who finalized it and when. Never updated or deleted."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    ltss_needs = models.BooleanField(default=False)
    finalized_at = models.DateTimeField()
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    summary = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["care_plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["care_plan", "number"], name="careplan_version_uniq")]

    def __str__(self) -> str:
        return f"care plan {self.care_plan_id} v{self.number}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ImmutableVersion("a finalized care plan version cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ImmutableVersion("a finalized care plan version cannot be deleted")


class RequestStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    DONE = "DONE", "Done"


class UpdateRequest(models.Model):
    """The member asks for their care plan to be updated (seed 004 VI.D.5.b.3.f, VI.D.5.c.4)."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="update_requests")
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField()
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(max_length=6, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"update request {self.pk} ({self.status})"
