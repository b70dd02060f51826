"""Demo organizations and one login per role, for `carehub demo-users` (./run demo)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from rich.table import Table

from carehub.apps.accounts.models import Organization, OrganizationKind, Role, User
from carehub.apps.assignments.demo import seed_assignments_demo
from carehub.apps.assignments.models import OPEN_STATUSES, Assignment
from carehub.apps.members.models import CareRelationship, Member
from carehub.apps.members.selectors import current_relationship, today
from carehub.apps.providers.demo import seed_network_demo
from carehub.apps.providers.models import ProviderOrganization

DEMO_PASSWORD = "carehub-demo-2026"  # noqa: S105 - printed on purpose: demo logins, synthetic data only

DEMO_LOGINS: tuple[tuple[str, Role, str, str], ...] = (
    # username, role, organization kind, display name
    ("coordinator", Role.PLAN_CARE_COORDINATION, OrganizationKind.PLAN, "Casey Coordinator"),
    ("um", Role.PLAN_UTILIZATION_MANAGEMENT, OrganizationKind.PLAN, "Uma Reviewer"),
    ("network", Role.PLAN_PROVIDER_RELATIONS, OrganizationKind.PLAN, "Nico Network"),
    ("compliance", Role.PLAN_COMPLIANCE_FINANCE, OrganizationKind.PLAN, "Carmen Compliance"),
    ("admin", Role.PLAN_ADMIN, OrganizationKind.PLAN, "Alex Admin"),
    ("ecm", Role.ECM_PROVIDER_STAFF, OrganizationKind.ECM_PROVIDER, "Erin Outreach"),
    ("lcm", Role.LEAD_CARE_MANAGER, OrganizationKind.ECM_PROVIDER, "Lee Care-Manager"),
    ("cs", Role.CS_PROVIDER_STAFF, OrganizationKind.CS_PROVIDER, "Sam Supports"),
    ("member", Role.MEMBER, "", ""),
)


def _busiest_provider(kind: str) -> ProviderOrganization | None:
    """The network provider of a kind with the most open ECM assignments (so the provider logins have members to
    work on); without any, the one with the most current care relationships (ties: lowest NPI); when none is
    current (a plan loaded before any assignment), the one with the most relationships of any date."""
    npis = ProviderOrganization.objects.filter(kind=kind).values("npi")
    assigned = (Assignment.objects.filter(provider_npi__in=npis, status__in=OPEN_STATUSES).values("provider_npi")
                .annotate(n=Count("id")).order_by("-n", "provider_npi").first())
    if assigned is not None:
        return ProviderOrganization.objects.get(npi=assigned["provider_npi"])
    related = CareRelationship.objects.filter(provider_npi__in=npis)
    for qs in (related.filter(current_relationship(today())), related):
        top = qs.values("provider_npi").annotate(n=Count("id")).order_by("-n", "provider_npi").first()
        if top is not None:
            return ProviderOrganization.objects.get(npi=top["provider_npi"])
    return ProviderOrganization.objects.filter(kind=kind).order_by("npi").first()


def _provider_org(kind: OrganizationKind, network_kind: str, fallback_name: str) -> Organization:
    """The demo organization for a provider kind, linked to the busiest network provider when there is one."""
    provider = _busiest_provider(network_kind)
    if provider is None:
        org, _ = Organization.objects.get_or_create(kind=kind, name=fallback_name, defaults={"npi": ""})
        return org
    org = Organization.objects.filter(kind=kind, npi=provider.npi).first()
    if org is None:
        org = Organization.objects.create(kind=kind, npi=provider.npi, name=provider.name)
    if provider.organization_id != org.pk:
        provider.organization = org
        provider.save(update_fields=["organization"])
    return org


def _member_for(org: Organization) -> Member | None:
    """A member related to the demo ECM provider, so the member login has a record: currently related if any,
    else the most recently related."""
    if not org.npi:
        return None
    related = CareRelationship.objects.filter(provider_npi=org.npi)
    person_id = (related.filter(current_relationship(today())).order_by("member_id")
                 .values_list("member_id", flat=True).first()
                 or related.order_by("-start_date", "member_id").values_list("member_id", flat=True).first())
    return Member.objects.filter(person_id=person_id).first() if person_id else None


@transaction.atomic
def create_demo_users() -> Table:
    """Create (or refresh) the demo organizations and one login per role. Safe to run again: it updates in place
    and resets the demo password. The plan logins come first: with them the demo approves some identified
    members and assigns them (assignments.demo), so the ECM provider logins go to the provider with the most
    members to work on."""
    plan, _ = Organization.objects.get_or_create(kind=OrganizationKind.PLAN, name="CareHub Demo Health Plan")
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    for column in ("username", "role", "organization", "note"):
        table.add_column(column)
    plan_logins = [login for login in DEMO_LOGINS if login[2] == OrganizationKind.PLAN]
    for username, role, _kind, full_name in plan_logins:
        _save_login(table, username, role, plan, full_name, "")
    assignments_summary = seed_assignments_demo(reviewer=User.objects.get(username="um"),
                                                coordinator=User.objects.get(username="coordinator"))
    ecm = _provider_org(OrganizationKind.ECM_PROVIDER, "ECM", "Demo ECM provider (not in the network)")
    cs = _provider_org(OrganizationKind.CS_PROVIDER, "CS", "Demo Community Supports provider (not in the network)")
    orgs = {OrganizationKind.ECM_PROVIDER: ecm, OrganizationKind.CS_PROVIDER: cs}
    member = _member_for(ecm)
    for username, role, org_kind, full_name in DEMO_LOGINS:
        if (username, role, org_kind, full_name) in plan_logins:
            continue
        user = User.objects.filter(username=username).first() or User(username=username)
        note = ""
        if role == Role.MEMBER:
            if member is not None and (user.member_id == member.pk or
                                       not User.objects.filter(member=member).exclude(pk=user.pk).exists()):
                user.member = member
                user.first_name, user.last_name = member.first_name, member.last_name
                note = f"linked to member {member.person_id}"
            else:
                note = "no member linked (load a plan, then run again)"
        org = orgs.get(org_kind) if org_kind else None
        if org is not None:
            note = f"NPI {org.npi}" if org.npi else "no network link (empty database)"
        _save_login(table, username, role, org, full_name, note, user=user)
    if ecm.npi:  # the lcm login on the demo ECM provider's roster, with a few colleagues (providers.demo)
        summary = seed_network_demo(ecm_npi=ecm.npi, lcm=User.objects.get(username="lcm"),
                                    reviewer=User.objects.get(username="network"))
        table.caption = f"{assignments_summary}\n{summary}"
        _seed_ecm_delivery_demo(ecm.npi, member)
    return table


def _save_login(table: Table, username: str, role: Role, org: Organization | None, full_name: str, note: str,
                user: User | None = None) -> None:
    user = user or User.objects.filter(username=username).first() or User(username=username)
    user.role = role
    user.is_active = True
    user.organization = org
    if role != Role.MEMBER:
        user.first_name, _, user.last_name = full_name.partition(" ")
    user.set_password(DEMO_PASSWORD)
    user.save()
    table.add_row(username, role.label, org.name if org else "—", note)


def _seed_ecm_delivery_demo(ecm_npi: str, member: Member | None) -> None:
    """The demo ECM provider's daily work: engaged members with a Lead Care Manager, consents (some Part 2), an
    assessment and care plan, and discontinuation requests waiting for the plan. Each step is idempotent."""
    from carehub.apps.careplans.demo import seed_demo_careplans
    from carehub.apps.consents.demo import seed_consents_demo
    from carehub.apps.discontinuation.demo import seed_demo_discontinuations
    from carehub.apps.engagement.demo import seed_engagement_demo

    seed_engagement_demo(lcm_username="lcm")
    seed_consents_demo(ecm_npi=ecm_npi, member=member)
    seed_demo_careplans(username="lcm")
    seed_demo_discontinuations(username="ecm")
