from django.urls import path

from carehub.apps.authorizations import views

app_name = "authorizations"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("<int:request_id>/", views.review, name="review"),
]
