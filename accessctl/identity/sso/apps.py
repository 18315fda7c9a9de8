from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "accessctl.identity.sso"
    label = "accessctl_sso"
    verbose_name = "Team SSO"
