"""The provider network: ECM, Community Supports and other providers, their sites and capacity; what the plan
records about each (contract, Medi-Cal enrollment or vetting, experience, subcontractors, capacity by county and
population), readiness applications with evidence and verdicts, and contracting exceptions (issue 5).

ProviderOrganization rows come from the plan's provider.csv (ingest); what provider relations staff maintain lives
in the models below it, so that a reload of provider.csv never overwrites it."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models

from carehub.domain.network import (
    CONTRACT_STATUSES,
    EFFORT_LEVELS,
    ENROLLMENT_STATUSES,
    EXCEPTION_KINDS,
    EXCEPTION_STATUSES,
    PROVIDER_KINDS,
    PROVIDER_TYPES,
    READINESS_VERDICTS,
    contract_in_force,
)


class ProviderOrganization(models.Model):
    """A provider organization or practitioner (input layout: provider). NPIs pass the Luhn check."""

    npi = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=[(k, k) for k in PROVIDER_KINDS], db_index=True)
    provider_type = models.CharField(max_length=40, blank=True, default="", choices=PROVIDER_TYPES.items())
    tin = models.CharField(max_length=9, blank=True, default="")
    phone = models.CharField(max_length=30, blank=True, default="")
    email = models.CharField(max_length=120, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    counties = models.JSONField(default=list)
    populations = models.JSONField(default=list)
    supports = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="providers"
    )
    row_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.name} ({self.npi})"

    def contracted_on(self, on: date) -> bool:
        """Contracted on `on`: its network record has a contract in force, or it has no record (provider.csv
        counts every ECM provider as contracted). Issue 5: "a provider qualifies when it is a contracted ECM
        provider"; the capacity workbook lists the contracted ones (seed 000 IV)."""
        try:
            rec = self.network
        except NetworkRecord.DoesNotExist:
            return True
        return contract_in_force(rec.contract_status, rec.contract_start, rec.contract_end, on)


class ProviderSite(models.Model):
    """A place where a provider organization serves members."""

    provider = models.ForeignKey(ProviderOrganization, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=200, blank=True, default="")
    county = models.CharField(max_length=40, blank=True, default="")
    phone = models.CharField(max_length=30, blank=True, default="")
    is_primary = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class CareManagerRole(models.TextChoices):
    """The care team roles an ECM provider's Lead Care Managers hold (issue 5; seed 000 II.g "Lead Care Manager";
    seed 004 VI.D.3)."""

    NURSE = "NURSE", "Nurse"
    SOCIAL_WORKER = "SOCIAL_WORKER", "Social worker"
    CARE_NAVIGATOR = "CARE_NAVIGATOR", "Care navigator"
    HOUSING_NAVIGATOR = "HOUSING_NAVIGATOR", "Housing navigator"
    COMMUNITY_HEALTH_WORKER = "CHW", "Community health worker"
    OTHER = "OTHER", "Other"


class CareManager(models.Model):
    """A person on an ECM provider's roster who can be a member's Lead Care Manager or care team member. Linked to
    a sign-in when they have one. Caseload is counted from their current member assignments (engagement app)."""

    provider = models.ForeignKey(ProviderOrganization, on_delete=models.PROTECT, related_name="care_managers")
    user = models.OneToOneField("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="care_manager")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=20, choices=CareManagerRole.choices)
    languages = models.JSONField(default=list, blank=True)
    populations = models.JSONField(default=list, blank=True)
    max_caseload = models.PositiveIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True, default="")
    email = models.CharField(max_length=120, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


def _choices(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    return list(vocabulary.items())


class NetworkRecord(models.Model):
    """What provider relations keep about a provider: contract status and dates, Medi-Cal enrollment or plan
    vetting (seed 003 item 7; seed 001 Q6), the experience flags of the Model of Care (seed 000 IV.1.b.xi-xii),
    whether it was a WPC Lead Entity or HHP CB-CME (seed 000 III.c), and the members the plan expects to assign
    (seed 000 IV.1.b.vii). A provider without a record counts as contracted (as provider.csv says)."""

    provider = models.OneToOneField(ProviderOrganization, on_delete=models.CASCADE, related_name="network")
    contract_status = models.CharField(max_length=20, choices=_choices(CONTRACT_STATUSES), default="PROSPECTIVE",
                                       db_index=True)
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    enrollment_status = models.CharField(max_length=20, choices=_choices(ENROLLMENT_STATUSES),
                                         default="VETTING_PENDING")
    enrollment_checked_on = models.DateField(null=True, blank=True)
    community_experience = models.BooleanField(default=False)
    population_experience = models.BooleanField(default=False)
    was_wpc_lead_entity = models.BooleanField(default=False)
    was_hhp_cb_cme = models.BooleanField(default=False)
    expected_assignments = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"network record of {self.provider_id}"


class Subcontractor(models.Model):
    """An entity an ECM provider subcontracts ECM services to (seed 004 VI.K): populations, service area, case
    ratio and capacity, and whether the agreement is on file for DHCS."""

    provider = models.ForeignKey(ProviderOrganization, on_delete=models.CASCADE, related_name="subcontractors")
    name = models.CharField(max_length=200)
    npi = models.CharField(max_length=10, blank=True, default="")
    counties = models.JSONField(default=list, blank=True)
    populations = models.JSONField(default=list, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    case_ratio = models.CharField(max_length=20, blank=True, default="")
    agreement_on_file = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["provider_id", "name"]

    def __str__(self) -> str:
        return self.name


class CapacityLine(models.Model):
    """How many members a provider can serve in one county and Population of Focus, and how many the plan expects
    to assign there (seed 000 IV.1.b.vi-x: capacity and expected assignments by county and population)."""

    provider = models.ForeignKey(ProviderOrganization, on_delete=models.CASCADE, related_name="capacity_lines")
    county = models.CharField(max_length=40)
    population = models.CharField(max_length=40)
    capacity = models.PositiveIntegerField(default=0)
    expected = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["provider_id", "county", "population"]
        constraints = [models.UniqueConstraint(fields=["provider", "county", "population"],
                                               name="one_capacity_line_per_county_population")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.county} {self.population}"


class ReadinessApplication(models.Model):
    """A provider's ECM readiness application (seed 002 slides 5-6): one self-assessment answer per program area,
    evidence files, the plan's compliance verdict with reasons, and dated check-ins."""

    provider = models.OneToOneField(ProviderOrganization, on_delete=models.CASCADE, related_name="readiness")
    submitted_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=30, choices=_choices(READINESS_VERDICTS), default="PENDING")
    verdict_reasons = models.TextField(blank=True, default="")
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"readiness of {self.provider_id} ({self.verdict})"


class ReadinessAnswer(models.Model):
    """The provider's response and self-assessed effort for one program area, and the plan's internal
    'compliant' mark (seed 002 slide 6)."""

    application = models.ForeignKey(ReadinessApplication, on_delete=models.CASCADE, related_name="answers")
    area = models.CharField(max_length=40)
    response = models.TextField(blank=True, default="")
    effort = models.CharField(max_length=10, choices=_choices(EFFORT_LEVELS), blank=True, default="")
    compliant = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "area"], name="one_answer_per_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.effort}"


class ReadinessEvidence(models.Model):
    """A file a provider submitted as evidence, stored under the data directory (providers.storage)."""

    application = models.ForeignKey(ReadinessApplication, on_delete=models.CASCADE, related_name="evidence")
    area = models.CharField(max_length=40, blank=True, default="")
    file = models.CharField(max_length=300)  # the name in evidence_storage()
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["area", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class ReadinessCheckIn(models.Model):
    """A dated note of a check-in between the plan and the provider (every two weeks, seed 002 slide 5)."""

    application = models.ForeignKey(ReadinessApplication, on_delete=models.CASCADE, related_name="check_ins")
    on = models.DateField()
    note = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"check-in {self.on}"


class ContractingException(models.Model):
    """A request to DHCS not to contract with a WPC Lead Entity or HHP CB-CME, with a permissible reason (seed 000
    III.c; seed 004 VI.G.2.a), or to provide ECM with the plan's own staff (seed 000 II.b), and its review."""

    kind = models.CharField(max_length=20, choices=_choices(EXCEPTION_KINDS))
    provider = models.ForeignKey(ProviderOrganization, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="contracting_exceptions")
    entity_name = models.CharField(max_length=200)
    county = models.CharField(max_length=40, blank=True, default="")
    populations = models.JSONField(default=list, blank=True)
    reason = models.CharField(max_length=40, blank=True, default="")
    explanation = models.TextField()
    status = models.CharField(max_length=12, choices=_choices(EXCEPTION_STATUSES), default="DRAFT", db_index=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} exception: {self.entity_name}"
