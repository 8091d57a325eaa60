from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "copkit.plans"
    label = "plans"
    verbose_name = "Knowledge management plans"
