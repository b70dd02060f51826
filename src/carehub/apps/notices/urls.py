from django.urls import path

from carehub.apps.notices import views

app_name = "notices"
urlpatterns = [
    path("<int:notice_id>.pdf", views.pdf, name="pdf"),
    path("cases/", views.worklist, name="cases"),
    path("cases/new", views.new_case, name="new_case"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
]
