from django.urls import path

from carehub.apps.engagement import views

app_name = "engagement"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("not-engaged/", views.not_engaged, name="not-engaged"),
    path("monthly/", views.monthly, name="monthly"),
    path("otf/", views.otf_download, name="otf"),
    path("outreach-summary/", views.outreach_summary, name="outreach-summary"),
    path("<int:assignment_id>/", views.detail, name="detail"),
    path("<int:assignment_id>/outreach/", views.add_outreach, name="outreach"),
    path("<int:assignment_id>/status/", views.change_status, name="status"),
    path("<int:assignment_id>/preference/", views.set_preference, name="preference"),
    path("<int:assignment_id>/lead/", views.set_lead, name="lead"),
    path("<int:assignment_id>/activities/", views.add_activity, name="activity"),
    path("<int:assignment_id>/care-team/", views.add_team_member, name="care-team"),
    path("<int:assignment_id>/care-team/<int:row_id>/end/", views.end_team_member, name="care-team-end"),
    path("<int:assignment_id>/route/", views.route, name="route"),
]
