from django.urls import path

from carehub.apps.providers import views, views_readiness

app_name = "providers"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("capacity/", views.capacity, name="capacity"),
    path("new/", views.new_provider, name="new"),
    path("export.csv", views.export, name="export"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/<int:exception_id>/review/", views.review_exception, name="review-exception"),
    path("roster/", views.roster, name="roster"),
    path("roster/<int:care_manager_id>/", views.roster_edit, name="roster-edit"),
    path("readiness/", views_readiness.mine, name="my-readiness"),
    path("readiness/review/", views_readiness.review, name="readiness-review"),
    path("evidence/<int:evidence_id>/", views_readiness.evidence_file, name="evidence"),
    path("<str:npi>/", views.detail, name="detail"),
    path("<str:npi>/record/", views.edit_record, name="record"),
    path("<str:npi>/subcontractors/", views.add_subcontractor, name="subcontractors"),
    path("<str:npi>/subcontractors/<int:sub_id>/", views.update_subcontractor, name="subcontractor"),
    path("<str:npi>/sites/", views.add_site, name="sites"),
    path("<str:npi>/capacity/", views.capacity_line, name="capacity-line"),
    path("<str:npi>/roster/", views.roster, name="roster-of"),
    path("<str:npi>/readiness/", views_readiness.application, name="readiness"),
]
