from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "copkit.academy"
    label = "academy"
    verbose_name = "Academy"
