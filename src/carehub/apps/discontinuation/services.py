"""Every write of the discontinuation workflow (seed 004 VI.F; seed 000 II.i):

- `request_discontinuation`: the ECM provider (or the member, for their own wish to stop; or the plan on the
  member's behalf) records a reason of seed 004 VI.F.1 with its evidence; the plan is told.
- `confirm`: the plan's care coordination confirms: the Notice of Action goes to the member (VI.F.2.b) when the
  reason needs one, the provider is notified (VI.F.2.a), a transition to a lower level of care is planned within
  30 days where appropriate (VI.F.1.j), and ECM ends on the date of action (10 days' advance notice, 42 CFR
  431.211, unless an exception of 431.213 applies).
- `end_due`: on the date of action the assignment ends and the enrollment is marked discontinued, unless a
  timely appeal holds it (42 CFR 438.420).
- `send_back`: the plan returns the request to the provider with what is missing.
- `complete_transition`: the transition to the next program is done.

Each takes a keyword-only `actor`, runs in one transaction, writes an audit record, and sends notifications
after commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import Organization, OrganizationKind, Role
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.assignments.services import end_assignment
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import JobActor, record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision, Program
from carehub.apps.consents.services import expire_at_end_of_ecm
from carehub.apps.discontinuation.models import Discontinuation, Origin, Status
from carehub.apps.members.selectors import organization_npis
from carehub.apps.notices.discontinuation import DiscontinuationFacts, issue_discontinuation_notice
from carehub.apps.notices.models import Case, CaseKind, CaseStatus, Outcome
from carehub.apps.notifications.services import notify_after_commit
from carehub.apps.providers.models import ProviderOrganization
from carehub.domain import discontinuation as policy
from carehub.domain.calendar import default_calendar
from carehub.domain.discontinuation import Reason, ReasonRule

PROVIDER_RECORDING_ROLES = {Role.ECM_PROVIDER_STAFF, Role.LEAD_CARE_MANAGER}
PLAN_REVIEW_ROLES = {Role.PLAN_CARE_COORDINATION, Role.PLAN_ADMIN}


class DiscontinuationError(ValueError):
    """A change that cannot be made; the message says what to fix (and never carries member data)."""


def configuration() -> dict[str, Any]:
    """The plan's settings, `CAREHUB_DISCONTINUATION` (all optional): `reasons_file` (a CSV laid out like
    carehub/domain/discontinuation_reasons.csv; default: that file), `transition_days` (default 30, seed 004
    VI.F.1.j.1) and `advance_notice_days` (default and minimum 10, 42 CFR 431.211)."""
    return dict(getattr(settings, "CAREHUB_DISCONTINUATION", {}) or {})


def reasons() -> Mapping[Reason, ReasonRule]:
    path = configuration().get("reasons_file")
    return policy.load_reasons(Path(path)) if path else policy.default_reasons()


def transition_days() -> int:
    return int(configuration().get("transition_days", policy.TRANSITION_DAYS))


def advance_notice_days() -> int:
    """`advance_notice_days` (default and minimum 10, 42 CFR 431.211); domain.discontinuation.ends_on refuses
    fewer."""
    return int(configuration().get("advance_notice_days", policy.ADVANCE_NOTICE_DAYS))


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
                            evidence_file: EvidenceFile | None = None, return_file: str = "",
                            now: datetime | None = None) -> Discontinuation:
    """Record a reason to discontinue a member's ECM (seed 004 VI.F.1) with its evidence, for the plan to
    confirm. The plan's care coordination is notified, and the provider too when the member asked.
    `return_file` names the provider's RTF the request comes from (assignments.exchange, which has checked that
    the file is the uploader's organization's): its rows are the provider's word, whoever loads the file."""
    try:
        reason = Reason(reason)
    except ValueError as exc:
        raise DiscontinuationError("choose one of the discontinuation reasons") from exc
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status not in OPEN_STATUSES:
        raise DiscontinuationError("this member's ECM assignment is not open")
    origin = Origin.RETURN_FILE if return_file else _origin_for(assignment, reason, actor)
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
    ending = Discontinuation.objects.ending().filter(assignment=assignment).values_list("effective_on",
                                                                                         flat=True).first()
    if ending is not None:
        raise DiscontinuationError(f"the plan already confirmed that this member's ECM ends on {ending.isoformat()}")
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
                   "evidence_file_sha256": item.evidence_sha256, "return_file": return_file})
    link = f"/discontinuation/{item.pk}/"
    plan = _plan_organization()
    if plan is not None:
        notify_after_commit(actor=actor, kind="discontinuation-requested", organization=plan,
                            subject=f"ECM discontinuation to review: {rules[reason].label}",
                            body="A discontinuation request waits for care coordination review.",
                            person_id=item.member_id, link=link, dedupe_key=f"discontinuation-requested-{item.pk}")
    if origin not in (Origin.PROVIDER, Origin.RETURN_FILE):
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
    """The plan confirms: the Notice of Action is issued today when the reason needs one, and ECM ends on the
    date of action: 10 days after the notice (42 CFR 431.211), or today under an exception of 431.213 (death, the
    member's written request, incarceration, lost eligibility) or when no notice goes out. Until then the
    assignment stays open and the provider keeps serving the member; `end_due` ends it on the day (a job queued
    for that day, and `carehub discontinuation end-due`). The provider is notified, and for graduation and
    transitions a transition is due within the plan's transition days."""
    item = _for_review(item, actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    rule = reasons()[Reason(item.reason)]
    item.status, item.reviewed_by, item.reviewed_at = Status.CONFIRMED, actor, now
    item.review_note = note.strip()[:2000]
    item.needs_notice = rule.needs_notice
    written_on = notice_authorization(item.assignment) if rule.needs_notice else None
    item.effective_on = (policy.ends_on(today, rule, written_request=item.origin == Origin.MEMBER,
                                        days=advance_notice_days())
                         if written_on is not None else today)
    if rule.plans_transition:
        item.transition_due_on = policy.transition_due(today, transition_days())
        item.transition_to = transition_to.strip()[:200]
    if written_on is not None:
        facts = DiscontinuationFacts(reason_label=rule.label, reason_label_es=rule.label_es,
                                     explanation="", effective_on=item.effective_on,
                                     provider_name=_provider_name(item.provider_npi))
        item.notice = issue_discontinuation_notice(written_on, facts, actor=actor, now=now)
    item.save()
    record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="ECM discontinuation confirmed",
           detail={"reason": item.reason, "effective_on": item.effective_on.isoformat(),
                   "advance_notice_days": (item.effective_on - today).days,
                   "advance_notice_rule": rule.advance_notice_source,
                   "notice": item.notice.reference if item.notice else "",
                   "transition_due_on": item.transition_due_on.isoformat() if item.transition_due_on else ""})
    ends = item.effective_on.isoformat()
    due = f" Plan the transition by {item.transition_due_on.isoformat()}." if item.transition_due_on else ""
    if item.effective_on <= today:
        _end(item, actor=actor, now=now)
        body = f"The plan confirmed the end of ECM on {ends}.{due}"
    else:
        _queue_end(item.pk, item.effective_on)
        body = (f"The plan confirmed the discontinuation; ECM ends on {ends}, after the member's advance notice. "
                f"Keep serving the member until then.{due}")
    notify_after_commit(actor=actor, kind="discontinuation-confirmed", npi=item.provider_npi,
                        subject=f"ECM discontinued: {rule.label}", body=body,
                        person_id=item.member_id, link=f"/discontinuation/{item.pk}/",
                        dedupe_key=f"discontinuation-confirmed-{item.pk}")
    if rule.needs_notice:  # the member's own copy of the news in the portal (not after a death)
        ended = item.effective_on <= today
        notify_after_commit(actor=actor, kind="discontinuation-confirmed", member=item.member,
                            subject="Your Enhanced Care Management (ECM) has ended" if ended
                            else f"Your Enhanced Care Management (ECM) will end on {ends}",
                            body="Your notice, with your right to appeal, is on your My ECM page." if ended
                            else "Your notice is on your My ECM page. If you appeal by that date, your ECM goes on "
                                 "while we decide.",
                            link="/discontinuation/my-ecm/", dedupe_key=f"discontinuation-confirmed-member-{item.pk}")
    return item


def _end(item: Discontinuation, *, actor: Any, now: datetime) -> None:
    """ECM ends on the date of action: the assignment (and the provider's access), the enrollment and the
    Lead Care Manager period end that day, and consents that last until the end of ECM expire. Runs in the
    caller's transaction on a locked row."""
    day = item.effective_on or timezone.localdate(now)
    assignment = Assignment.objects.get(pk=item.assignment_id)
    rule = reasons()[Reason(item.reason)]
    if assignment.status in OPEN_STATUSES:
        end_assignment(assignment, f"ECM discontinued: {rule.label}", actor=actor, on=day, now=now)
    _mark_enrollment_discontinued(assignment, actor=actor, on=day, reason=item.reason)
    expired = expire_at_end_of_ecm(item.member, day, actor=actor)
    item.ended_on = day
    item.save(update_fields=["ended_on", "appeal"])
    record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="ECM ended on the date of action",
           detail={"ended_on": day.isoformat(), "consents_expired": expired,
                   "appeal": item.appeal.reference if item.appeal_id else ""})


def _queue_end(item_id: int, day: date | None) -> None:
    """A job for the start of `day` (plan time), when the queue can hold one; `end_due` run daily
    (`carehub discontinuation end-due`) catches any the queue lost."""
    from django_tasks import default_task_backend

    from carehub.apps.discontinuation.tasks import end_ecm_job

    if not default_task_backend.supports_defer or day is None:
        return
    start = datetime.combine(day, time.min, tzinfo=default_calendar().tz)
    transaction.on_commit(lambda: end_ecm_job.using(run_after=start).enqueue(item_id))


def _timely_appeal(item: Discontinuation) -> Case | None:
    """The member's latest appeal of their ECM received after the notice and in time to keep ECM going
    (domain.discontinuation.end_held_by_appeal)."""
    notice_day = timezone.localdate(item.reviewed_at)
    for case in (Case.objects.filter(member_id=item.member_id, kind=CaseKind.APPEAL, program=Program.ECM,
                                     received_at__gte=item.reviewed_at)
                 .exclude(status=CaseStatus.WITHDRAWN).order_by("-received_at", "-pk")):
        if policy.end_held_by_appeal(timezone.localdate(case.received_at), notice_day, item.effective_on):
            return case
    return None


def _end_or_hold(item: Discontinuation, today: date, *, actor: Any, now: datetime) -> str:
    """End the member's ECM if its day has come and no timely appeal holds it; says what happened."""
    appeal = _timely_appeal(item)
    if appeal is not None and appeal.pk != item.appeal_id:
        item.appeal = appeal
        item.save(update_fields=["appeal"])
        record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
               person_id=item.member_id, purpose="ECM end held: appeal received in time",
               detail={"appeal": appeal.reference, "rule": "42 CFR 438.420"})
    if appeal is not None and appeal.is_open:
        return "held"
    if appeal is not None and appeal.outcome in (Outcome.OVERTURNED, Outcome.PARTIALLY_OVERTURNED):
        item.reversed_on_appeal = True
        item.save(update_fields=["reversed_on_appeal"])
        record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
               person_id=item.member_id, purpose="ECM goes on: discontinuation overturned on appeal",
               detail={"appeal": appeal.reference})
        notify_after_commit(actor=actor, kind="discontinuation-overturned", npi=item.provider_npi,
                            subject="ECM goes on: the discontinuation was overturned on appeal",
                            body="The member's appeal was decided in their favour; the assignment stays open.",
                            person_id=item.member_id, link=f"/discontinuation/{item.pk}/",
                            dedupe_key=f"discontinuation-overturned-{item.pk}")
        return "reversed"
    if appeal is not None and appeal.resolved_at is not None:
        last = policy.end_after_upheld_appeal(timezone.localdate(appeal.resolved_at))
        if today < last:
            return "held"
        item.effective_on = max(item.effective_on, last)
        item.save(update_fields=["effective_on"])
    _end(item, actor=actor, now=now)
    notify_after_commit(actor=actor, kind="discontinuation-ended", npi=item.provider_npi,
                        subject="ECM ended today", body=f"ECM ended on {item.effective_on.isoformat()}.",
                        person_id=item.member_id, link=f"/discontinuation/{item.pk}/",
                        dedupe_key=f"discontinuation-ended-{item.pk}")
    return "ended"


def end_due(today: date | None = None, *, actor: Any = None, only: int | None = None) -> dict[str, int]:
    """End ECM for every confirmed discontinuation whose date of action has come, unless a timely appeal holds
    it (each in its own transaction). Idempotent: run again the same day, nothing changes. Returns counts by
    outcome (ended, held, reversed). The job of one discontinuation (`only`) queues itself for the next day while
    an appeal holds it."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    actor = actor or JobActor("discontinuation-end")
    counts = {"ended": 0, "held": 0, "reversed": 0}
    due = Discontinuation.objects.ending().filter(effective_on__lte=today)
    if only is not None:
        due = due.filter(pk=only)
    for pk in due.order_by("effective_on", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            item = Discontinuation.objects.select_for_update().select_related("member").get(pk=pk)
            if not item.ending or item.effective_on is None or item.effective_on > today:
                continue
            outcome = _end_or_hold(item, today, actor=actor, now=now)
            if outcome == "held" and only is not None:  # the day's job looks again tomorrow
                _queue_end(item.pk, today + timedelta(days=1))
            counts[outcome] += 1
    return counts


@transaction.atomic
def withdraw(item: Discontinuation, note: str, *, actor: Any, now: datetime | None = None) -> Discontinuation:
    """The plan takes back a confirmed discontinuation before its date of action (the member engaged again, the
    evidence was wrong): ECM goes on, the provider and the member are told. Not after ECM ended: the member is
    then referred again."""
    note = note.strip()
    if not note:
        raise DiscontinuationError("say why the discontinuation is withdrawn")
    if getattr(actor, "role", "") not in PLAN_REVIEW_ROLES:
        raise DiscontinuationError("only the plan's care coordination withdraws a discontinuation")
    item = Discontinuation.objects.select_for_update().get(pk=item.pk)
    if not item.ending:
        raise DiscontinuationError("only a discontinuation whose ECM has not ended yet can be withdrawn")
    item.status, item.review_note = Status.WITHDRAWN, f"{item.review_note}\nWithdrawn: {note}".strip()[:2000]
    item.save(update_fields=["status", "review_note"])
    record(actor=actor, action=Action.UPDATE, object_type="Discontinuation", object_id=str(item.pk),
           person_id=item.member_id, purpose="ECM discontinuation withdrawn before the date of action",
           detail={"note": note, "effective_on": item.effective_on.isoformat() if item.effective_on else ""})
    notify_after_commit(actor=actor, kind="discontinuation-withdrawn", npi=item.provider_npi,
                        subject="ECM goes on: the plan withdrew the discontinuation",
                        body=f"The plan withdrew the discontinuation: {note}", person_id=item.member_id,
                        link=f"/discontinuation/{item.pk}/", dedupe_key=f"discontinuation-withdrawn-{item.pk}")
    if item.notice_id:
        notify_after_commit(actor=actor, kind="discontinuation-withdrawn", member=item.member,
                            subject="Your Enhanced Care Management (ECM) will not end",
                            body="We took back the notice that your ECM would end. Your ECM goes on.",
                            link="/discontinuation/my-ecm/", dedupe_key=f"discontinuation-withdrawn-member-{item.pk}")
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
