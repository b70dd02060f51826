"""The Notice of Action for a discontinuation of ECM (seed 004 VI.F.2.b): to the member or their authorized
representative, in their language (English or Spanish), with the reason, the date ECM ends, and the rights to
appeal to the plan and to a State Fair Hearing that the authorization decision notices carry.

The notice is a `Notice` of kind DISCONTINUATION on the authorization the ECM was delivered under, so it is listed,
re-printed and searched like every other notice; its PDF is rendered deterministically and stored (letters.py).
Called by carehub.apps.discontinuation.services when the plan confirms; idempotent per authorization.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.authorizations.models import AuthorizationRequest, Program
from carehub.apps.notices.letters import RenderedLetter, letter_language, long_date, render_letter
from carehub.apps.notices.models import Notice, NoticeKind, Recipient, Representative
from carehub.apps.notices.services import TITLES, _addressee, current_representative, new_reference
from carehub.domain import deadlines
from carehub.domain.calendar import default_calendar


@dataclass(frozen=True)
class DiscontinuationFacts:
    """What the letter says, from stored rows only (same facts, same bytes)."""

    reason_label: str
    reason_label_es: str
    explanation: str
    effective_on: date
    provider_name: str


def _context(notice: Notice, authorization: AuthorizationRequest, facts: DiscontinuationFacts,
             representative: Representative | None) -> dict[str, Any]:
    language = notice.language
    issued_day = default_calendar().local(notice.issued_at).date()
    appeal_by = default_calendar().local(deadlines.due("appeal-filing", issued_day)).date()
    member = authorization.member
    return {
        "lang": language, "kind": notice.kind, "notice": notice, "title": TITLES[language][notice.kind],
        "issued": long_date(issued_day, language), "addressee": _addressee(member, representative),
        "representative": representative, "member_name": member.display_name, "cin": member.member_id,
        "referral": authorization.referral.reference if authorization.referral_id else "",
        "reason": facts.reason_label_es if language == "es" else facts.reason_label,
        "explanation": facts.explanation, "effective": long_date(facts.effective_on, language),
        # ECM goes on during an appeal only when it has not ended yet (no advance notice: a death, the member's own
        # request; the letter offered "before <today>", found by a walk-through of the demo)
        "advance_notice": facts.effective_on > issued_day,
        "provider_name": facts.provider_name, "appeal_by": long_date(appeal_by, language),
        "appeal_days": deadlines.rule("appeal-filing").amount,
        "appeal_resolution_days": deadlines.rule("appeal-resolution").amount,
        "expedited_hours": deadlines.rule("appeal-expedited").amount,
        "hearing_days": deadlines.rule("state-hearing-filing").amount,
    }


def render_discontinuation(notice: Notice, authorization: AuthorizationRequest, facts: DiscontinuationFacts,
                           representative: Representative | None = None) -> RenderedLetter:
    context = _context(notice, authorization, facts, representative)
    return render_letter(f"notices/letters/{notice.language}/discontinuation.html", context,
                         issued_at=notice.issued_at, title=context["title"])


def issue_discontinuation_notice(authorization: AuthorizationRequest, facts: DiscontinuationFacts, *, actor: Any,
                                 now: datetime) -> Notice:
    """Write, store and record the notice of one confirmed discontinuation. Runs inside the caller's transaction,
    which confirms the discontinuation once: the notice exists exactly when the confirmation does. A second
    discontinuation on the same authorization (after a withdrawal or an appeal) gets its own notice; the first one
    used to be handed back, with the old reason and end date (found by a walk-through of the demo)."""
    member = authorization.member
    representative = current_representative(member, now)
    preferred = (representative.preferred_language or member.preferred_language
                 if representative else member.preferred_language)
    notice = Notice(reference=new_reference(), authorization=authorization, member=member,
                    kind=NoticeKind.DISCONTINUATION,
                    recipient=Recipient.REPRESENTATIVE if representative else Recipient.MEMBER,
                    language=letter_language(preferred), program=Program.ECM,
                    issued_at=now.replace(microsecond=0), due_at=None)
    notice.addressee = _addressee(member, representative)["name"][:200]
    pdf = render_discontinuation(notice, authorization, facts, representative).pdf
    notice.pdf, notice.size, notice.sha256 = pdf, len(pdf), hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        notice.save()
        record(actor=actor, action=Action.CREATE, object_type="Notice", object_id=notice.reference,
               person_id=member.person_id, purpose="ECM discontinuation notice",
               detail={"authorization": authorization.pk, "kind": notice.kind, "recipient": notice.recipient,
                       "language": notice.language, "sha256": notice.sha256})
    return notice
