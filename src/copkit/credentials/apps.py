from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "copkit.credentials"
    label = "credentials"
    verbose_name = "Badges"
    default_auto_field = "django.db.models.BigAutoField"
