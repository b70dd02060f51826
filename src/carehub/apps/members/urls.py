from django.urls import path

from carehub.apps.members import views

app_name = "members"
urlpatterns = [
    path("", views.search, name="search"),
    path("me/", views.mine, name="mine"),
    path("<str:person_id>/", views.detail, name="detail"),
]
