"""Every write to authorizations: open a request from a screened referral, decide it, authorize automatically
for continuity. Clocks come from carehub.domain.deadlines on the plan's working-day calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest, Decision
from carehub.apps.members.models import Member, ProgramEnrollment
from carehub.apps.notices.services import schedule_decision_notices
from carehub.apps.referrals.models import Channel, Referral, ReferralSource, ReferralStatus, Urgency
from carehub.apps.referrals.services import new_reference
from carehub.domain import deadlines
from carehub.domain.calendar import default_calendar

CONTINUITY_PROGRAMS = ("WPC", "HHP")  # seed 000 I.c; seed 004 VI.G.1
PRIOR_ECM_MONTHS = 6  # seed 004 VI.G (ECM received within the previous 6 months)


class DecisionError(ValueError):
    """A decision that cannot be recorded; the message says what to fix."""


def plan_authorization_months() -> int:
    """The plan's default authorization length (CAREHUB_AUTHORIZATION_MONTHS, default 12, never under 6)."""
    return max(int(getattr(settings, "CAREHUB_AUTHORIZATION_MONTHS", deadlines.DEFAULT_AUTHORIZATION_MONTHS)),
               deadlines.MINIMUM_AUTHORIZATION_MONTHS)


def clock_overrides() -> dict[str, int]:
    return dict(getattr(settings, "CAREHUB_CLOCK_OVERRIDES", {}) or {})


def _due(rule: str, start: datetime | date) -> datetime:
    return deadlines.due(rule, start, calendar=default_calendar(), overrides=clock_overrides())


def _rule_for(urgency: str) -> str:
    return "authorization-expedited" if urgency == Urgency.EXPEDITED else "authorization-routine"


@transaction.atomic
def open_authorization(referral: Referral, *, actor: Any) -> AuthorizationRequest:
    """The referral passed initial screening: open its authorization request. The clock starts when the plan
    received the referral (day 0)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.OPEN or referral.member_id is None:
        raise DecisionError("only an open referral with a confirmed member can be sent for authorization")
    # A member asking to continue ECM they had elsewhere (or in WPC/HHP) is decided on the expedited clock: seed 004
    # VI.G.3.b "Partnership shall expedite this request".
    continuity = continuity_basis(referral.member, timezone.localdate(referral.received_at))
    urgency = Urgency.EXPEDITED if continuity else referral.urgency
    rule = _rule_for(urgency)
    request = AuthorizationRequest.objects.create(
        referral=referral, member_id=referral.member_id, urgency=urgency, received_at=referral.received_at,
        clock_rule=rule, due_at=_due(rule, referral.received_at), requested_months=plan_authorization_months())
    referral.status = ReferralStatus.IN_AUTHORIZATION
    referral.save(update_fields=["status"])
    record(actor=actor, action=Action.CREATE, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=request.member_id, purpose="screening: sent for authorization",
           detail={"referral": referral.reference, "urgency": request.urgency, "due_at": request.due_at.isoformat(),
                   **({"expedited_for_continuity": continuity} if continuity else {})})
    return request


@dataclass(frozen=True)
class DecisionInput:
    decision: str
    reasons: str = ""
    start_date: date | None = None
    end_date: date | None = None


def _check(request: AuthorizationRequest, data: DecisionInput, decided_on: date) -> tuple[date | None, date | None]:
    if not request.is_pending:
        raise DecisionError("this request has already been decided")
    if data.decision not in (Decision.APPROVED, Decision.MODIFIED, Decision.DENIED):
        raise DecisionError("choose approve, modify or deny")
    if data.decision in (Decision.DENIED, Decision.MODIFIED) and not data.reasons.strip():
        raise DecisionError("give the reasons for a denial or a modification")
    if data.decision == Decision.DENIED:
        return None, None
    # A reauthorization continues the day after the current authorization ends.
    renewed = request.renewal_of.end_date + timedelta(days=1) if request.renewal_of_id and request.renewal_of \
        and request.renewal_of.end_date else None
    start = data.start_date or renewed or timezone.localdate()
    end = data.end_date or deadlines.authorization_end(start, plan_authorization_months())
    if end < decided_on:
        raise DecisionError(f"an approval ending on {end.isoformat()} is over before it is decided; check the dates")
    longest = deadlines.authorization_end(start, deadlines.MAXIMUM_AUTHORIZATION_MONTHS)
    if end > longest:
        raise DecisionError(f"an approval runs at most {deadlines.MAXIMUM_AUTHORIZATION_MONTHS} months (to "
                            f"{longest.isoformat()}); check the dates, and reauthorize for longer")
    minimum_end = deadlines.authorization_end(start, deadlines.MINIMUM_AUTHORIZATION_MONTHS)
    if end < minimum_end:
        raise DecisionError(f"an approval runs at least {deadlines.MINIMUM_AUTHORIZATION_MONTHS} months "
                            f"(to {minimum_end.isoformat()} or later)")
    return start, end


@transaction.atomic
def decide(request: AuthorizationRequest, data: DecisionInput, *, actor: Any,
           now: datetime | None = None) -> AuthorizationRequest:
    """Record an approval (start and end; default the plan's length), a modification or a denial (with reasons).
    Starts the clock for telling the member and the referrer. Nothing changes if the input is refused."""
    request = AuthorizationRequest.objects.select_for_update().get(pk=request.pk)
    decided_at = now or timezone.now()
    start, end = _check(request, data, timezone.localdate(decided_at))
    request.decision = data.decision
    request.reasons = data.reasons.strip()[:4000]
    request.start_date, request.end_date = start, end
    request.decided_at, request.decided_by = decided_at, actor
    request.notice_due_at = deadlines.notice_due(decided_at, received_at=request.received_at,
                                                 expedited=request.urgency == Urgency.EXPEDITED,
                                                 calendar=default_calendar(), overrides=clock_overrides())
    request.save()
    Referral.objects.filter(pk=request.referral_id).update(status=ReferralStatus.CLOSED)
    record(actor=actor, action=Action.UPDATE, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=request.member_id, purpose="authorization decision",
           detail={"decision": request.decision, "start": str(start or ""), "end": str(end or ""),
                   "on_time": decided_at <= request.due_at})
    schedule_decision_notices(request.pk, actor=actor)  # the letters go out only if the decision commits
    return request


# ---- automatic authorization for continuity --------------------------------------------------------------------

def continuity_basis(member: Member, on: date) -> str:
    """Why the member is authorized automatically, or "" (seed 000 I.c: WPC/HHP members transition to ECM;
    seed 004 VI.G: WPC members, members who had ECM elsewhere in the previous 6 months)."""
    since = on - timedelta(days=round(PRIOR_ECM_MONTHS * 30.44))
    for row in ProgramEnrollment.objects.filter(member=member, program__in=(*CONTINUITY_PROGRAMS, "ECM")) \
            .order_by("-start_date"):
        current = row.start_date <= on and (row.end_date is None or row.end_date >= on)
        if row.program in CONTINUITY_PROGRAMS and current:
            return f"enrolled in {row.program}"
        if row.program == "ECM" and row.start_date <= on and (row.end_date is None or row.end_date >= since):
            return "received ECM in the last 6 months"
    return ""


@transaction.atomic
def authorize_for_continuity(member: Member, *, actor: Any, basis: str, populations: list[str] | None = None,
                             start: date | None = None, now: datetime | None = None,
                             external_key: str | None = None) -> AuthorizationRequest:
    """Authorize ECM for six months without review and start the reassessment clock (seed 004 VI.G.1.a). An
    identification-sourced referral records where it came from."""
    if not basis:
        raise DecisionError("automatic authorization needs a continuity basis")
    now = now or timezone.now()
    start = start or timezone.localdate()
    referral = Referral.objects.create(
        reference=new_reference(), received_at=now, source=ReferralSource.IDENTIFIED, channel=Channel.IDENTIFIED,
        referrer_name="Plan identification", cin=member.member_id, first_name=member.first_name,
        last_name=member.last_name, birth_date=member.birth_date, member=member, populations=populations or [],
        facts=f"Continuity of care: {basis}.", status=ReferralStatus.CLOSED, external_key=external_key)
    request = AuthorizationRequest.objects.create(
        referral=referral, member=member, kind=AuthorizationKind.CONTINUITY, urgency=Urgency.ROUTINE,
        received_at=now, clock_rule="authorization-routine", due_at=_due("authorization-routine", now),
        requested_months=deadlines.CONTINUITY_AUTHORIZATION_MONTHS, decision=Decision.APPROVED, decided_at=now,
        reasons=f"Automatic authorization for continuity of care: {basis}.", start_date=start,
        end_date=deadlines.authorization_end(start, deadlines.CONTINUITY_AUTHORIZATION_MONTHS),
        notice_due_at=deadlines.notice_due(now, received_at=now, expedited=False, calendar=default_calendar(),
                                           overrides=clock_overrides()),
        reassessment_due_at=_due("reassessment", start))
    record(actor=actor, action=Action.CREATE, object_type="AuthorizationRequest", object_id=str(request.pk),
           person_id=member.person_id, purpose="automatic continuity authorization",
           detail={"basis": basis, "referral": referral.reference, "end": str(request.end_date)})
    schedule_decision_notices(request.pk, actor=actor)
    return request
