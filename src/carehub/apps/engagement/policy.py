"""The plan's outreach policy as the app uses it, and the telehealth consent check.

The policy is domain/outreach_policy.csv with the Django setting `CAREHUB_OUTREACH_POLICY` (a dict of setting ->
integer, e.g. {"required_attempts": 4}) applied on top, so a plan tunes it without code changes.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from carehub.apps.assignments.models import Assignment
from carehub.domain.outreach import OutreachPolicy, load_policy


def outreach_policy() -> OutreachPolicy:
    return load_policy(overrides=getattr(settings, "CAREHUB_OUTREACH_POLICY", None))


def telehealth_consent(assignment: Assignment, on: date) -> bool:
    """Whether the member consented to telehealth with this provider on `on` (seed 003 1.c). Without the consents
    app nothing is on file, so telehealth is refused."""
    try:
        from carehub.apps.consents.selectors import has_consent
    except ImportError:  # the consents app is built by another helper; refuse until it exists
        return False
    return has_consent(assignment.member_id, "TELEHEALTH", provider_npi=assignment.provider_npi, on=on)
