from django.urls import include, path

from carehub.web import jobs, views
from carehub.web.api import api

web_patterns = ([path("", views.home, name="home"),
                 path("jobs/", jobs.jobs, name="jobs"),
                 path("jobs/<uuid:job_id>/requeue/", jobs.requeue, name="requeue-job")], "web")

urlpatterns = [
    path("", include(web_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("carehub.apps.accounts.urls")),
    path("members/", include("carehub.apps.members.urls")),
    path("audit/", include("carehub.apps.audit.urls")),
    path("identification/", include("carehub.apps.identification.urls")),
    path("referrals/", include("carehub.apps.referrals.urls")),
    path("authorizations/", include("carehub.apps.authorizations.urls")),
    path("assignments/", include("carehub.apps.assignments.urls")),
    path("providers/", include("carehub.apps.providers.urls")),
    path("notices/", include("carehub.apps.notices.urls")),
    path("notifications/", include("carehub.apps.notifications.urls")),
    path("engagement/", include("carehub.apps.engagement.urls")),
    path("consents/", include("carehub.apps.consents.urls")),
    path("careplans/", include("carehub.apps.careplans.urls")),
    path("discontinuation/", include("carehub.apps.discontinuation.urls")),
    path("api/", api.urls),
]

handler403 = "carehub.web.views.forbidden"
handler404 = "carehub.web.views.not_found"
# 500 uses Django's default handler: it renders templates/500.html without any request context.
