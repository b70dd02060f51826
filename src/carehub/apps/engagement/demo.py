"""Demo data for the engagement pages (called by the lead's demo set-up after the demo users exist): a Lead Care
Manager roster for the demo ECM provider, the `lcm` login on it, and some engagement on its open assignments.
Idempotent: running it again adds nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from carehub.apps.accounts.models import User
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.audit.services import JobActor
from carehub.apps.engagement import services
from carehub.apps.engagement.matching import suggestions_for
from carehub.apps.engagement.models import Enrollment
from carehub.apps.engagement.selectors import facts_for
from carehub.apps.providers.models import CareManager, CareManagerRole, ProviderOrganization

ROSTER = (  # name, role, languages, max caseload
    ("Lee Care-Manager", CareManagerRole.NURSE, ["en", "es"], 40),
    ("Sam Rivera", CareManagerRole.HOUSING_NAVIGATOR, ["en", "es"], 35),
    ("Mai Tran", CareManagerRole.COMMUNITY_HEALTH_WORKER, ["en", "vi"], 35),
    ("Jordan Lee", CareManagerRole.SOCIAL_WORKER, ["en"], 30),
)
ENROLLED, IN_OUTREACH = 8, 4


@transaction.atomic
def seed_engagement_demo(lcm_username: str = "lcm") -> str:
    """Roster + engagement for the provider of the `lcm` login. Returns a one-line summary."""
    actor = JobActor("demo")
    user = User.objects.filter(username=lcm_username).select_related("organization").first()
    if user is None or user.organization is None or not user.organization.npi:
        return "engagement demo: no Lead Care Manager login linked to a network provider (run the demo users first)"
    provider = ProviderOrganization.objects.filter(npi=user.organization.npi).first()
    if provider is None:
        return "engagement demo: the Lead Care Manager's organization is not in the network"
    roster = _existing_roster(provider, user)
    for name, role, languages, cap in ROSTER if not roster else ():
        cm = (CareManager.objects.filter(user=user).first() if name == ROSTER[0][0] else None) or \
            CareManager.objects.filter(provider=provider, name=name).first()
        if cm is None:
            cm = CareManager.objects.create(provider=provider, name=name, role=role, languages=languages,
                                            populations=list(provider.populations or []), max_caseload=cap)
        roster.append(cm)
    if roster[0].user_id is None and not CareManager.objects.filter(user=user).exists():
        roster[0].user = user
        roster[0].save(update_fields=["user"])
    untouched = list(Assignment.objects.filter(provider_npi=provider.npi, status__in=OPEN_STATUSES,
                                               enrollment__isnull=True)
                     .select_related("member").order_by("assigned_at", "pk")[:ENROLLED + IN_OUTREACH])
    if Enrollment.objects.filter(assignment__provider_npi=provider.npi).exists():
        untouched = []  # engagement already seeded (or real work recorded): leave it alone
    today = timezone.localdate()
    facts = {f.assignment.pk: f for f in facts_for(untouched, user)}
    for i, a in enumerate(untouched):
        day = max(timezone.localdate(a.assigned_at), today)
        if i < ENROLLED:
            services.record_outreach(a, actor=actor, attempted_on=day, method="IN_PERSON",
                                     outcome="REACHED_ENGAGED", location="Member's home", minutes=45,
                                     care_manager=roster[0])
            services.enroll(a, actor=actor, on=day)
            ranked = suggestions_for(facts[a.pk], roster)
            lead = roster[0] if i % 2 == 0 else (ranked[0].care_manager if ranked else roster[0])
            services.assign_lead_care_manager(a, lead, actor=actor, on=day)
            services.record_activity(a, actor=actor, occurred_on=day, component="ASSESSMENT", mode="IN_PERSON",
                                     minutes=60, care_manager=lead)
        else:
            services.record_outreach(a, actor=actor, attempted_on=day, method="PHONE", outcome="NO_ANSWER",
                                     minutes=5, care_manager=roster[2])
    return (f"engagement demo: roster of {len(roster)} for {provider.name}; "
            f"{min(len(untouched), ENROLLED)} enrolled, {max(0, len(untouched) - ENROLLED)} in outreach")


def _existing_roster(provider: ProviderOrganization, user: User) -> list[CareManager]:
    """The provider's roster when the network demo already made one with the login on it (the login first), so
    the demo shows one roster, not two."""
    own = CareManager.objects.filter(user=user, provider=provider).first()
    others = list(CareManager.objects.filter(provider=provider, active=True).exclude(user=user).order_by("pk"))
    return [own, *others] if own is not None and len(others) >= 2 else []
