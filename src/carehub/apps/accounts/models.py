"""Organizations (the plan and its contracted providers) and the people who sign in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class OrganizationKind(models.TextChoices):
    PLAN = "PLAN", "Managed care plan"
    ECM_PROVIDER = "ECM_PROVIDER", "ECM provider"
    CS_PROVIDER = "CS_PROVIDER", "Community Supports provider"


class Organization(models.Model):
    """A party that users work for. Provider organizations link to their network record by NPI."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    npi = models.CharField(max_length=10, blank=True, default="", db_index=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_plan(self) -> bool:
        return self.kind == OrganizationKind.PLAN


class Role(models.TextChoices):
    """The roles of DESIGN.md 'Who uses it'. Navigation and access follow from the role."""

    PLAN_CARE_COORDINATION = "PLAN_CARE_COORDINATION", "Plan care coordination"
    PLAN_UTILIZATION_MANAGEMENT = "PLAN_UM", "Plan utilization management"
    PLAN_PROVIDER_RELATIONS = "PLAN_PROVIDER_RELATIONS", "Plan provider relations"
    PLAN_COMPLIANCE_FINANCE = "PLAN_COMPLIANCE", "Plan compliance and finance"
    PLAN_ADMIN = "PLAN_ADMIN", "Plan administrator"
    ECM_PROVIDER_STAFF = "ECM_PROVIDER_STAFF", "ECM provider staff"
    LEAD_CARE_MANAGER = "LEAD_CARE_MANAGER", "Lead Care Manager"
    CS_PROVIDER_STAFF = "CS_PROVIDER_STAFF", "Community Supports provider staff"
    MEMBER = "MEMBER", "Member"


PLAN_ROLES = frozenset(
    {
        Role.PLAN_CARE_COORDINATION,
        Role.PLAN_UTILIZATION_MANAGEMENT,
        Role.PLAN_PROVIDER_RELATIONS,
        Role.PLAN_COMPLIANCE_FINANCE,
        Role.PLAN_ADMIN,
    }
)
PROVIDER_ROLES = frozenset({Role.ECM_PROVIDER_STAFF, Role.LEAD_CARE_MANAGER, Role.CS_PROVIDER_STAFF})


class User(AbstractUser):
    """A person who signs in: plan staff, provider staff, or a member (linked to their member record)."""

    role = models.CharField(max_length=30, choices=Role.choices)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT)
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="portal_user"
    )

    @property
    def is_plan_staff(self) -> bool:
        return self.role in PLAN_ROLES

    @property
    def is_provider_staff(self) -> bool:
        return self.role in PROVIDER_ROLES

    @property
    def is_member(self) -> bool:
        return self.role == Role.MEMBER


class LoginThrottle(models.Model):
    """Failed sign-ins per username, so that guessing passwords or codes locks the name for a while.

    Keyed by the typed username (existing or not) so that the response never reveals whether an account exists.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username}: {self.failures} failures"
