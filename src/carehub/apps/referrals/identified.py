"""Referrals from the plan's identification run (issue 4: one more referral source).

Every member newly identified by a run (a NEW row, no exclusion) becomes a referral from the IDENTIFIED source
through the ordinary intake service, so validation, matching, duplicate linking and audit are the same as for any
referral. Members identified for continuity (WPC, HHP, ECM elsewhere in the last 6 months) are authorized at once
(authorizations.services.authorize_for_continuity). Idempotent per run and member: each carries the external key
"run-<run id>-<person id>", and running it again changes nothing."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from carehub.apps.audit.models import Action
from carehub.apps.audit.services import JobActor, record
from carehub.apps.authorizations.models import AuthorizationRequest, Decision
from carehub.apps.identification.models import Change, IdentificationRun, IdentifiedPopulation
from carehub.apps.members.models import Member
from carehub.apps.referrals.models import Channel, Referral, ReferralSource, ReferralStatus
from carehub.apps.referrals.services import confirm_member, submit_referral
from carehub.domain.populations.labels import POPULATIONS

REFERRER = "Plan identification run"
_CIN = re.compile(r"^[0-9]{8}[A-Z]$")


@dataclass
class IdentifiedReferrals:
    created: int = 0
    linked: int = 0  # the member already had an open referral: linked to it
    continuity: int = 0  # authorized automatically
    already: int = 0  # done by an earlier call for this run
    skipped: int = 0  # excluded, or not in the operational database

    def summary(self) -> str:
        return (f"referrals from identification: {self.created:,} new, {self.linked:,} linked to open referrals, "
                f"{self.continuity:,} authorized for continuity, {self.already:,} already done, "
                f"{self.skipped:,} skipped")


def external_id(run: IdentificationRun, person_id: str) -> str:
    return f"run-{run.pk}-{person_id}"


def _key(run: IdentificationRun, person_id: str) -> str:
    # The intake service's key for a sender without an organization: channel|referrer organization|external id.
    return f"{Channel.IDENTIFIED}|{REFERRER.lower()}|{external_id(run, person_id)}"[:200]


def _currently_authorized(member: Member, run: IdentificationRun) -> bool:
    return AuthorizationRequest.objects.filter(member=member, decision__in=(Decision.APPROVED, Decision.MODIFIED),
                                               end_date__gte=run.as_of).exists()


def refer_identified(run: IdentificationRun, *, actor: Any = None) -> IdentifiedReferrals:
    """Create the referrals (or continuity authorizations) for the members newly identified by `run`."""
    from carehub.apps.authorizations.services import authorize_for_continuity, continuity_basis

    actor = actor or JobActor("identify")
    result = IdentifiedReferrals()
    excluded = set(IdentifiedPopulation.objects.filter(run=run, excluded=True)
                   .values_list("member_id", flat=True).distinct().order_by())
    new_rows: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
    for person_id, population, criteria, continuity in (
            IdentifiedPopulation.objects.filter(run=run, change=Change.NEW)
            .values_list("member_id", "population", "criteria", "continuity").order_by("priority", "member_id")):
        new_rows[person_id].append((population, criteria, continuity))
    members = Member.objects.in_bulk(list(new_rows), field_name="person_id")
    done = set(Referral.objects.filter(Q(external_key__in=[_key(run, p) for p in new_rows]))
               .values_list("external_key", flat=True))
    contact = dict(getattr(settings, "CAREHUB_PLAN", {}) or {}).get("phone", "") or "1-800-555-0100"
    for person_id, rows in new_rows.items():
        member = members.get(person_id)
        if member is None or person_id in excluded:
            result.skipped += 1
            continue
        if _key(run, person_id) in done:
            result.already += 1
            continue
        populations = [p for p, _, _ in rows if p in POPULATIONS]
        if any(c for _, _, c in rows):
            if _currently_authorized(member, run):
                result.skipped += 1
                continue
            basis = continuity_basis(member, run.as_of) or "identified for continuity of care"
            authorize_for_continuity(member, actor=actor, basis=basis, populations=populations,
                                     external_key=_key(run, person_id))
            result.continuity += 1
            continue
        facts = "Identified by the plan's identification run of " + run.as_of.isoformat() + ": " + "; ".join(
            f"{POPULATIONS.get(p, p)} ({criteria})" for p, criteria, _ in rows)
        data = {"source": ReferralSource.IDENTIFIED, "referrer_name": REFERRER, "referrer_organization": REFERRER,
                "referrer_phone": contact, "cin": member.member_id if _CIN.match(member.member_id) else "",
                "first_name": member.first_name or "-", "last_name": member.last_name or "-",
                "birth_date": member.birth_date.isoformat(), "populations": populations, "facts": facts[:5000],
                "external_id": external_id(run, person_id)}
        intake = submit_referral(data, actor=actor, channel=Channel.IDENTIFIED)
        if intake.referral is None:  # cannot happen for a loaded member; counted, never logged with member data
            result.skipped += 1
            continue
        referral = intake.referral
        if referral.status == ReferralStatus.MATCH_REVIEW:  # e.g. no valid CIN and a common name: we know who
            referral = confirm_member(referral, member, actor=actor, same_person_checked=True)  # built from them
        if referral.status == ReferralStatus.LINKED:
            result.linked += 1
        else:
            result.created += 1
    record(actor=actor, action=Action.CREATE, object_type="IdentificationRun", object_id=str(run.pk),
           purpose="referrals from identification",
           detail={"created": result.created, "linked": result.linked, "continuity": result.continuity,
                   "already": result.already, "skipped": result.skipped})
    return result
