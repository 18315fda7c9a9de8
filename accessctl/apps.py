from django.apps import AppConfig


class AccessctlConfig(AppConfig):
    name = "accessctl"
    verbose_name = "Access control"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.mfa import signals

        from accessctl.identity import adapters

        signals.authenticator_added.connect(adapters.on_authenticator_added, dispatch_uid="accessctl-mfa-added")
        signals.authenticator_removed.connect(
            adapters.on_authenticator_removed, dispatch_uid="accessctl-mfa-removed"
        )
        signals.authenticator_reset.connect(adapters.on_authenticator_reset, dispatch_uid="accessctl-mfa-reset")
