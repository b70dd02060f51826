"""Role-based navigation: what each role sees in the menu.

One table, role -> menu items, naming only pages that exist. An app that adds a page adds its item here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from carehub.apps.accounts.models import Role


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url_name: str


HOME = MenuItem("home", "Home", "web:home")
MEMBER_SEARCH = MenuItem("members", "Member search", "members:search")
MY_RECORD = MenuItem("my-record", "My record", "members:mine")
AUDIT_LOG = MenuItem("audit", "Audit log", "audit:search")
API_DOCS = MenuItem("api", "API", "api:openapi-view")
SECURITY = MenuItem("security", "Security", "accounts:security")
JOBS = MenuItem("jobs", "Background jobs", "web:jobs")
IDENTIFICATION = MenuItem("identification", "Populations of Focus", "identification:worklist")
REFERRALS = MenuItem("referrals", "Referrals", "referrals:queue")
REFER = MenuItem("refer", "Refer a member", "referrals:new")
AUTHORIZATIONS = MenuItem("authorizations", "Authorizations", "authorizations:worklist")
ASSIGNMENTS = MenuItem("assignments", "Assignment", "assignments:queue")
MY_ASSIGNMENTS = MenuItem("my-assignments", "Assigned members", "assignments:mine")
EXCHANGE_FILES = MenuItem("exchange-files", "Exchange files", "assignments:files")
REAUTHORIZATIONS = MenuItem("reauthorizations", "Reauthorizations", "authorizations:reauthorizations")
CASES = MenuItem("cases", "Grievances & appeals", "notices:cases")
EQUITY = MenuItem("equity", "Authorization equity", "authorizations:equity")
NOTIFICATIONS = MenuItem("notifications", "Notifications", "notifications:inbox")
OUTBOX = MenuItem("outbox", "Outbox", "notifications:outbox")
NETWORK = MenuItem("network", "Provider network", "providers:list")
CARE_TEAM = MenuItem("care-team", "Care team", "providers:roster")
READINESS = MenuItem("readiness", "Readiness", "providers:my-readiness")

# Provider relations keep the network: contracts, readiness, exceptions, capacity, rosters.
_PROVIDER_RELATIONS = (HOME, MEMBER_SEARCH, NOTIFICATIONS, NETWORK, API_DOCS, SECURITY)
# Provider staff also refer members for ECM (seed 004 VI.D.5).
_PROVIDER = (HOME, MEMBER_SEARCH, NOTIFICATIONS, REFER, API_DOCS, SECURITY)
# ECM provider staff and Lead Care Managers work their assigned members and exchange files with the plan.
_ECM_PROVIDER = (HOME, MEMBER_SEARCH, NOTIFICATIONS, MY_ASSIGNMENTS, EXCHANGE_FILES, CARE_TEAM, READINESS, REFER,
                 API_DOCS, SECURITY)
_COMPLIANCE = (HOME, MEMBER_SEARCH, NOTIFICATIONS, CASES, EQUITY, AUDIT_LOG, API_DOCS, SECURITY)
# Plan roles that work identified members: the Population of Focus worklist and run summaries.
_COORDINATION = (HOME, MEMBER_SEARCH, NOTIFICATIONS, OUTBOX, IDENTIFICATION, REFERRALS, REFER, ASSIGNMENTS,
                 API_DOCS, SECURITY)
# Utilization management decides authorizations on the clock.
_UM = (HOME, MEMBER_SEARCH, NOTIFICATIONS, IDENTIFICATION, AUTHORIZATIONS, REAUTHORIZATIONS, CASES, EQUITY,
       REFERRALS, API_DOCS, SECURITY)
_ADMIN = (HOME, MEMBER_SEARCH, NOTIFICATIONS, OUTBOX, IDENTIFICATION, REFERRALS, REFER, AUTHORIZATIONS,
          ASSIGNMENTS, NETWORK, REAUTHORIZATIONS, CASES, EQUITY, AUDIT_LOG, JOBS, API_DOCS, SECURITY)

MENU: dict[str, tuple[MenuItem, ...]] = {
    Role.PLAN_CARE_COORDINATION: _COORDINATION,
    Role.PLAN_UTILIZATION_MANAGEMENT: _UM,
    Role.PLAN_PROVIDER_RELATIONS: _PROVIDER_RELATIONS,
    Role.PLAN_COMPLIANCE_FINANCE: _COMPLIANCE,
    Role.PLAN_ADMIN: _ADMIN,
    Role.ECM_PROVIDER_STAFF: _ECM_PROVIDER,
    Role.LEAD_CARE_MANAGER: _ECM_PROVIDER,
    Role.CS_PROVIDER_STAFF: _PROVIDER,
    Role.MEMBER: (HOME, MY_RECORD, NOTIFICATIONS, SECURITY),
}

# ECM discontinuation (apps/discontinuation): the plan's review queue with transitions, the provider's requests,
# and the member's own "My ECM" page; each placed before the item named.
DISCONTINUATIONS = MenuItem("discontinuations", "Discontinuations", "discontinuation:queue")
ECM_DISCONTINUATION = MenuItem("ecm-discontinuation", "Discontinuation", "discontinuation:provider")
MY_ECM = MenuItem("my-ecm", "My ECM", "discontinuation:my-ecm")
for _role, _item, _before in ((Role.PLAN_CARE_COORDINATION, DISCONTINUATIONS, API_DOCS),
                              (Role.PLAN_ADMIN, DISCONTINUATIONS, API_DOCS),
                              (Role.ECM_PROVIDER_STAFF, ECM_DISCONTINUATION, REFER),
                              (Role.LEAD_CARE_MANAGER, ECM_DISCONTINUATION, REFER),
                              (Role.MEMBER, MY_ECM, NOTIFICATIONS)):
    _at = MENU[_role].index(_before)
    MENU[_role] = MENU[_role][:_at] + (_item,) + MENU[_role][_at:]

# Care plans (apps/careplans): assessments, care plans and reassessments due for ECM provider staff and plan care
# coordination; the plan's assessment templates; the member's own care plan. Each placed before the item named.
CAREPLANS = MenuItem("careplans", "Care plans", "careplans:worklist")
ASSESSMENT_TEMPLATES = MenuItem("assessment-templates", "Assessment templates", "careplans:templates")
MY_CAREPLAN = MenuItem("my-careplan", "My care plan", "careplans:mine")
for _role, _item, _before in ((Role.ECM_PROVIDER_STAFF, CAREPLANS, REFER), (Role.LEAD_CARE_MANAGER, CAREPLANS, REFER),
                              (Role.PLAN_CARE_COORDINATION, CAREPLANS, API_DOCS),
                              (Role.PLAN_CARE_COORDINATION, ASSESSMENT_TEMPLATES, API_DOCS),
                              (Role.PLAN_ADMIN, CAREPLANS, API_DOCS), (Role.PLAN_ADMIN, ASSESSMENT_TEMPLATES, API_DOCS),
                              (Role.MEMBER, MY_CAREPLAN, NOTIFICATIONS)):
    _at = MENU[_role].index(_before)
    MENU[_role] = MENU[_role][:_at] + (_item,) + MENU[_role][_at:]


# Engagement (apps/engagement): the ECM provider's worklist and monthly contact report; the plan's list of members
# not engaged (to route to other care management) and the same report. Each placed before the item named.
ECM_WORKLIST = MenuItem("ecm-worklist", "ECM worklist", "engagement:worklist")
NOT_ENGAGED = MenuItem("not-engaged", "Not engaged", "engagement:not-engaged")
MONTHLY_CONTACTS = MenuItem("monthly-contacts", "Monthly contacts", "engagement:monthly")
for _role, _item, _before in ((Role.ECM_PROVIDER_STAFF, ECM_WORKLIST, EXCHANGE_FILES),
                              (Role.LEAD_CARE_MANAGER, ECM_WORKLIST, EXCHANGE_FILES),
                              (Role.ECM_PROVIDER_STAFF, MONTHLY_CONTACTS, EXCHANGE_FILES),
                              (Role.LEAD_CARE_MANAGER, MONTHLY_CONTACTS, EXCHANGE_FILES),
                              (Role.PLAN_CARE_COORDINATION, NOT_ENGAGED, API_DOCS),
                              (Role.PLAN_CARE_COORDINATION, MONTHLY_CONTACTS, API_DOCS),
                              (Role.PLAN_ADMIN, NOT_ENGAGED, API_DOCS), (Role.PLAN_ADMIN, MONTHLY_CONTACTS, API_DOCS)):
    _at = MENU[_role].index(_before)
    MENU[_role] = MENU[_role][:_at] + (_item,) + MENU[_role][_at:]


def menu_for(role: str) -> tuple[MenuItem, ...]:
    """The menu of a role; unknown roles get only the home page."""
    return MENU.get(role, (HOME,))


def allowed(role: str, key: str) -> bool:
    """Whether a role's menu has a page; views use this so the menu and access cannot disagree."""
    return any(item.key == key for item in menu_for(role))


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in menu_for(user.role):
        url = reverse(item.url_name)
        current = request.path == url if item.key == "home" else request.path.startswith(url)
        items.append({"key": item.key, "label": item.label, "url": url, "current": current})
    return {"nav_items": items}
