"""The REST API under /api/ (django-ninja, session authentication). Each app contributes a router."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.security import django_auth

from carehub.apps.assignments.api import router as assignments_router
from carehub.apps.authorizations.api import router as authorizations_router
from carehub.apps.careplans.api import router as careplans_router
from carehub.apps.consents.api import router as consents_router
from carehub.apps.discontinuation.api import router as discontinuation_router
from carehub.apps.engagement.api import router as engagement_router
from carehub.apps.identification.api import router as identification_router
from carehub.apps.members.api import router as members_router
from carehub.apps.notifications.api import router as notifications_router
from carehub.apps.providers.api import router as providers_router
from carehub.apps.referrals.api import router as referrals_router


def staff_only(view):
    """The interactive docs are for plan and provider staff (members have no use for them)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or not (user.is_plan_staff or user.is_provider_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(title="CareHub API", version="0.1.0", auth=django_auth, urls_namespace="api",
               docs_url="/docs", docs_decorator=staff_only,
               description="Member records scoped to the signed-in user; every read is audit-logged.")
api.add_router("/members", members_router)
api.add_router("/identification", identification_router)
api.add_router("/referrals", referrals_router)
api.add_router("/authorizations", authorizations_router)
api.add_router("/assignments", assignments_router)
api.add_router("/providers", providers_router)
api.add_router("/notifications", notifications_router)
api.add_router("/engagement", engagement_router)
api.add_router("/consents", consents_router)
api.add_router("/careplans", careplans_router)
api.add_router("/discontinuation", discontinuation_router)
