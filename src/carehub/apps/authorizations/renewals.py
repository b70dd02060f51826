"""Reauthorization before the end date (with a reassessment) and presumptive authorization by a designated ECM
provider that the plan confirms afterwards (seed 003 8.e; issue 4).

Both end in an ordinary authorization request: a reauthorization is decided by UM on the routine clock like any
request (its approval starts the day after the current one ends); a presumptive authorization is approved at
once by the provider and confirmed or rescinded by the plan within the routine decision clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carehub.apps.accounts.models import OrganizationKind, User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest, Decision
from carehub.apps.authorizations.services import DecisionError, _due, plan_authorization_months
from carehub.apps.notices.services import schedule_decision_notices
from carehub.apps.referrals.models import Channel, Referral, ReferralSource, ReferralStatus, Urgency
from carehub.apps.referrals.services import new_reference
from carehub.domain import deadlines

REAUTHORIZATION_WINDOW_DAYS = 30  # issue 4 brief: authorizations ending within 30 days are worked
APPROVED = (Decision.APPROVED, Decision.MODIFIED)


def ending_soon(user: User, today: date | None = None, days: int = REAUTHORIZATION_WINDOW_DAYS,
                limit: int = 200) -> list[AuthorizationRequest]:
    """Approved authorizations ending within `days` (today included) with no reauthorization requested yet,
    soonest end first. One query. Plan staff only."""
    if not user.is_plan_staff:
        return []
    today = today or timezone.localdate()
    return list(AuthorizationRequest.objects.filter(decision__in=APPROVED, end_date__gte=today,
                                                    end_date__lte=today + timedelta(days=days), renewal__isnull=True)
                .exclude(kind=AuthorizationKind.PRESUMPTIVE, confirmed_at__isnull=True)
                .select_related("member", "referral").order_by("end_date", "pk")[:limit])


@transaction.atomic
def request_reauthorization(previous: AuthorizationRequest, *, actor: Any, reassessment: str,
                            now: datetime | None = None) -> AuthorizationRequest:
    """Open a reauthorization request for an approved authorization, carrying the reassessment that supports it.
    It goes to UM on the routine clock; one reauthorization per authorization."""
    previous = AuthorizationRequest.objects.select_for_update().select_related("referral").get(pk=previous.pk)
    if previous.decision not in APPROVED or previous.awaits_confirmation:
        raise DecisionError("only an approved (and confirmed) authorization can be reauthorized")
    if AuthorizationRequest.objects.filter(renewal_of=previous).exists():
        raise DecisionError("a reauthorization has already been requested")
    if not reassessment.strip():
        raise DecisionError("summarize the reassessment that supports the reauthorization")
    now = now or timezone.now()
    name = (actor.get_full_name() or actor.get_username()) if isinstance(actor, User) else "Plan care coordination"
    referral = Referral.objects.create(
        reference=new_reference(), received_at=now, source=ReferralSource.PLAN_CARE_COORDINATION,
        channel=Channel.WEB, referrer_name=name[:120], submitted_by=actor if isinstance(actor, User) else None,
        cin=previous.member.member_id, first_name=previous.member.first_name, last_name=previous.member.last_name,
        birth_date=previous.member.birth_date, member=previous.member, populations=previous.referral.populations,
        facts=f"Reauthorization of {previous.referral.reference} (ends {previous.end_date}).",
        status=ReferralStatus.IN_AUTHORIZATION)
    request = AuthorizationRequest.objects.create(
        referral=referral, member=previous.member, urgency=Urgency.ROUTINE, received_at=now,
        clock_rule="authorization-routine", due_at=_due("authorization-routine", now),
        requested_months=plan_authorization_months(), program=previous.program, renewal_of=previous,
        reassessment=reassessment.strip()[:4000])
    record(actor=actor, action=Action.CREATE, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=previous.member_id, purpose="reauthorization with reassessment",
           detail={"renewal_of": previous.pk, "ends": str(previous.end_date), "due_at": request.due_at.isoformat()})
    return request


# ---- presumptive authorization ---------------------------------------------------------------------------------

def is_designated(user: User) -> bool:
    """Whether the user's organization is an ECM provider the plan designated for presumptive authorization
    (CAREHUB_PRESUMPTIVE_NPIS)."""
    org = user.organization if user.is_provider_staff else None
    return bool(org and org.kind == OrganizationKind.ECM_PROVIDER and org.npi
                and org.npi in getattr(settings, "CAREHUB_PRESUMPTIVE_NPIS", []))


@transaction.atomic
def authorize_presumptively(referral: Referral, *, actor: User, start: date | None = None,
                            now: datetime | None = None) -> AuthorizationRequest:
    """A designated ECM provider authorizes ECM at once for a member it referred (seed 003 8.e). The plan must
    confirm or rescind within the routine decision clock; the member's notice goes out on confirmation."""
    if not is_designated(actor):
        raise DecisionError("only a designated ECM provider can authorize presumptively")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.submitted_by_org_id != actor.organization_id:
        raise DecisionError("a provider authorizes presumptively only members it referred")
    if referral.status != ReferralStatus.OPEN or referral.member_id is None:
        raise DecisionError("only an open referral with a confirmed member can be authorized")
    now = now or timezone.now()
    start = start or timezone.localdate()
    request = AuthorizationRequest.objects.create(
        referral=referral, member_id=referral.member_id, kind=AuthorizationKind.PRESUMPTIVE,
        urgency=referral.urgency, received_at=now, clock_rule="authorization-routine",
        due_at=_due("authorization-routine", now), requested_months=plan_authorization_months(),
        decision=Decision.APPROVED, decided_at=now, decided_by=actor, start_date=start,
        end_date=deadlines.authorization_end(start, plan_authorization_months()),
        reasons="Presumptive authorization by a designated ECM provider.", presumptive_org=actor.organization)
    referral.status = ReferralStatus.IN_AUTHORIZATION
    referral.save(update_fields=["status"])
    record(actor=actor, action=Action.CREATE, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=request.member_id, purpose="presumptive authorization",
           detail={"referral": referral.reference, "confirm_by": request.due_at.isoformat()})
    return request


def to_confirm(user: User, limit: int = 200) -> list[AuthorizationRequest]:
    """Presumptive authorizations the plan has not yet confirmed, oldest clock first (one query)."""
    if not user.is_plan_staff:
        return []
    return list(AuthorizationRequest.objects.filter(kind=AuthorizationKind.PRESUMPTIVE, confirmed_at__isnull=True)
                .filter(~Q(decision=Decision.PENDING)).select_related("member", "referral", "presumptive_org")
                .order_by("due_at", "pk")[:limit])


@transaction.atomic
def confirm_presumptive(request: AuthorizationRequest, *, actor: User, confirm: bool, reasons: str = "",
                        now: datetime | None = None) -> AuthorizationRequest:
    """The plan confirms a presumptive authorization (approval notice) or rescinds it with reasons (Notice of
    Action; the authorization ends today, so services already given stay covered)."""
    request = AuthorizationRequest.objects.select_for_update().get(pk=request.pk)
    if not request.awaits_confirmation:
        raise DecisionError("this is not a presumptive authorization waiting for confirmation")
    if not confirm and not reasons.strip():
        raise DecisionError("give the reasons for rescinding")
    now = now or timezone.now()
    request.confirmed_at, request.confirmed_by = now, actor
    request.notice_due_at = _due("decision-notice", now)
    if not confirm:
        request.decision, request.reasons = Decision.DENIED, reasons.strip()[:4000]
        request.end_date = max(timezone.localdate(), request.start_date or timezone.localdate())
    request.save()
    Referral.objects.filter(pk=request.referral_id).update(status=ReferralStatus.CLOSED)
    record(actor=actor, action=Action.UPDATE, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=request.member_id, purpose="presumptive authorization reviewed",
           detail={"confirmed": confirm, "on_time": now <= request.due_at})
    schedule_decision_notices(request.pk, actor=actor)
    return request
