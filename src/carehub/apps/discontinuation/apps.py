from django.apps import AppConfig


class DiscontinuationConfig(AppConfig):
    name = "carehub.apps.discontinuation"
    label = "discontinuation"
    verbose_name = "ECM discontinuation and graduation: reasons, plan confirmation, notices, transitions"
