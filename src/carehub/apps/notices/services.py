"""Issuing decision notices: an approval notice or a Notice of Action (denial, modification) to the member or
their authorized representative, in their language, and a copy to the referrer without protected details.

Called after the decision commits (authorizations.services.decide, transaction.on_commit). Idempotent: one
notice per decision and recipient, so a retry after a failure issues only what is missing."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import JobActor, record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision, Program
from carehub.apps.members.models import Member
from carehub.apps.notices.letters import RenderedLetter, letter_language, long_date, render_letter
from carehub.apps.notices.models import Notice, NoticeKind, Recipient, Representative
from carehub.apps.referrals.models import ReferralSource
from carehub.domain import deadlines
from carehub.domain.calendar import default_calendar

_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
KIND_FOR_DECISION = {Decision.APPROVED: NoticeKind.APPROVAL, Decision.DENIED: NoticeKind.DENIAL,
                     Decision.MODIFIED: NoticeKind.MODIFICATION}
# The plan's own identification run and a member's own request have no third party to copy.
NO_REFERRER_COPY = {ReferralSource.IDENTIFIED, ReferralSource.MEMBER}
TITLES = {
    "en": {NoticeKind.APPROVAL: "Approval notice", NoticeKind.DENIAL: "Notice of Action: denial",
           NoticeKind.MODIFICATION: "Notice of Action: modification",
           NoticeKind.DISCONTINUATION: "Notice of Action: discontinuation"},
    "es": {NoticeKind.APPROVAL: "Aviso de aprobación", NoticeKind.DENIAL: "Aviso de acción: negación",
           NoticeKind.MODIFICATION: "Aviso de acción: modificación",
           NoticeKind.DISCONTINUATION: "Aviso de acción: terminación"},
}


def new_reference() -> str:
    while True:
        reference = "NTC-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not Notice.objects.filter(reference=reference).exists():
            return reference


def current_representative(member: Member, on: datetime) -> Representative | None:
    day = default_calendar().local(on).date()
    return (Representative.objects.filter(member=member, start_date__lte=day)
            .exclude(end_date__lt=day).order_by("-start_date", "-pk").first())


def _addressee(member: Member, representative: Representative | None) -> dict[str, str]:
    source: Any = representative or member
    name = representative.name if representative else member.display_name
    city = f"{source.city}, {source.state} {source.zip_code}".strip(", ") if source.city else ""
    return {"name": name, "address": source.address, "city": city}


def member_context(notice: Notice, authorization: AuthorizationRequest,
                   representative: Representative | None) -> dict[str, Any]:
    """Everything the member's letter shows. Built only from stored rows, so a re-render gives the same bytes."""
    member = authorization.member
    language = notice.language
    issued_day = default_calendar().local(notice.issued_at).date()
    appeal_by = default_calendar().local(deadlines.due("appeal-filing", issued_day)).date()
    return {
        "lang": language, "kind": notice.kind, "notice": notice, "title": TITLES[language][notice.kind],
        "issued": long_date(issued_day, language), "addressee": _addressee(member, representative),
        "representative": representative, "member_name": member.display_name, "cin": member.member_id,
        "referral": authorization.referral.reference, "reasons": authorization.reasons,
        "start": long_date(authorization.start_date, language) if authorization.start_date else "",
        "end": long_date(authorization.end_date, language) if authorization.end_date else "",
        "ecm": authorization.program == Program.ECM, "appeal_by": long_date(appeal_by, language),
        "appeal_days": deadlines.rule("appeal-filing").amount,
        "appeal_resolution_days": deadlines.rule("appeal-resolution").amount,
        "expedited_hours": deadlines.rule("appeal-expedited").amount,
        "hearing_days": deadlines.rule("state-hearing-filing").amount,
        "adverse": notice.kind != NoticeKind.APPROVAL,
    }


def referrer_context(notice: Notice, authorization: AuthorizationRequest) -> dict[str, Any]:
    """The referrer's copy: the outcome and dates only. No reasons (they may carry clinical detail), no
    populations, diagnoses or Part 2 information, no member address."""
    referral = authorization.referral
    issued_day = default_calendar().local(notice.issued_at).date()
    return {
        "lang": "en", "kind": notice.kind, "notice": notice, "title": TITLES["en"][notice.kind] + " (copy)",
        "issued": long_date(issued_day, "en"),
        "addressee": {"name": referral.referrer_name, "address": referral.referrer_organization, "city": ""},
        "member_name": authorization.member.display_name, "referral": referral.reference,
        "start": long_date(authorization.start_date, "en") if authorization.start_date else "",
        "end": long_date(authorization.end_date, "en") if authorization.end_date else "",
        "ecm": authorization.program == Program.ECM,
    }


def _template(notice: Notice) -> str:
    who = "referrer" if notice.recipient == Recipient.REFERRER else "member"
    return f"notices/letters/{notice.language}/{who}.html"


def render_notice(notice: Notice, authorization: AuthorizationRequest,
                  representative: Representative | None = None) -> RenderedLetter:
    """The letter (HTML and PDF) of a notice from the stored decision: same notice, same bytes."""
    context = (referrer_context(notice, authorization) if notice.recipient == Recipient.REFERRER
               else member_context(notice, authorization, representative))
    return render_letter(_template(notice), context, issued_at=notice.issued_at, title=context["title"])


def rerender(notice: Notice) -> RenderedLetter:
    """Render a stored notice again from today's rows (a check that the letter is reproducible; re-prints use
    the stored bytes)."""
    representative = (current_representative(notice.member, notice.issued_at)
                      if notice.recipient == Recipient.REPRESENTATIVE else None)
    authorization = AuthorizationRequest.objects.select_related("member", "referral").get(pk=notice.authorization_id)
    return render_notice(notice, authorization, representative)


def _recipients(authorization: AuthorizationRequest, representative: Representative | None) -> list[str]:
    recipients = [Recipient.REPRESENTATIVE if representative else Recipient.MEMBER]
    referral = authorization.referral
    if referral.source not in NO_REFERRER_COPY and referral.referrer_name:
        recipients.append(Recipient.REFERRER)
    return recipients


def _notice_due(authorization: AuthorizationRequest, recipient: str) -> datetime | None:
    """The member's notice: the decision's notice clock; the referrer's copy: deadlines.referrer_notice_due."""
    if recipient == Recipient.REFERRER and authorization.decided_at is not None:
        return deadlines.referrer_notice_due(authorization.notice_due_at, authorization.decided_at,
                                             calendar=default_calendar())
    return authorization.notice_due_at


def issue_decision_notices(authorization_id: int, *, actor: Any = None,
                           now: datetime | None = None) -> list[Notice]:
    """Write, store and record the notices of a decided authorization: one to the member (or their current
    authorized representative) in their preferred language, English otherwise, and a copy to the referrer.
    Returns the notices issued now (none when all were issued before)."""
    actor = actor or JobActor("notices")
    authorization = (AuthorizationRequest.objects.select_related("member", "referral")
                     .get(pk=authorization_id))
    kind = KIND_FOR_DECISION.get(authorization.decision)
    if kind is None:
        return []
    now = now or timezone.now()
    representative = current_representative(authorization.member, now)
    issued = []
    for recipient in _recipients(authorization, representative):
        if Notice.objects.filter(authorization=authorization, kind=kind, recipient=recipient).exists():
            continue
        preferred = (representative.preferred_language or authorization.member.preferred_language
                     if recipient == Recipient.REPRESENTATIVE and representative
                     else authorization.member.preferred_language)
        language = "en" if recipient == Recipient.REFERRER else letter_language(preferred)
        notice = Notice(reference=new_reference(), authorization=authorization, member=authorization.member,
                        kind=kind, recipient=recipient, language=language, program=authorization.program,
                        issued_at=now.replace(microsecond=0), due_at=_notice_due(authorization, recipient))
        notice.addressee = (authorization.referral.referrer_name if recipient == Recipient.REFERRER
                            else _addressee(authorization.member, representative)["name"])[:200]
        pdf = render_notice(notice, authorization, representative).pdf
        notice.pdf, notice.size = pdf, len(pdf)
        notice.sha256 = hashlib.sha256(pdf).hexdigest()
        try:
            with transaction.atomic():
                notice.save()
                record(actor=actor, action=Action.CREATE, object_type="Notice", object_id=notice.reference,
                       person_id=authorization.member_id, purpose="decision notice",
                       detail={"authorization": authorization.pk, "kind": kind, "recipient": recipient,
                               "language": language, "sha256": notice.sha256, "on_time": notice.on_time})
        except IntegrityError:  # issued concurrently by another worker: theirs stands
            continue
        issued.append(notice)
    return issued


def schedule_decision_notices(authorization_id: int, *, actor: Any) -> None:
    """Queue the job that issues the notices once the decision has committed (never for a decision that rolled
    back); see notices/tasks.py. The job acts for the same user (or job) as the decision."""
    from carehub.apps.notices.tasks import issue_decision_notices_job

    if isinstance(actor, JobActor):
        args: dict[str, Any] = {"job": actor.label}
    else:
        args = {"actor_id": actor.pk if getattr(actor, "is_authenticated", False) else None}
    transaction.on_commit(lambda: issue_decision_notices_job.enqueue(authorization_id, **args))
