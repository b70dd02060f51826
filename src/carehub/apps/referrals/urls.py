from django.urls import path

from carehub.apps.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("request/", views.member_request, name="member_request"),  # public: see web.middleware.PUBLIC_PREFIXES
    path("<str:reference>/", views.detail, name="detail"),
]
