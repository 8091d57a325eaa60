from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "copkit.communities"
    label = "communities"
    verbose_name = "Communities"
