"""The Lead Care Manager roster of a provider (issue 5; seed 000 II.g; seed 004 VI.D.3): add and change entries,
link an entry to one of the provider's own sign-ins. Its own staff and plan network staff write it; one transaction
and an audit record per change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from carehub.apps.accounts.models import Role, User
from carehub.apps.audit.models import Action
from carehub.apps.audit.services import record
from carehub.apps.providers.models import CareManager, CareManagerRole, ProviderOrganization
from carehub.apps.providers.services import NetworkError, known_codes, speaks_for, whole_number
from carehub.domain.populations.labels import POPULATIONS


def _roster_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    name = str(data.get("name", "")).strip()
    if not name:
        raise NetworkError("give the care manager's name")
    role = str(data.get("role", ""))
    if role not in CareManagerRole.values:
        raise NetworkError("choose the care manager's role")
    return {"name": name[:120], "role": role,
            "languages": [v.strip() for v in data.get("languages", []) if v.strip()],
            "populations": known_codes(data.get("populations", []), POPULATIONS, "population"),
            "max_caseload": whole_number(data.get("max_caseload"), "maximum caseload"),
            "phone": str(data.get("phone", "")).strip()[:30], "email": str(data.get("email", "")).strip()[:120],
            "active": bool(data.get("active", True))}


def linkable_users(provider: ProviderOrganization) -> QuerySet[User]:
    """Sign-ins a roster entry may be linked to: the provider organization's own staff and Lead Care Managers."""
    if provider.organization_id is None:
        return User.objects.none()
    return User.objects.filter(organization_id=provider.organization_id, is_active=True,
                               role__in=(Role.LEAD_CARE_MANAGER, Role.ECM_PROVIDER_STAFF)).order_by("username")


def _linked_user(provider: ProviderOrganization, value: Any, care_manager: CareManager | None) -> User | None:
    if value in (None, ""):
        return None
    user = linkable_users(provider).filter(pk=whole_number(value, "sign-in")).first()
    if user is None:
        raise NetworkError("that sign-in is not one of this provider's staff")
    taken = CareManager.objects.filter(user=user).exclude(pk=care_manager.pk if care_manager else None)
    if taken.exists():
        raise NetworkError("that sign-in is already linked to another roster entry")
    return user


@transaction.atomic
def save_care_manager(provider: ProviderOrganization, data: Mapping[str, Any], *, actor: Any,
                      care_manager: CareManager | None = None) -> CareManager:
    """Add a Lead Care Manager to the provider's roster, or change one (its own staff or plan network staff).
    `user_id`, when given, links the entry to one of the provider's sign-ins (so the person sees their caseload);
    an empty value unlinks it; leaving it out keeps the link."""
    if not speaks_for(actor, provider):
        raise NetworkError("only the provider's own staff or the plan's provider relations change this roster")
    fields = _roster_fields(data)
    if "user_id" in data:
        fields["user"] = _linked_user(provider, data["user_id"], care_manager)
    if care_manager is None:
        care_manager = CareManager.objects.create(provider=provider, **fields)
        action = Action.CREATE
    else:
        if care_manager.provider_id != provider.pk:
            raise NetworkError("this care manager is on another provider's roster")
        for name, value in fields.items():
            setattr(care_manager, name, value)
        care_manager.save()
        action = Action.UPDATE
    record(actor=actor, action=action, object_type="CareManager", object_id=str(care_manager.pk),
           purpose="Lead Care Manager roster",
           detail={"provider_npi": provider.npi, "role": care_manager.role, "active": care_manager.active})
    return care_manager
