from django.urls import path

from carehub.apps.assignments import views

app_name = "assignments"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("run/", views.run_batch, name="run"),
    path("changes/", views.new_change, name="new-change"),
    path("changes/<int:request_id>/complete/", views.complete_change, name="complete-change"),
    path("changes/mine/", views.member_change, name="member-change"),
    path("mine/", views.mine, name="mine"),
    path("<int:assignment_id>/accept/", views.accept, name="accept"),
    path("<int:assignment_id>/return/", views.return_, name="return"),
    path("files/", views.files, name="files"),
    path("files/mif/", views.download_mif, name="mif"),
]
