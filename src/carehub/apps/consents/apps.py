from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "carehub.apps.consents"
    label = "consents"
    verbose_name = "Data-sharing authorizations (42 CFR Part 2), communication consents and authorized support persons"
