from django.apps import AppConfig


class AuthorizationsConfig(AppConfig):
    name = "carehub.apps.authorizations"
    label = "authorizations"
    verbose_name = "ECM authorizations"
