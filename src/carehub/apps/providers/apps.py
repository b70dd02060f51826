from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "carehub.apps.providers"
    label = "providers"
