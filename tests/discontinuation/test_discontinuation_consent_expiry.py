"""A consent that says it expires at the end of ECM expires the day the plan confirms the discontinuation: the
provider stops seeing the member's Part 2 records then, and the organizations it named are told to stop further
use. Consents with another expiration (a date, another event) or already ended are left as they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from discontinuation_helpers import accepted_case
from django.utils import timezone
from factories import make_user

from carehub.apps.accounts.models import Role
from carehub.apps.consents.models import Consent, ConsentKind, Purpose
from carehub.apps.discontinuation import services
from carehub.apps.members.selectors import sees_part2
from carehub.apps.notifications.models import Notification
from carehub.domain.consent import END_OF_ECM_EVENT, ends_with_ecm

pytestmark = pytest.mark.django_db


def _consent(member, npi, *, event="", expires=None, kind=ConsentKind.PART2, revoked=None):
    signed = timezone.localdate() - timedelta(days=20)
    return Consent.objects.create(
        member=member, kind=kind, categories=["PART2_SUD"] if kind == ConsentKind.PART2 else ["GENERAL"],
        recipient_npis=[npi], purpose=Purpose.TPO, signer_name="Ana Garcia", signed_on=signed, effective_on=signed,
        expires_on=expires, expiration_event=event, revoked_on=revoked,
        revocation_method="WRITTEN" if revoked else "", recorded_at=timezone.now())


def test_the_end_of_ecm_wording_is_recognised():
    assert ends_with_ecm(END_OF_ECM_EVENT) and ends_with_ecm("until  the END of ECM services")
    assert not ends_with_ecm("") and not ends_with_ecm("when I move to Nevada")


def test_confirming_a_discontinuation_expires_end_of_ecm_consents_only(django_capture_on_commit_callbacks):
    case = accepted_case()
    npi = case.assignment.provider_npi
    today = timezone.localdate()
    later = today + timedelta(days=200)
    ending = _consent(case.member, npi, event=END_OF_ECM_EVENT)
    dated = _consent(case.member, npi, expires=later)
    other_event = _consent(case.member, npi, event="When I move out of the county", kind=ConsentKind.DATA_SHARING)
    already_revoked = _consent(case.member, npi, event=END_OF_ECM_EVENT, revoked=today - timedelta(days=2))
    assert sees_part2(case.staff, case.member)
    item = services.request_discontinuation(case.assignment, "GRADUATED", actor=case.lcm,
                                            evidence="All ICP goals met.")
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(item, actor=case.plan)
    ending.refresh_from_db()
    assert ending.expires_on is None and sees_part2(case.staff, case.member)  # ECM goes on during the notice
    ends = today + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.end_due(ends)
    for consent in (ending, dated, other_event, already_revoked):
        consent.refresh_from_db()
    assert ending.expires_on == ends
    assert (dated.expires_on, other_event.expires_on, already_revoked.expires_on) == (later, None, None)
    told = Notification.objects.filter(kind="CONSENT_REVOKED", recipient_org=case.staff.organization)
    assert told.count() == 1 and "expired" in told.get().subject and "end of ECM" in told.get().subject
    # Another plan user confirming again is refused; nothing expires twice.
    with pytest.raises(services.DiscontinuationError):
        services.confirm(item, actor=make_user(Role.PLAN_CARE_COORDINATION))
    services.end_due(ends)
    assert Consent.objects.filter(expires_on=ends).count() == 1
