"""Demo data for the assignment and ECM provider pages (`carehub demo-users`, run by ./run demo after the
identification run): utilization management approves the oldest identified members' referrals, and care
coordination runs the batch assignment over everything authorized (those approvals and the continuity
authorizations of the identification run), through the same services as the web pages. Idempotent: once any
assignment exists it adds nothing."""

from __future__ import annotations

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import Assignment
from carehub.apps.assignments.services import assign_authorized
from carehub.apps.authorizations.models import Decision
from carehub.apps.authorizations.services import DecisionInput, decide, open_authorization
from carehub.apps.referrals.models import Referral, ReferralSource, ReferralStatus

APPROVALS = 60  # enough for a dozen or more members at the busiest provider; each approval also prints notices


def seed_assignments_demo(*, reviewer: User, coordinator: User, approvals: int = APPROVALS) -> str:
    """Approve up to `approvals` open identified referrals and assign every authorized member. Returns a summary."""
    if Assignment.objects.exists():
        return "assignment demo: assignments exist already; nothing added"
    referrals = list(Referral.objects.filter(source=ReferralSource.IDENTIFIED, status=ReferralStatus.OPEN,
                                             member__isnull=False).order_by("received_at", "pk")[:approvals])
    for referral in referrals:
        request = open_authorization(referral, actor=reviewer)
        decide(request, DecisionInput(decision=Decision.APPROVED), actor=reviewer)
    outcome = assign_authorized(actor=coordinator)
    return f"assignment demo: {len(referrals)} identified members approved; {outcome.summary()}"
