from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "carehub.apps.assignments"
    label = "assignments"
    verbose_name = "ECM provider assignment and exchange files"
