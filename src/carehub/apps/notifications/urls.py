from django.urls import path

from carehub.apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:notification_id>/read/", views.read, name="read"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:notification_id>/sent/", views.sent, name="sent"),
]
