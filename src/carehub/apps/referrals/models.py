"""ECM referrals from every source and channel (issue 4; seed 004 VI.D.4-8; seed 000 II.d).

A referral keeps what the referrer sent (the member as they described them, the populations they believe apply with
their supporting facts) next to what the plan made of it (the matched member, duplicate link, outcome)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models

from carehub.apps.accounts.models import Organization
from carehub.apps.members.models import Member
from carehub.paths import data_dir


class ReferralSource(models.TextChoices):
    """Who refers: seed 004 VI.D.5 (a-u), plus the plan's own identification run (issue 4)."""

    PROVIDER = "PROVIDER", "Provider (primary care, specialist, clinic)"  # a
    ECM_PROVIDER = "ECM_PROVIDER", "ECM provider"  # a
    MEMBER = "MEMBER", "Member (self-referral)"  # b
    FAMILY = "FAMILY", "Family, guardian, caregiver or authorized representative"  # b
    PLAN_CARE_COORDINATION = "PLAN_CARE_COORDINATION", "Plan care coordination"  # c
    PLAN_DEPARTMENT = "PLAN_DEPARTMENT", "Plan department (claims, UM, pharmacy, member services, ...)"  # d
    COUNTY = "COUNTY", "County partner (health and human services, behavioral health, social services, ...)"  # e
    HOSPITAL = "HOSPITAL", "Hospital, including CCS Specialty Care Centers"  # f
    PROBATION = "PROBATION", "Probation or parole department"  # g
    NURSING_FACILITY = "NURSING_FACILITY", "Nursing home or skilled nursing facility"  # h
    HOME_HEALTH = "HOME_HEALTH", "Home health agency"  # i
    CBAS = "CBAS", "Community Based Adult Services provider"  # j
    HCBS_WAIVER = "HCBS_WAIVER", "Home and Community Based waiver provider"  # k
    AREA_AGENCY_ON_AGING = "AREA_AGENCY_ON_AGING", "Area Agency on Aging"  # l
    INDEPENDENT_LIVING = "INDEPENDENT_LIVING", "Center for Independent Living"  # m
    REGIONAL_CENTER = "REGIONAL_CENTER", "Regional Center"  # n
    SCHOOL = "SCHOOL", "School"  # o
    FOSTER_CARE = "FOSTER_CARE", "Local foster care office"  # p
    FIRST_5 = "FIRST_5", "First 5"  # q
    COMMUNITY_ORGANIZATION = "COMMUNITY_ORGANIZATION", "Community-based organization"  # a, r
    PERINATAL = "PERINATAL", "Local perinatal program"  # s
    CS_PROVIDER = "CS_PROVIDER", "Community Supports provider"  # t
    CORRECTIONAL = "CORRECTIONAL", "Correctional facility, prison, jail or youth facility"  # u
    IDENTIFIED = "IDENTIFIED", "Plan identification run"


class Channel(models.TextChoices):
    WEB = "WEB", "Staff or partner web form"
    MEMBER = "MEMBER", "Member request page"
    API = "API", "REST API"
    FILE = "FILE", "Batch file"
    IDENTIFIED = "IDENTIFIED", "Identification run"


class Urgency(models.TextChoices):
    ROUTINE = "ROUTINE", "Routine"
    EXPEDITED = "EXPEDITED", "Expedited"


class ReferralStatus(models.TextChoices):
    MATCH_REVIEW = "MATCH_REVIEW", "Member to be confirmed"
    OPEN = "OPEN", "Received, to be screened"
    LINKED = "LINKED", "Linked to the member's open referral"
    IN_AUTHORIZATION = "IN_AUTHORIZATION", "Sent for authorization"
    OTHER_CARE_OFFERED = "OTHER_CARE_OFFERED", "Not eligible: other care management offered"
    CLOSED = "CLOSED", "Closed"


# Referrals still being worked: a new referral for the same member is linked to one of these, not doubled.
OPEN_STATUSES = (ReferralStatus.MATCH_REVIEW, ReferralStatus.OPEN, ReferralStatus.IN_AUTHORIZATION)


class Referral(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    received_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=30, choices=ReferralSource.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    referrer_name = models.CharField(max_length=120)
    referrer_organization = models.CharField(max_length=200, blank=True, default="")
    referrer_phone = models.CharField(max_length=30, blank=True, default="")
    referrer_email = models.CharField(max_length=120, blank=True, default="")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_by_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    # The member as the referrer described them, and the member the plan matched.
    cin = models.CharField("CIN as given", max_length=32, blank=True, default="")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    member_phone = models.CharField(max_length=30, blank=True, default="")
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="referrals")
    match_note = models.CharField(max_length=200, blank=True, default="")
    populations = models.JSONField(default=list, blank=True)
    facts = models.TextField("supporting facts", blank=True, default="")
    # The ECM provider the member (or referrer) asks for: the assignment honours it first when it qualifies
    # (seed 000 II.f: "MCPs must follow Members' known preferences"; seed 004 VI.E.2).
    preferred_provider_npi = models.CharField(max_length=10, blank=True, default="")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, db_index=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="linked")
    outcome_note = models.TextField(blank=True, default="")
    referrer_message = models.TextField(blank=True, default="", help_text="What the referrer is told of the outcome.")
    # The sender's own id (batch file, API) so that sending the same referral again changes nothing.
    external_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="referral_status_received_idx"),
                   models.Index(fields=["member", "status"], name="referral_member_status_idx")]

    def __str__(self) -> str:
        return f"referral {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AttachmentStorage(FileSystemStorage):
    """Files under the data directory (resolved on every use, so CAREHUB_DATA_DIR decides, also in tests)."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(data_dir() / "attachments")

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(self.base_location)


def attachment_storage() -> AttachmentStorage:
    return AttachmentStorage()


def attachment_path(instance: ReferralAttachment, filename: str) -> str:
    # The stored name never carries what the sender called the file (it may name the member).
    return f"referrals/{instance.referral.reference}/{os.urandom(8).hex()}{Path(filename).suffix.lower()}"


class ReferralAttachment(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=attachment_storage, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"attachment {self.pk} of {self.referral_id}"
