from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "copkit.accounts"
    label = "accounts"
    verbose_name = "Accounts"
