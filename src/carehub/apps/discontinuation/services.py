"""Every write of the discontinuation workflow (seed 004 VI.F; seed 000 II.i):

- `request_discontinuation`: the ECM provider (or the member, for their own wish to stop; or the plan on the
  member's behalf) records a reason of seed 004 VI.F.1 with its evidence; the plan is told.
- `confirm`: the plan's care coordination confirms: the assignment ends, the enrollment is marked discontinued,
  the Notice of Action goes to the member (VI.F.2.b) when the reason needs one, the provider is notified
  (VI.F.2.a), and a transition to a lower level of care is planned within 30 days where appropriate (VI.F.1.j).
- `send_back`: the plan returns the request to the provider with what is missing.
- `complete_transition`: the transition to the next program is done.

Each takes a keyword-only `actor`, runs in one transaction, writes an audit record, and sends notifications
after commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import Organization, OrganizationKind, Role
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.assignments.services import end_assignment
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision, Program
from carehub.apps.consents.services import expire_at_end_of_ecm
from carehub.apps.discontinuation.models import Discontinuation, Origin, Status
from carehub.apps.members.selectors import organization_npis
from carehub.apps.notices.discontinuation import DiscontinuationFacts, issue_discontinuation_notice
from carehub.apps.notifications.services import notify_after_commit
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain import discontinuation as policy
from carehub.domain.discontinuation import Reason, ReasonRule

PROVIDER_RECORDING_ROLES = {Role.ECM_PROVIDER_STAFF, Role.LEAD_CARE_MANAGER}
PLAN_REVIEW_ROLES = {Role.PLAN_CARE_COORDINATION, Role.PLAN_ADMIN}


class DiscontinuationError(ValueError):
    """A change that cannot be made; the message says what to fix (and never carries member data)."""


def configuration() -> dict[str, Any]:
    """The plan's settings, `CAREHUB_DISCONTINUATION` (all optional): `reasons_file` (a CSV laid out like
    carehub/domain/discontinuation_reasons.csv; default: that file) and `transition_days` (default 30, seed 004
    VI.F.1.j.1)."""
    return dict(getattr(settings, "CAREHUB_DISCONTINUATION", {}) or {})


def reasons() -> Mapping[Reason, ReasonRule]:
    path = configuration().get("reasons_file")
    return policy.load_reasons(Path(path)) if path else policy.default_reasons()


def transition_days() -> int:
    return int(configuration().get("transition_days", policy.TRANSITION_DAYS))


@dataclass(frozen=True)
class EvidenceFile:
    """An uploaded evidence file, read and checked (carehub.domain.discontinuation.file_problem)."""

    name: str
    content_type: str
    content: bytes

    @classmethod
    def from_upload(cls, upload: Any) -> EvidenceFile:
        """From a Django UploadedFile; reads at most one byte past the limit so a huge file is not loaded."""
        content = upload.read(policy.EVIDENCE_MAX_BYTES + 1)
        return cls(name=Path(upload.name or "evidence").name[:200], content_type=upload.content_type or "",
                   content=content)


def _plan_organization() -> Organization | None:
    return Organization.objects.filter(kind=OrganizationKind.PLAN).order_by("pk").first()


def _provider_name(npi: str) -> str:
    return ProviderOrganization.objects.filter(npi=npi).values_list("name", flat=True).first() or npi


def _origin_for(assignment: Assignment, reason: Reason, actor: Any) -> str:
    """Who may record which reason: the assigned provider's staff, any reason; the member, only their own wish
    to stop; the plan's care coordination, any reason (e.g. the member called the plan)."""
    role = getattr(actor, "role", "")
    if role in PROVIDER_RECORDING_ROLES:
        if assignment.provider_npi in organization_npis(getattr(actor, "organization_id", None)):
            return Origin.PROVIDER
        raise DiscontinuationError("this member is not assigned to your organization")
    if role == Role.MEMBER:
        member = getattr(actor, "member", None)
        if member is None or member.person_id != assignment.member_id:
            raise DiscontinuationError("you can only ask to stop your own ECM")
        if reason != Reason.MEMBER_WISH:
            raise DiscontinuationError("a member can ask to stop ECM; other reasons are recorded by the provider")
        return Origin.MEMBER
    if role in PLAN_REVIEW_ROLES:
        return Origin.PLAN
    raise DiscontinuationError("your role cannot record a discontinuation")


@transaction.atomic
def request_discontinuation(assignment: Assignment, reason: str, *, actor: Any, evidence: str = "",
                            evidence_file: EvidenceFile | None = None,
                            now: datetime | None = None) -> Discontinuation:
    """Record a reason to discontinue a member's ECM (seed 004 VI.F.1) with its evidence, for the plan to
    confirm. The plan's care coordination is notified, and the provider too when the member asked."""
    try:
        reason = Reason(reason)
    except ValueError as exc:
        raise DiscontinuationError("choose one of the discontinuation reasons") from exc
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status not in OPEN_STATUSES:
        raise DiscontinuationError("this member's ECM assignment is not open")
    origin = _origin_for(assignment, reason, actor)
    rules = reasons()
    problem = policy.evidence_problem(reason, evidence, evidence_file is not None, rules)
    if problem and origin != Origin.MEMBER:  # the member's own request is its evidence
        raise DiscontinuationError(problem)
    if evidence_file is not None:
        head = evidence_file.content[:16]
        problem = policy.file_problem(evidence_file.content_type, head, len(evidence_file.content))
        if problem:
            raise DiscontinuationError(problem)
    if Discontinuation.objects.filter(assignment=assignment, status=Status.REQUESTED).exists():
        raise DiscontinuationError("a discontinuation request for this member is already waiting for the plan")
    now = now or timezone.now()
    item = Discontinuation(
        assignment=assignment, member_id=assignment.member_id, provider_npi=assignment.provider_npi,
        reason=reason, origin=origin, evidence=evidence.strip()[:5000],
        requested_by=actor if getattr(actor, "pk", None) else None, requested_at=now,
        needs_notice=rules[reason].needs_notice)
    if evidence_file is not None:
        item.evidence_file = evidence_file.content
        item.evidence_filename = evidence_file.name
        item.evidence_content_type = evidence_file.content_type
        item.evidence_sha256 = hashlib.sha256(evidence_file.content).hexdigest()
    item.save()
    record(actor=actor, action=Action.CREATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="ECM discontinuation requested",
           detail={"reason": reason, "origin": origin, "assignment": assignment.pk,
                   "evidence_file_sha256": item.evidence_sha256})
    link = f"/discontinuation/{item.pk}/"
    plan = _plan_organization()
    if plan is not None:
        notify_after_commit(actor=actor, kind="discontinuation-requested", organization=plan,
                            subject=f"ECM discontinuation to review: {rules[reason].label}",
                            body="A discontinuation request waits for care coordination review.",
                            person_id=item.member_id, link=link, dedupe_key=f"discontinuation-requested-{item.pk}")
    if origin != Origin.PROVIDER:
        notify_after_commit(actor=actor, kind="discontinuation-requested", npi=assignment.provider_npi,
                            subject="A member asked to stop ECM" if origin == Origin.MEMBER
                            else f"The plan recorded an ECM discontinuation: {rules[reason].label}",
                            body="The plan will review the request and tell you when ECM ends.",
                            person_id=item.member_id, link=link,
                            dedupe_key=f"discontinuation-requested-provider-{item.pk}")
    return item


def _for_review(item: Discontinuation, actor: Any) -> Discontinuation:
    if getattr(actor, "role", "") not in PLAN_REVIEW_ROLES:
        raise DiscontinuationError("only the plan's care coordination reviews discontinuations")
    locked = Discontinuation.objects.select_for_update().select_related("assignment").get(pk=item.pk)
    if locked.status != Status.REQUESTED:
        raise DiscontinuationError("this request is not waiting for review")
    return locked


def notice_authorization(assignment: Assignment) -> AuthorizationRequest | None:
    """The ECM authorization the notice is written on: the assignment's, else the member's latest approved one."""
    if assignment.authorization_id:
        return AuthorizationRequest.objects.select_related("member", "referral").get(pk=assignment.authorization_id)
    return (AuthorizationRequest.objects.select_related("member", "referral")
            .filter(member_id=assignment.member_id, program=Program.ECM,
                    decision__in=(Decision.APPROVED, Decision.MODIFIED))
            .order_by("-decided_at", "-pk").first())


def _mark_enrollment_discontinued(assignment: Assignment, *, actor: Any, on: date, reason: str) -> None:
    from carehub.apps.engagement.services import mark_discontinued  # engagement owns enrollment; imports us

    mark_discontinued(assignment, actor=actor, on=on, reason=reason)


@transaction.atomic
def confirm(item: Discontinuation, *, actor: Any, note: str = "", transition_to: str = "",
            now: datetime | None = None) -> Discontinuation:
    """The plan confirms: ECM ends today (the assignment and the provider's access end with it), the enrollment
    is discontinued, the Notice of Action is issued when the reason needs one, the provider is notified, and
    for graduation and transitions a transition is due within the plan's transition days."""
    item = _for_review(item, actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    rule = reasons()[Reason(item.reason)]
    assignment = item.assignment
    if assignment.status in OPEN_STATUSES:
        end_assignment(assignment, f"ECM discontinued: {rule.label}", actor=actor, on=today, now=now)
    _mark_enrollment_discontinued(assignment, actor=actor, on=today, reason=item.reason)
    expired = expire_at_end_of_ecm(item.member, today, actor=actor)
    item.status, item.reviewed_by, item.reviewed_at = Status.CONFIRMED, actor, now
    item.review_note, item.effective_on = note.strip()[:2000], today
    item.needs_notice = rule.needs_notice
    if rule.plans_transition:
        item.transition_due_on = policy.transition_due(today, transition_days())
        item.transition_to = transition_to.strip()[:200]
    if rule.needs_notice:
        authorization = notice_authorization(assignment)
        if authorization is not None:
            facts = DiscontinuationFacts(reason_label=rule.label, reason_label_es=rule.label_es,
                                         explanation="", effective_on=today,
                                         provider_name=_provider_name(item.provider_npi))
            item.notice = issue_discontinuation_notice(authorization, facts, actor=actor, now=now)
    item.save()
    record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="ECM discontinuation confirmed",
           detail={"reason": item.reason, "effective_on": today.isoformat(),
                   "notice": item.notice.reference if item.notice else "",
                   "transition_due_on": item.transition_due_on.isoformat() if item.transition_due_on else "",
                   "consents_expired": expired})
    due = f" Plan the transition by {item.transition_due_on.isoformat()}." if item.transition_due_on else ""
    notify_after_commit(actor=actor, kind="discontinuation-confirmed", npi=item.provider_npi,
                        subject=f"ECM discontinued: {rule.label}",
                        body=f"The plan confirmed the end of ECM on {today.isoformat()}.{due}",
                        person_id=item.member_id, link=f"/discontinuation/{item.pk}/",
                        dedupe_key=f"discontinuation-confirmed-{item.pk}")
    if rule.needs_notice:  # the member's own copy of the news in the portal (not after a death)
        notify_after_commit(actor=actor, kind="discontinuation-confirmed", member=item.member,
                            subject="Your Enhanced Care Management (ECM) has ended",
                            body="Your notice, with your right to appeal, is on your My ECM page.",
                            link="/discontinuation/my-ecm/", dedupe_key=f"discontinuation-confirmed-member-{item.pk}")
    return item


@transaction.atomic
def send_back(item: Discontinuation, note: str, *, actor: Any, now: datetime | None = None) -> Discontinuation:
    """The plan returns the request to the provider, saying what is missing. ECM continues; the provider may
    file a new request."""
    note = note.strip()
    if not note:
        raise DiscontinuationError("say what the provider should add or change")
    item = _for_review(item, actor)
    now = now or timezone.now()
    item.status, item.reviewed_by, item.reviewed_at, item.review_note = Status.SENT_BACK, actor, now, note[:2000]
    item.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="ECM discontinuation sent back", detail={"note": item.review_note})
    notify_after_commit(actor=actor, kind="discontinuation-sent-back", npi=item.provider_npi,
                        subject="ECM discontinuation request sent back",
                        body=f"The plan sent the request back: {item.review_note}", person_id=item.member_id,
                        link=f"/discontinuation/{item.pk}/", dedupe_key=f"discontinuation-sent-back-{item.pk}")
    return item


@transaction.atomic
def complete_transition(item: Discontinuation, *, actor: Any, on: date | None = None, transition_to: str = "",
                        note: str = "") -> Discontinuation:
    """The member's care moved to the lower level of care or alternative program (seed 004 VI.F.1.j): recorded by
    the ECM provider that coordinated the transfer (VI.F.1.j.1) or by the plan's care coordination."""
    item = Discontinuation.objects.select_for_update().get(pk=item.pk)
    role = getattr(actor, "role", "")
    own_provider = (role in PROVIDER_RECORDING_ROLES
                    and item.provider_npi in organization_npis(getattr(actor, "organization_id", None)))
    if role not in PLAN_REVIEW_ROLES and not own_provider:
        raise DiscontinuationError("only the member's ECM provider or the plan's care coordination records transitions")
    if item.status != Status.CONFIRMED or item.transition_due_on is None:
        raise DiscontinuationError("this discontinuation has no transition to complete")
    if item.transition_completed_on is not None:
        raise DiscontinuationError("this transition is already recorded")
    item.transition_completed_on = on or timezone.localdate()
    if transition_to.strip():
        item.transition_to = transition_to.strip()[:200]
    if not item.transition_to:
        raise DiscontinuationError("name the program or provider the member moved to")
    item.transition_note = note.strip()[:2000]
    item.save(update_fields=["transition_completed_on", "transition_to", "transition_note"])
    record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="transition to a lower level of care completed",
           detail={"on": item.transition_completed_on.isoformat(), "to": item.transition_to,
                   "on_time": item.transition_completed_on <= item.transition_due_on})
    return item
