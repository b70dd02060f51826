from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "carehub.apps.referrals"
    label = "referrals"
    verbose_name = "ECM referrals"
