"""Who hears about an assignment (issue 5; seed 000 II.f; seed 004 VI.E): the ECM provider and the member's PCP
of each new assignment, and the plan's care coordination when a provider returns one (feedback the plan acts on).

All go out after the assignment commits (notifications.services.notify_after_commit), each with a dedupe key so a
re-run sends nothing twice. An NPI that an organization signs in under is told in the app; a PCP outside CareHub
goes to the plan's outbox. Bodies carry only what the recipient may see: never Part 2 details or return reasons
to the PCP.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from carehub.apps.accounts.models import Organization, OrganizationKind
from carehub.apps.assignments.models import Assignment
from carehub.apps.members.models import PcpAssignment
from carehub.apps.notifications.services import notify_after_commit
from carehub.apps.providers.models import ProviderOrganization


def current_pcps(person_ids: Sequence[str], on: date) -> dict[str, str]:
    """Each member's current PCP NPI: the latest PCP assignment in force on `on`, else the member row's pcp_npi
    (one query; callers fall back to Member.pcp_npi)."""
    out: dict[str, str] = {}
    rows = (PcpAssignment.objects.filter(member_id__in=list(person_ids), start_date__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=on)).order_by("member_id", "-start_date", "-pk")
            .values_list("member_id", "pcp_npi"))
    for person_id, npi in rows:
        out.setdefault(person_id, npi)
    return out


def assignments_made(assignments: Sequence[Assignment], *, actor: Any) -> None:
    """Tell the provider and the member's PCP of each new assignment, and under DHCS's Closed-Loop Referral
    guidance (in force 2025-07-01) the member (the provider's name and phone) and a referring organization in
    CareHub (five queries for the whole batch)."""
    if not assignments:
        return
    referrals = {pk: (org, reference) for pk, org, reference in Assignment.objects.filter(
        pk__in=[a.pk for a in assignments], authorization__referral__submitted_by_org__isnull=False)
        .exclude(authorization__referral__submitted_by_org__kind=OrganizationKind.PLAN)  # not the plan itself
        .values_list("pk", "authorization__referral__submitted_by_org", "authorization__referral__reference")}
    referrers = Organization.objects.in_bulk({org for org, _ in referrals.values()})
    on = timezone.localdate()
    pcps = current_pcps([a.member_id for a in assignments], on)
    providers = {p.npi: p for p in ProviderOrganization.objects.filter(
        npi__in={a.provider_npi for a in assignments})}
    for a in assignments:
        provider = providers.get(a.provider_npi)
        name = provider.name if provider else a.provider_npi
        due = f" The plan had to assign by {timezone.localtime(a.due_by):%Y-%m-%d}." if a.due_by else ""
        notify_after_commit(
            actor=actor, kind="assignment", npi=a.provider_npi, recipient_label=name, person_id=a.member_id,
            subject="New ECM member assigned to you",
            body="A member authorized for Enhanced Care Management was assigned to your organization. Accept the "
                 "assignment, or return it with a reason the plan can act on, and begin outreach." + due,
            link="/assignments/mine/", dedupe_key=f"assignment-{a.pk}-provider")
        contact = f" Their phone: {provider.phone}." if provider and provider.phone else ""
        notify_after_commit(
            actor=actor, kind="assignment-member", member=a.member,
            subject="Your Enhanced Care Management (ECM) provider",
            body=f"{name} is your ECM provider and will contact you to start.{contact} You can ask for another "
                 "provider at any time on your My ECM page.",
            link="/discontinuation/my-ecm/", dedupe_key=f"assignment-{a.pk}-member")
        if a.pk in referrals:
            org, reference = referrals[a.pk]
            notify_after_commit(
                actor=actor, kind="assignment-referrer", organization=referrers[org], person_id=a.member_id,
                subject="The member you referred was assigned an ECM provider",
                body=f"The member of your referral {reference} was assigned to {name} for Enhanced Care Management.",
                dedupe_key=f"assignment-{a.pk}-referrer")
        pcp = pcps.get(a.member_id) or a.member.pcp_npi
        if pcp and pcp != a.provider_npi:
            member = a.member
            contact = f" ({provider.phone})" if provider and provider.phone else ""
            notify_after_commit(
                actor=actor, kind="assignment-pcp", npi=pcp, recipient_label=f"PCP of {member.member_id}",
                person_id=a.member_id, subject="Your patient was assigned an ECM provider",
                body=f"Your patient {member.display_name} (Medi-Cal CIN {member.member_id}, born "
                     f"{member.birth_date:%Y-%m-%d}) was assigned to {name}{contact} for Enhanced Care "
                     f"Management on {timezone.localtime(a.assigned_at):%Y-%m-%d}. Their Lead Care Manager will "
                     "coordinate with you.",
                link=f"/members/{a.member_id}/", dedupe_key=f"assignment-{a.pk}-pcp")


def plan_organization() -> Organization | None:
    return Organization.objects.filter(kind=OrganizationKind.PLAN).order_by("pk").first()


def assignment_returned(assignment: Assignment, *, actor: Any) -> None:
    """Tell the plan's care coordination that a provider returned a member, with the provider's reason, so that
    they reassign the member (the queue shows it again) or act on the feedback."""
    plan = plan_organization()
    if plan is None:
        return
    provider = ProviderOrganization.objects.filter(npi=assignment.provider_npi).first()
    name = provider.name if provider else assignment.provider_npi
    notify_after_commit(
        actor=actor, kind="assignment-returned", organization=plan, person_id=assignment.member_id,
        subject=f"{name} returned an ECM assignment",
        body=f"The provider's reason: {assignment.return_reason}\nThe member is back in the assignment queue.",
        link="/assignments/", dedupe_key=f"assignment-{assignment.pk}-returned")


def member_moved(old: Assignment, *, actor: Any) -> None:
    """Tell the previous provider that the member changed ECM provider at their request, so it stops outreach and
    hands over (seed 000 II.f; seed 004 VI.E.3). No reason is passed on: it is the member's."""
    notify_after_commit(
        actor=actor, kind="assignment-ended", npi=old.provider_npi, person_id=old.member_id,
        subject="A member changed ECM provider",
        body="A member assigned to your organization asked to change ECM provider and has been moved. Stop "
             "outreach and coordinate the hand-over of their care plan with the plan.",
        link="/notifications/", dedupe_key=f"assignment-{old.pk}-moved")
