"""Demo data for discontinuation: two requests from the demo ECM provider waiting in the plan's review queue (a
graduation and a member who stopped responding), so the queue and the provider page are not empty. Idempotent:
run again, nothing new is written once the demo provider has any request."""

from __future__ import annotations

from carehub.apps.accounts.models import Role, User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.discontinuation.models import Discontinuation
from carehub.apps.discontinuation.services import request_discontinuation
from carehub.apps.members.selectors import organization_npis
from carehub.domain.discontinuation import Reason

DEMO_REQUESTS = (
    (Reason.GRADUATED, "ICP goals met: connected to a PCP and behavioral health, manages own appointments and "
                       "medications, housed with IHSS in place (demo)."),
    (Reason.NO_LONGER_RESPONDING, "No answer to 3 calls, 2 texts and 2 visits to the last known address over "
                                  "8 weeks (demo)."),
)


def seed_demo_discontinuations(username: str = "ecm") -> int:
    """File the demo requests as the demo ECM provider user; returns how many were written (0 when already done,
    or when the demo provider has no open assignment or the user does not exist)."""
    user = User.objects.filter(username=username, role__in=(Role.ECM_PROVIDER_STAFF, Role.LEAD_CARE_MANAGER)).first()
    npis = organization_npis(user.organization_id) if user else []
    if not npis or Discontinuation.objects.filter(provider_npi__in=npis).exists():
        return 0
    # Members other than the one the demo member login uses, so that login still shows an ongoing ECM.
    member_logins = User.objects.filter(role=Role.MEMBER, member__isnull=False).values("member__person_id")
    assignments = list(Assignment.objects.filter(provider_npi__in=npis, status__in=OPEN_STATUSES)
                       .exclude(member_id__in=member_logins).order_by("assigned_at", "pk")[:len(DEMO_REQUESTS)])
    for assignment, (reason, evidence) in zip(assignments, DEMO_REQUESTS, strict=False):
        request_discontinuation(assignment, reason, actor=user, evidence=evidence)
    return len(assignments)
