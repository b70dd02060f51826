from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "carehub.apps.members"
    label = "members"
