from django.urls import path

from carehub.apps.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("chain/", views.chain_status, name="chain"),
]
