"""Reading assessments and care plans, scoped to who is asking and audited (DESIGN.md "Access and audit").

Plan staff see every member's plans; provider staff see the plans of members currently assigned to their
organization (an open assignment to one of its NPIs); a member sees only their own. Functions named `audited_*`
record the read. `current_care_plan` and `reassessment_due_dates` are the cross-app interfaces: they take members
the caller has already scoped and record nothing themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationKind, AuthorizationRequest, Decision, Program
from carehub.apps.careplans.models import (
    AssessmentStatus,
    AssessmentTemplate,
    CarePlan,
    CarePlanVersion,
    ComprehensiveAssessment,
    RequestStatus,
    UpdateRequest,
)
from carehub.apps.members.models import Assessment as LoadedAssessment
from carehub.apps.members.models import Member
from carehub.apps.members.selectors import organization_npis
from carehub.domain import careplan as policy

# Authorizations the plan grants without a utilization review: continuity (WPC, HHP, recent ECM; the referral
# source is IDENTIFIED) and presumptive (by a designated ECM provider). Both are reassessed within six months.
AUTOMATIC_KINDS = (AuthorizationKind.CONTINUITY, AuthorizationKind.PRESUMPTIVE)
WORKLIST_LIMIT = 500


def plan_settings() -> dict[str, int]:
    """The plan's tunable care plan values: settings.CAREHUB_CAREPLAN overrides the shipped defaults
    ({"reassessment_cycle_months": 12, "automatic_reassessment_months": 6, "due_soon_days": 30})."""
    configured: dict[str, Any] = dict(getattr(settings, "CAREHUB_CAREPLAN", {}) or {})
    return {"reassessment_cycle_months": int(configured.get("reassessment_cycle_months",
                                                            policy.DEFAULT_REASSESSMENT_CYCLE_MONTHS)),
            "automatic_reassessment_months": int(configured.get("automatic_reassessment_months",
                                                                policy.AUTOMATIC_REASSESSMENT_MONTHS)),
            "due_soon_days": int(configured.get("due_soon_days", policy.DEFAULT_DUE_SOON_DAYS))}


# ---- cross-app interfaces ---------------------------------------------------------------------------------------

def current_care_plan(member: Member) -> CarePlan | None:
    """The member's open care plan (the newest not closed), or None. The caller has scoped the member."""
    return CarePlan.objects.filter(member_id=member.person_id, closed_at__isnull=True) \
        .order_by("-created_at", "-pk").first()


def current_plan_for(user: User, member: Member) -> CarePlan | None:
    """The member's open care plan as the user may see it (provider staff: only their organization's)."""
    return own_records(user, CarePlan.objects.filter(member_id=member.person_id, closed_at__isnull=True)) \
        .order_by("-created_at", "-pk").first()


@dataclass(frozen=True)
class DueBasis:
    authorized_on: date | None
    automatic: bool
    last_assessed_on: date | None


def _due_bases(person_ids: list[str] | QuerySet) -> dict[str, DueBasis]:
    """Per member with an approved ECM authorization or a completed assessment: the latest authorization's start
    (automatic or not) and the last completed comprehensive assessment. `person_ids` may be a subquery, so a
    plan-wide worklist never sends thousands of parameters. Two queries."""
    auths: dict[str, tuple[date, bool]] = {}
    for person_id, start, kind in AuthorizationRequest.objects.filter(
            member_id__in=person_ids, program=Program.ECM, decision__in=(Decision.APPROVED, Decision.MODIFIED),
            start_date__isnull=False).order_by("member_id", "start_date", "pk") \
            .values_list("member_id", "start_date", "kind"):
        auths[person_id] = (start, kind in AUTOMATIC_KINDS)  # ordered: the latest start wins
    assessed = dict(ComprehensiveAssessment.objects.filter(
        member_id__in=person_ids, status=AssessmentStatus.COMPLETED).values("member_id")
        .annotate(last=Max("completed_on")).values_list("member_id", "last"))
    bases = {}
    for person_id in auths.keys() | assessed.keys():
        start, automatic = auths.get(person_id, (None, False))
        bases[person_id] = DueBasis(start, automatic, assessed.get(person_id))
    return bases


def reassessment_due_dates(person_ids: list[str] | tuple[str, ...] | set[str] | QuerySet) -> dict[str, date]:
    """Next (re)assessment due date per member (carehub.domain.careplan.reassessment_due, with the plan's
    settings). Members with neither an ECM authorization nor an assessment are left out. Two queries."""
    ids = person_ids if isinstance(person_ids, QuerySet) else sorted(set(person_ids))
    return _dues(_due_bases(ids))


def _dues(bases: dict[str, DueBasis]) -> dict[str, date]:
    tuning = plan_settings()
    dues = {}
    for person_id, basis in bases.items():
        due = policy.reassessment_due(authorized_on=basis.authorized_on, automatic=basis.automatic,
                                      last_assessed_on=basis.last_assessed_on,
                                      cycle_months=tuning["reassessment_cycle_months"],
                                      automatic_months=tuning["automatic_reassessment_months"])
        if due is not None:
            dues[person_id] = due
    return dues


# ---- scope ------------------------------------------------------------------------------------------------------

def care_plan_members(user: User, *, npis: list[str] | None = None) -> QuerySet[Member]:
    """Members whose assessments and care plans the user may see (`npis`: the provider user's organization NPIs,
    when the caller has them already)."""
    if user.is_plan_staff:
        return Member.objects.all()
    if user.is_member:
        return Member.objects.filter(pk=user.member_id) if user.member_id else Member.objects.none()
    if user.is_provider_staff:
        npis = organization_npis(user.organization_id) if npis is None else npis
        if not npis:
            return Member.objects.none()
        open_assignment = Assignment.objects.filter(member_id=OuterRef("person_id"), provider_npi__in=npis,
                                                    status__in=OPEN_STATUSES)
        return Member.objects.filter(Exists(open_assignment))
    return Member.objects.none()


def own_records(user: User, qs: QuerySet, npi_field: str = "provider_npi") -> QuerySet:
    """Provider staff see only the assessments and plans their own organization wrote: another provider's record
    may hold what a Part 2 program disclosed to that provider (a new provider starts from a carried-over copy,
    services.start_care_plan). Plan staff and the member see them all."""
    if user.is_provider_staff:
        return qs.filter(**{f"{npi_field}__in": organization_npis(user.organization_id)})
    return qs


def _denied(user: User, object_type: str, object_id: str, route: str) -> None:
    record(actor=user, action=Action.DENIED, object_type=object_type, object_id=object_id[:64], route=route,
           detail={"reason": "not in the user's scope or not found"})


def audited_member(user: User, person_id: str, *, route: str) -> Member | None:
    """A member in care plan scope (READ recorded), or None (DENIED recorded)."""
    member = care_plan_members(user).filter(person_id=person_id).first()
    if member is None:
        _denied(user, "Member", person_id, route)
        return None
    record(actor=user, action=Action.READ, object_type="CarePlanMember", object_id=person_id, person_id=person_id,
           route=route)
    return member


def audited_care_plan(user: User, plan_id: int, *, route: str) -> CarePlan | None:
    """One care plan in the user's scope with its member (READ recorded), or None (DENIED recorded)."""
    plan = own_records(user, CarePlan.objects.select_related("member").filter(
        pk=plan_id, member__in=care_plan_members(user))).first()
    if plan is None:
        _denied(user, "CarePlan", str(plan_id), route)
        return None
    record(actor=user, action=Action.READ, object_type="CarePlan", object_id=str(plan.pk),
           person_id=plan.member_id, route=route)
    return plan


def audited_version(user: User, plan_id: int, number: int, *, route: str) -> CarePlanVersion | None:
    """A finalized version of a plan in scope (READ recorded), or None (DENIED recorded)."""
    version = own_records(user, CarePlanVersion.objects.select_related("care_plan", "care_plan__member").filter(
        care_plan_id=plan_id, number=number, care_plan__member__in=care_plan_members(user)),
        "care_plan__provider_npi").first()
    if version is None:
        _denied(user, "CarePlanVersion", f"{plan_id}/{number}", route)
        return None
    record(actor=user, action=Action.READ, object_type="CarePlanVersion", object_id=f"{plan_id}/{number}",
           person_id=version.care_plan.member_id, route=route)
    return version


def audited_assessment(user: User, assessment_id: int, *, route: str) -> ComprehensiveAssessment | None:
    assessment = own_records(user, ComprehensiveAssessment.objects.select_related("member", "template").filter(
        pk=assessment_id, member__in=care_plan_members(user))).first()
    if assessment is None:
        _denied(user, "ComprehensiveAssessment", str(assessment_id), route)
        return None
    record(actor=user, action=Action.READ, object_type="ComprehensiveAssessment", object_id=str(assessment.pk),
           person_id=assessment.member_id, route=route)
    return assessment


def member_file(user: User, member: Member) -> dict[str, Any]:
    """Everything on a member's care plan page that the user may see (the member is scoped and audited by the
    caller; provider staff: their own organization's records). Six queries."""
    plans = list(own_records(user, CarePlan.objects.filter(member_id=member.person_id))
                 .order_by("-created_at", "-pk"))
    return {
        "plans": plans,
        "current": next((p for p in plans if p.closed_at is None), None),
        "assessments": list(own_records(user, ComprehensiveAssessment.objects.filter(member_id=member.person_id))
                            .select_related("template", "completed_by").order_by("-started_at")),
        "hra": hra_results(member),
        "requests": list(own_records(user, UpdateRequest.objects.filter(member_id=member.person_id),
                                     "care_plan__provider_npi").select_related("care_plan", "member")),
        "due": reassessment_due_dates([member.person_id]).get(member.person_id),
    }


def hra_results(member: Member) -> list[LoadedAssessment]:
    """The plan's Health Risk Assessment results for the member, newest first (seed 004 VI.D.5.b.3.h)."""
    return list(LoadedAssessment.objects.filter(member_id=member.person_id, kind="HRA").order_by("-assessed_on"))


def active_templates() -> list[AssessmentTemplate]:
    """The newest active version of each template name."""
    seen: dict[str, AssessmentTemplate] = {}
    for template in AssessmentTemplate.objects.filter(active=True).order_by("name", "-version"):
        seen.setdefault(template.name, template)
    return list(seen.values())


def open_update_requests(user: User) -> list[UpdateRequest]:
    """Open member requests for a care plan update in the user's scope."""
    return list(own_records(user, UpdateRequest.objects.filter(status=RequestStatus.OPEN,
                                                               member__in=care_plan_members(user)),
                            "care_plan__provider_npi")
                .select_related("member", "care_plan").order_by("requested_at")[:WORKLIST_LIMIT])


# ---- reassessment worklist -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DueLine:
    member: Member
    due: date
    state: policy.DueState

    @property
    def css(self) -> str:
        return "bad" if self.state == policy.DueState.OVERDUE else "warn"


def reassessment_worklist(user: User, *, today: date | None = None) -> list[DueLine]:
    """Members in scope with an open assignment whose reassessment is overdue or due within the plan's window,
    overdue first, then soonest. Plan staff see every open assignment; members see nothing. Four queries."""
    if user.is_member or not (user.is_plan_staff or user.is_provider_staff):
        return []
    today = today or timezone.localdate()
    assignments = Assignment.objects.filter(status__in=OPEN_STATUSES)
    if user.is_provider_staff:
        assignments = assignments.filter(provider_npi__in=organization_npis(user.organization_id))
    soon = plan_settings()["due_soon_days"]
    due = {pid: day for pid, day in reassessment_due_dates(assignments.values("member_id")).items()
           if policy.due_state(day, today, soon_days=soon) != policy.DueState.LATER}
    ordered = policy.order_due(due.items())[:WORKLIST_LIMIT]
    members = Member.objects.in_bulk([pid for pid, _ in ordered], field_name="person_id")
    return [DueLine(members[pid], day, policy.due_state(day, today, soon_days=soon)) for pid, day in ordered]


def audited_worklist(user: User, *, route: str, today: date | None = None) -> list[DueLine]:
    lines = reassessment_worklist(user, today=today)
    record(actor=user, action=Action.SEARCH, object_type="ReassessmentWorklist", route=route,
           detail={"person_ids": [line.member.person_id for line in lines]})
    return lines


@dataclass(frozen=True)
class CaseloadLine:
    member: Member
    plan: CarePlan | None
    last_version: date | None
    due: date | None
    assessed: bool = True  # False: no comprehensive assessment completed yet (the initial one is to do)


def provider_caseload(user: User, *, limit: int = WORKLIST_LIMIT) -> list[CaseloadLine]:
    """Provider staff: every member with an open assignment to their organization, with the care plan's state
    and the next assessment due date, by name. Others: nothing. Six queries."""
    if not user.is_provider_staff:
        return []
    npis = organization_npis(user.organization_id)
    members = list(care_plan_members(user, npis=npis).order_by("last_name", "first_name", "person_id")[:limit])
    ids = [m.person_id for m in members]
    plans: dict[str, CarePlan] = {}
    for plan in CarePlan.objects.filter(member_id__in=ids, closed_at__isnull=True, provider_npi__in=npis) \
            .order_by("created_at", "pk"):
        plans[plan.member_id] = plan  # the newest open plan wins
    finalized = dict(CarePlanVersion.objects.filter(care_plan__in=list(plans.values())).values("care_plan_id")
                     .annotate(last=Max("finalized_at")).values_list("care_plan_id", "last"))
    bases = _due_bases(ids)
    dues = _dues(bases)
    return [CaseloadLine(m, plans.get(m.person_id),
                         timezone.localtime(finalized[plans[m.person_id].pk]).date()
                         if m.person_id in plans and plans[m.person_id].pk in finalized else None,
                         dues.get(m.person_id),
                         assessed=m.person_id in bases and bases[m.person_id].last_assessed_on is not None)
            for m in members]


def audited_caseload(user: User, *, route: str) -> list[CaseloadLine]:
    lines = provider_caseload(user)
    record(actor=user, action=Action.SEARCH, object_type="CarePlanCaseload", route=route,
           detail={"person_ids": [line.member.person_id for line in lines]})
    return lines
