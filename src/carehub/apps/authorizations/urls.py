from django.urls import path

from carehub.apps.authorizations import views

app_name = "authorizations"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("<int:request_id>/", views.review, name="review"),
    path("<int:request_id>/reauthorize", views.reauthorize, name="reauthorize"),
    path("<int:request_id>/confirm", views.confirm, name="confirm"),
    path("reauthorizations/", views.reauthorizations, name="reauthorizations"),
    path("equity/", views.equity_view, name="equity"),
]
