from django.urls import path

from carehub.apps.discontinuation import views

app_name = "discontinuation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("provider/", views.provider, name="provider"),
    path("new/", views.new, name="new"),
    path("plan-new/", views.plan_new, name="plan-new"),
    path("my-ecm/", views.my_ecm, name="my-ecm"),
    path("my-ecm/stop/", views.stop, name="stop"),
    path("<int:item_id>/", views.detail, name="detail"),
    path("<int:item_id>/evidence/", views.evidence, name="evidence"),
    path("<int:item_id>/confirm/", views.confirm, name="confirm"),
    path("<int:item_id>/send-back/", views.send_back, name="send-back"),
    path("<int:item_id>/transition/", views.complete_transition, name="transition"),
    path("<int:item_id>/withdraw/", views.withdraw, name="withdraw"),
]
