"""/consents/<person_id>/: the member's consents panel and its actions."""

from django.urls import path

from carehub.apps.consents import views

app_name = "consents"
urlpatterns = [
    path("<str:person_id>/", views.panel, name="panel"),
    path("<str:person_id>/add/", views.add, name="add"),
    path("<str:person_id>/<int:consent_id>/revoke/", views.revoke, name="revoke"),
    path("<str:person_id>/<int:consent_id>/form/", views.download, name="form"),
    path("<str:person_id>/<int:consent_id>/upload/", views.upload, name="upload"),
    path("<str:person_id>/support/add/", views.add_support, name="add-support"),
    path("<str:person_id>/support/<int:support_id>/end/", views.end_support, name="end-support"),
]
