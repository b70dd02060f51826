from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "carehub.apps.accounts"
    label = "accounts"
