from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carehub.apps.audit"
    label = "audit"
