from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "carehub.apps.notifications"
    label = "notifications"
    verbose_name = "In-app notices to organizations, users and members, and an outbox for outside parties (PCPs)"
