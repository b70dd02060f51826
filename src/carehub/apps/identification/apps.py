from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "carehub.apps.identification"
    label = "identification"
    verbose_name = "Population of Focus identification"
