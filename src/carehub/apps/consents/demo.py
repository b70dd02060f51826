"""Demo data for consents (idempotent): among the demo ECM provider's current members with Drug Medi-Cal program
rows, every other one has a 42 CFR Part 2 consent naming the provider, so the `ecm` and `lcm` logins see both the
"withheld" placeholder and Part 2 records shown under consent with the redisclosure notice. The demo member gets a
release of information for the care team, consent to text messages, and a caregiver support person.

Called by the lead's demo wiring: `seed_consents_demo(ecm_npi=..., member=...)`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from carehub.apps.consents.models import (
    Channel,
    Consent,
    ConsentKind,
    Purpose,
    Receives,
    RecipientClass,
    SupportPerson,
    SupportRole,
)
from carehub.apps.members.models import CareRelationship, Member, ProgramEnrollment
from carehub.apps.members.selectors import current_relationship, today
from carehub.domain.part2 import PART2_PROGRAMS

DEMO_MARK = "CareHub demo data"
LIMIT = 20


def _consent(member_id: str, kind: str, **fields: object) -> None:
    signed = today() - timedelta(days=30)
    Consent.objects.create(member_id=member_id, kind=kind, signer_name=fields.pop("signer_name", "Member"),
                           signed_on=signed, effective_on=signed, purpose_detail=DEMO_MARK,
                           recorded_at=timezone.now(), **fields)  # type: ignore[arg-type]


@transaction.atomic
def seed_consents_demo(*, ecm_npi: str, member: Member | None = None) -> str:
    """Add the demo consents once (a second run finds its marker and adds nothing). Returns a one-line summary."""
    if Consent.objects.filter(purpose_detail=DEMO_MARK).exists():
        return "consents demo: already present"
    on = today()
    related = CareRelationship.objects.filter(current_relationship(on), provider_npi=ecm_npi).values("member_id")
    with_dmc = sorted(set(ProgramEnrollment.objects.filter(member_id__in=related, program__in=PART2_PROGRAMS)
                          .values_list("member_id", flat=True)))[:LIMIT]
    consented = with_dmc[::2]
    for person_id in consented:
        _consent(person_id, ConsentKind.PART2, categories=["PART2_SUD"], recipient_npis=[ecm_npi],
                 purpose=Purpose.TPO, expires_on=on + timedelta(days=335))
    if member is not None:
        _consent(member.person_id, ConsentKind.DATA_SHARING, categories=["GENERAL", "MENTAL_HEALTH"],
                 recipient_class=RecipientClass.CARE_TEAM, purpose=Purpose.CARE_COORDINATION,
                 signer_name=member.display_name, expiration_event="End of ECM enrollment")
        _consent(member.person_id, ConsentKind.ELECTRONIC_COMMUNICATION, channels=[Channel.TEXT, Channel.PORTAL],
                 signer_name=member.display_name)
        if not SupportPerson.objects.filter(member=member).exists():
            SupportPerson.objects.create(member=member, name="Rosa Demo", role=SupportRole.CAREGIVER,
                                         relationship="sister", receives=[Receives.APPOINTMENT_REMINDERS],
                                         phone="510-555-0199", start_date=on - timedelta(days=30),
                                         recorded_at=timezone.now())
    return (f"consents demo: {len(consented)} of {len(with_dmc)} Drug Medi-Cal members of {ecm_npi} with a "
            f"Part 2 consent" + (f"; member {member.person_id} with an ROI and text consent" if member else ""))
