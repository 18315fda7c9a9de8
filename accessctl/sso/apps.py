from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "accessctl.sso"
    label = "accessctl_sso"
    verbose_name = "Team SSO"
