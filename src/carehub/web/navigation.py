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

_STAFF = (HOME, MEMBER_SEARCH, API_DOCS, SECURITY)
# Provider staff also refer members for ECM (seed 004 VI.D.5).
_PROVIDER = (HOME, MEMBER_SEARCH, REFER, API_DOCS, SECURITY)
# ECM provider staff and Lead Care Managers work their assigned members and exchange files with the plan.
_ECM_PROVIDER = (HOME, MEMBER_SEARCH, MY_ASSIGNMENTS, EXCHANGE_FILES, REFER, API_DOCS, SECURITY)
_COMPLIANCE = (HOME, MEMBER_SEARCH, CASES, EQUITY, AUDIT_LOG, API_DOCS, SECURITY)
# Plan roles that work identified members: the Population of Focus worklist and run summaries.
_COORDINATION = (HOME, MEMBER_SEARCH, IDENTIFICATION, REFERRALS, REFER, ASSIGNMENTS, API_DOCS, SECURITY)
# Utilization management decides authorizations on the clock.
_UM = (HOME, MEMBER_SEARCH, IDENTIFICATION, AUTHORIZATIONS, REAUTHORIZATIONS, CASES, EQUITY, REFERRALS, API_DOCS,
       SECURITY)
_ADMIN = (HOME, MEMBER_SEARCH, IDENTIFICATION, REFERRALS, REFER, AUTHORIZATIONS, ASSIGNMENTS, REAUTHORIZATIONS, CASES,
          EQUITY, AUDIT_LOG, API_DOCS, SECURITY)

MENU: dict[str, tuple[MenuItem, ...]] = {
    Role.PLAN_CARE_COORDINATION: _COORDINATION,
    Role.PLAN_UTILIZATION_MANAGEMENT: _UM,
    Role.PLAN_PROVIDER_RELATIONS: _STAFF,
    Role.PLAN_COMPLIANCE_FINANCE: _COMPLIANCE,
    Role.PLAN_ADMIN: _ADMIN,
    Role.ECM_PROVIDER_STAFF: _ECM_PROVIDER,
    Role.LEAD_CARE_MANAGER: _ECM_PROVIDER,
    Role.CS_PROVIDER_STAFF: _PROVIDER,
    Role.MEMBER: (HOME, MY_RECORD, SECURITY),
}


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
