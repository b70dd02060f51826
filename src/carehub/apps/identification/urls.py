from django.urls import path

from carehub.apps.identification import views

app_name = "identification"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("export.csv", views.export, name="export"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
]
