from django.apps import AppConfig


class AccessctlConfig(AppConfig):
    name = "accessctl"
    verbose_name = "Access control"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account import signals as account_signals
        from allauth.mfa import signals
        from django.core.signals import got_request_exception

        from accessctl import faults
        from accessctl.identity import adapters

        got_request_exception.connect(faults.mark_fault, dispatch_uid="accessctl-db-faults")
        signals.authenticator_added.connect(
            adapters.on_authenticator_added, dispatch_uid="accessctl-mfa-added"
        )
        signals.authenticator_removed.connect(
            adapters.on_authenticator_removed, dispatch_uid="accessctl-mfa-removed"
        )
        signals.authenticator_reset.connect(
            adapters.on_authenticator_reset, dispatch_uid="accessctl-mfa-reset"
        )
        account_signals.password_changed.connect(
            adapters.on_password_changed, dispatch_uid="accessctl-pw-changed"
        )
        account_signals.password_set.connect(adapters.on_password_set, dispatch_uid="accessctl-pw-set")
        account_signals.password_reset.connect(adapters.on_password_reset, dispatch_uid="accessctl-pw-reset")
