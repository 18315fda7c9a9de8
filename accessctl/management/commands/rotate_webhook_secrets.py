"""`manage.py rotate_webhook_secrets`: write every stored webhook secret again under the current key.

Run it after moving the previous ``WEBHOOK_SECRET_KEY`` into ``WEBHOOK_SECRET_OLD_KEYS`` and setting a new one;
once it has run, the old key can be dropped. The values do not change, so receivers notice nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accessctl.webhooks.models import Webhook


class Command(BaseCommand):
    help = "Re-encrypt every webhook secret and authorization value with WEBHOOK_SECRET_KEY (key rotation)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        hooks = Webhook.objects.select_for_update().only("pk", "secret", "authorization")
        count = 0
        for hook in hooks:  # read with whichever key decrypts, written with the current one
            Webhook.objects.filter(pk=hook.pk).update(secret=hook.secret, authorization=hook.authorization)
            count += 1
        self.stdout.write(
            f"Re-encrypted the secrets of {count} webhooks with the current WEBHOOK_SECRET_KEY."
        )
