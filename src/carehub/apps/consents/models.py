"""Data-sharing authorizations (42 CFR Part 2), communication consents and authorized support persons.

A `Consent` row is one signed authorization or consent: a release of information (DATA_SHARING, with the
categories it covers, Part 2 SUD records among them), a 42 CFR Part 2 consent (PART2), consent to communicate
electronically, or consent to telehealth (seed 003 1.c, 1.d). Rules about when a row is in force and whom it
covers live in carehub.domain.consent; rows are never deleted, a revocation is recorded on the row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carehub.apps.accounts.models import Organization
from carehub.apps.members.models import Member
from carehub.domain import consent as policy


class ConsentKind(models.TextChoices):
    DATA_SHARING = policy.DATA_SHARING, "Data-sharing authorization (release of information)"
    PART2 = policy.PART2, "42 CFR Part 2 consent (substance use disorder records)"
    ELECTRONIC_COMMUNICATION = policy.ELECTRONIC_COMMUNICATION, "Consent to communicate electronically"
    TELEHEALTH = policy.TELEHEALTH, "Consent to telehealth"


class Category(models.TextChoices):
    GENERAL = policy.CATEGORY_GENERAL, "General health information"
    MENTAL_HEALTH = policy.CATEGORY_MENTAL_HEALTH, "Mental health"
    HIV = policy.CATEGORY_HIV, "HIV / AIDS"
    PART2_SUD = policy.CATEGORY_PART2_SUD, "Substance use disorder records (42 CFR Part 2)"


class RecipientClass(models.TextChoices):
    NONE = "", "No class (named recipients only)"
    CARE_TEAM = policy.CLASS_CARE_TEAM, "My care team (providers with a current treating relationship)"


class Purpose(models.TextChoices):
    TPO = "TPO", "Treatment, payment and health care operations"
    TREATMENT = "TREATMENT", "Treatment"
    CARE_COORDINATION = "CARE_COORDINATION", "Care coordination (Enhanced Care Management)"
    OTHER = "OTHER", "Other (described)"


class SignerType(models.TextChoices):
    MEMBER = "MEMBER", "The member"
    PARENT_GUARDIAN = "PARENT_GUARDIAN", "Parent or guardian"
    AUTHORIZED_REPRESENTATIVE = "AUTHORIZED_REP", "Authorized representative"


class RevocationMethod(models.TextChoices):
    WRITTEN = "WRITTEN", "In writing (signed form or letter)"
    ELECTRONIC = "ELECTRONIC", "In writing, electronically (e-mail, portal message)"
    ORAL = "ORAL", "Orally (not accepted for Part 2 consents)"


class Channel(models.TextChoices):
    EMAIL = "EMAIL", "E-mail"
    TEXT = "TEXT", "Text message"
    PORTAL = "PORTAL", "Member portal"
    VIDEO = "VIDEO", "Video visit"
    AUDIO = "AUDIO", "Audio-only (telephone) visit"


class Consent(models.Model):
    """One signed authorization or consent, with its signed form (if uploaded) and its revocation."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="consents")
    kind = models.CharField(max_length=30, choices=ConsentKind.choices)
    categories = models.JSONField(default=list, blank=True, help_text="Category values the authorization covers.")
    channels = models.JSONField(default=list, blank=True, help_text="Electronic or telehealth channels consented to.")
    recipient_npis = models.JSONField(default=list, blank=True, help_text="Recipient provider organizations by NPI.")
    recipient_name = models.CharField(max_length=200, blank=True, default="", help_text="A named recipient party.")
    recipient_class = models.CharField(max_length=20, choices=RecipientClass.choices, blank=True, default="")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, blank=True, default="")
    purpose_detail = models.CharField(max_length=300, blank=True, default="")
    signer_type = models.CharField(max_length=20, choices=SignerType.choices, default=SignerType.MEMBER)
    signer_name = models.CharField(max_length=200)
    signer_relation = models.CharField(max_length=100, blank=True, default="")
    signed_on = models.DateField()
    effective_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    expiration_event = models.CharField(max_length=200, blank=True, default="",
                                        help_text="An expiration event or condition (e.g. end of ECM enrollment).")
    revoked_on = models.DateField(null=True, blank=True)
    revocation_method = models.CharField(max_length=12, choices=RevocationMethod.choices, blank=True, default="")
    revocation_note = models.CharField(max_length=300, blank=True, default="")
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The signed form, stored under the data directory (carehub.apps.consents.storage).
    form_path = models.CharField(max_length=300, blank=True, default="")
    form_name = models.CharField(max_length=200, blank=True, default="")
    form_type = models.CharField(max_length=40, blank=True, default="")
    form_size = models.PositiveIntegerField(default=0)
    form_sha256 = models.CharField(max_length=64, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_by_organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                                 related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-effective_on", "-pk"]
        indexes = [models.Index(fields=["member", "kind"], name="consent_member_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.member_id} from {self.effective_on}"

    def terms(self) -> policy.Terms:
        return policy.Terms(kind=self.kind, effective_on=self.effective_on, expires_on=self.expires_on,
                            revoked_on=self.revoked_on, categories=frozenset(self.categories or ()),
                            recipient_npis=frozenset(self.recipient_npis or ()), recipient_class=self.recipient_class)

    @property
    def covers_part2(self) -> bool:
        return policy.covers_part2(self.terms())

    @property
    def has_form(self) -> bool:
        return bool(self.form_path)


class SupportRole(models.TextChoices):
    FAMILY = "FAMILY", "Family member"
    GUARDIAN = "GUARDIAN", "Guardian"
    CAREGIVER = "CAREGIVER", "Caregiver"
    AUTHORIZED_REPRESENTATIVE = "AUTHORIZED_REP", "Authorized representative"
    OTHER = "OTHER", "Other support person"


class Receives(models.TextChoices):
    CARE_PLAN = "CARE_PLAN", "Care plan"
    NOTICES = "NOTICES", "Notices (e.g. Notices of Action)"
    APPOINTMENT_REMINDERS = "REMINDERS", "Appointment reminders"
    ALL = "ALL", "All communications"


class SupportPerson(models.Model):
    """An authorized support person and what they may receive. When they receive notices, the notices app's
    Representative row (which addresses notice copies) is linked rather than duplicated."""

    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", on_delete=models.PROTECT,
                               related_name="support_persons")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20, choices=SupportRole.choices)
    relationship = models.CharField(max_length=100, blank=True, default="", help_text="e.g. daughter, neighbor.")
    receives = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=30, blank=True, default="")
    email = models.CharField(max_length=200, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    city = models.CharField(max_length=80, blank=True, default="")
    state = models.CharField(max_length=2, blank=True, default="")
    zip_code = models.CharField(max_length=10, blank=True, default="")
    preferred_language = models.CharField(max_length=40, blank=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    authorization = models.ForeignKey(Consent, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="support_persons",
                                      help_text="The authorization that lets them receive the member's information.")
    representative = models.ForeignKey("notices.Representative", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-start_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role}) for {self.member_id}"

    def receives_all(self, kind: str) -> bool:
        return Receives.ALL in self.receives or kind in self.receives
