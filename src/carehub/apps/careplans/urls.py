"""Care plan pages: /careplans/ (staff worklist and member files), /careplans/mine/ (the member's own)."""

from django.urls import path

from carehub.apps.careplans import member_views, views

app_name = "careplans"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("member/<str:person_id>/", views.member_file, name="member"),
    path("member/<str:person_id>/assessments/new/", views.new_assessment, name="new-assessment"),
    path("member/<str:person_id>/plans/new/", views.new_plan, name="new-plan"),
    path("assessments/<int:assessment_id>/", views.assessment, name="assessment"),
    path("plans/<int:plan_id>/", views.plan_editor, name="plan"),
    path("plans/<int:plan_id>/v/<int:number>/", views.version, name="version"),
    path("plans/<int:plan_id>/v/<int:number>/pdf/", views.version_pdf, name="version-pdf"),
    path("requests/<int:request_id>/done/", views.request_done, name="request-done"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:template_id>.json", views.template_json, name="template-json"),
    path("mine/", member_views.mine, name="mine"),
    path("mine/pdf/", member_views.mine_pdf, name="mine-pdf"),
    path("mine/request/", member_views.request_update, name="mine-request"),
]
