"""Reading referrals, scoped to who is asking: plan staff see all; provider staff see the referrals their
organization sent; a member sees their own. Reads that show member details are audited."""

from __future__ import annotations

from django.db.models import QuerySet

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.referrals.models import Referral, ReferralStatus

PAGE_SIZE = 100


def visible_referrals(user: User) -> QuerySet[Referral]:
    if user.is_plan_staff:
        return Referral.objects.all()
    if user.is_provider_staff and user.organization_id:
        return Referral.objects.filter(submitted_by_org_id=user.organization_id)
    if user.is_member and user.member_id:
        return Referral.objects.filter(member_id=user.member.person_id)
    return Referral.objects.none()


def queue(user: User, status: str = "", limit: int = PAGE_SIZE) -> list[Referral]:
    """Referrals to work, oldest first (one query): by default those waiting for member review or screening."""
    qs = visible_referrals(user).select_related("member", "duplicate_of")
    statuses = [status] if status in ReferralStatus.values else [ReferralStatus.MATCH_REVIEW, ReferralStatus.OPEN]
    return list(qs.filter(status__in=statuses).order_by("received_at")[:limit])


def audited_queue(user: User, status: str, *, route: str) -> list[Referral]:
    rows = queue(user, status)
    record(actor=user, action=Action.SEARCH, object_type="Referral", route=route,
           detail={"status": status, "references": [r.reference for r in rows]},
           people=[r.member_id for r in rows if r.member_id])
    return rows


def audited_referral(user: User, reference: str, *, route: str) -> Referral | None:
    """One referral if the user may see it (READ), else None (DENIED): callers answer 404 either way."""
    referral = (visible_referrals(user).select_related("member", "duplicate_of")
                .prefetch_related("attachments", "linked").filter(reference=reference[:20]).first())
    if referral is None:
        record(actor=user, action=Action.DENIED, object_type="Referral", object_id=reference[:64], route=route,
               detail={"reason": "not in the user's scope or not found"})
        return None
    record(actor=user, action=Action.READ, object_type="Referral", object_id=referral.reference,
           person_id=referral.member_id or "", route=route)
    return referral

