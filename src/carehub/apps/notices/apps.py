from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "carehub.apps.notices"
    label = "notices"
    verbose_name = "Notices, grievances and appeals"
