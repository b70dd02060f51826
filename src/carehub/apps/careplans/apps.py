from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "carehub.apps.careplans"
    label = "careplans"
    verbose_name = "Comprehensive assessments and Individualized Care Plans"
