"""Reading notices, scoped to who is asking: plan staff see every notice; a member sees the notices sent to them
or their representative; provider staff see the referrer copies of referrals their organization sent."""

from __future__ import annotations

from django.db.models import QuerySet

from carehub.apps.accounts.models import User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.members.models import Member
from carehub.apps.notices.models import Notice, Recipient


def visible_notices(user: User) -> QuerySet[Notice]:
    if user.is_plan_staff:
        return Notice.objects.all()
    if user.is_member and user.member_id:
        return Notice.objects.filter(member_id=user.member.person_id).exclude(recipient=Recipient.REFERRER)
    if user.is_provider_staff and user.organization_id:
        return Notice.objects.filter(recipient=Recipient.REFERRER,
                                     authorization__referral__submitted_by_org_id=user.organization_id)
    return Notice.objects.none()


def member_notices(user: User, member: Member) -> list[Notice]:
    """The member's notices the user may see, newest first, without the PDF bytes (one query)."""
    return list(visible_notices(user).filter(member=member).defer("pdf").order_by("-issued_at", "pk"))


def audited_notice(user: User, notice_id: int, *, route: str) -> Notice | None:
    """One stored notice with its PDF (EXPORT in the audit log), or None (DENIED): callers answer 404."""
    notice = visible_notices(user).filter(pk=notice_id).first()
    if notice is None:
        record(actor=user, action=Action.DENIED, object_type="Notice", object_id=str(notice_id), route=route,
               detail={"reason": "not in the user's scope or not found"})
        return None
    record(actor=user, action=Action.EXPORT, object_type="Notice", object_id=notice.reference,
           person_id=notice.member_id, route=route, detail={"sha256": notice.sha256})
    return notice
