from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "carehub.apps.engagement"
    label = "engagement"
    verbose_name = "ECM provider work: outreach, enrollment, Lead Care Manager, core-service activities, care team"
