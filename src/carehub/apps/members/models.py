"""The operational member record: who the member is, their Medi-Cal coverage, programs and circumstances.

Rows loaded from the plan data folder carry `row_key` (a hash of the row's natural key, unique per table) and
`row_hash` (a hash of its content), so a reload inserts what is new, updates what changed, removes what is gone
and leaves everything else untouched (carehub.ingest.operational).
"""

from __future__ import annotations

from django.db import models


class Member(models.Model):
    """A Medi-Cal member of the plan. Demographics come from the member's latest eligibility span."""

    person_id = models.CharField(max_length=64, unique=True)
    member_id = models.CharField("CIN", max_length=32, db_index=True)
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="", db_index=True)
    birth_date = models.DateField(db_index=True)
    death_date = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True, default="")
    race = models.CharField(max_length=60, blank=True, default="")
    ethnicity = models.CharField(max_length=60, blank=True, default="")
    preferred_language = models.CharField(max_length=40, blank=True, default="")
    county = models.CharField(max_length=40, blank=True, default="", db_index=True)
    address = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=80, blank=True, default="")
    state = models.CharField(max_length=2, blank=True, default="")
    zip_code = models.CharField(max_length=10, blank=True, default="")
    phone = models.CharField(max_length=30, blank=True, default="")
    email = models.CharField(max_length=120, blank=True, default="")
    aid_code = models.CharField(max_length=4, blank=True, default="")
    pcp_npi = models.CharField(max_length=10, blank=True, default="")
    row_hash = models.CharField(max_length=64, default="")

    class Meta:
        indexes = [models.Index(fields=["last_name", "first_name"], name="member_name_idx")]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.member_id})"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.member_id


class LoadedRow(models.Model):
    """Shared columns of every table loaded from the plan data folder."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.CASCADE)
    row_key = models.CharField(max_length=64, unique=True)
    row_hash = models.CharField(max_length=64)

    class Meta:
        abstract = True


class EligibilitySpan(LoadedRow):
    """One Medi-Cal enrollment span with the plan (input layout: eligibility). An open span has no end date."""

    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    payer = models.CharField(max_length=60, blank=True, default="")
    plan = models.CharField(max_length=60, blank=True, default="")
    county = models.CharField(max_length=40, blank=True, default="")
    aid_code = models.CharField(max_length=4, blank=True, default="")
    pcp_npi = models.CharField(max_length=10, blank=True, default="")
    dual_status_code = models.CharField(max_length=4, blank=True, default="")
    data_source = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"eligibility {self.start_date}..{self.end_date or 'open'}"



class PcpAssignment(LoadedRow):
    """The member's assigned primary care provider over a period (from eligibility pcp_npi)."""

    pcp_npi = models.CharField(max_length=10, db_index=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"PCP {self.pcp_npi} from {self.start_date}"



class ProgramEnrollment(LoadedRow):
    """Participation in a program (WPC, HHP, SMHS, CCS, foster care, waivers, ...): input layout program_enrollment."""

    program = models.CharField(max_length=30, db_index=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True, default="")
    detail = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.program} from {self.start_date}"



class HousingEpisode(LoadedRow):
    """A housing status episode, e.g. from HMIS (input layout housing_status)."""

    status = models.CharField(max_length=30)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True, default="")
    household_with_minors = models.BooleanField(null=True)

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.status} from {self.start_date}"



class Incarceration(LoadedRow):
    """A stay in prison, jail or a youth facility, with its release (input layout incarceration)."""

    facility_type = models.CharField(max_length=10)
    admission_date = models.DateField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    expected_release_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["-admission_date"]

    def __str__(self) -> str:
        return f"{self.facility_type} admitted {self.admission_date}"



class Assessment(LoadedRow):
    """One assessment finding (ACEs score, level of care, risk flags, HRA): input layout assessment."""

    kind = models.CharField(max_length=40)
    value = models.TextField(blank=True, default="")
    assessed_on = models.DateField()
    source = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["-assessed_on"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.assessed_on}"



class RelationshipKind(models.TextChoices):
    PROGRAM = "PROGRAM", "Program provider (WPC lead entity, HHP CB-CME, ECM, behavioral health, CCS)"
    PCP = "PCP", "Assigned primary care provider"
    ASSIGNED = "ASSIGNED", "Assigned ECM provider"
    REFERRED = "REFERRED", "Referred to this provider"


class CareRelationship(LoadedRow):
    """A provider organization's relationship to a member. Provider staff see exactly the members their
    organization has a current relationship with (DESIGN.md 'Access and audit'). Loads derive PROGRAM and PCP
    relationships; assignment and referral services add ASSIGNED and REFERRED ones."""

    provider_npi = models.CharField(max_length=10)  # indexed by carerel_npi_end_idx (its first column)
    kind = models.CharField(max_length=10, choices=RelationshipKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["provider_npi", "end_date"], name="carerel_npi_end_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.provider_npi} from {self.start_date}"
