from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "copkit.web"
    label = "web"
    verbose_name = "copkit web"
