"""Webhook secrets at rest: encrypted, not hashed, because the worker needs the secret itself to sign.

``EncryptedTextField`` stores a Fernet token (AES-128-CBC with an HMAC-SHA256, from ``cryptography``) and reads
back the plain text, so code that signs or checks a value sees it as given. The key is derived (HKDF-SHA256)
from ``settings.WEBHOOK_SECRET_KEY``; outside production that falls back to ``SECRET_KEY``. Key rotation: the
keys in ``settings.WEBHOOK_SECRET_OLD_KEYS`` still decrypt, and ``manage.py rotate_webhook_secrets`` writes
every value again under the current key (docs/security.md, "Webhook secrets at rest").
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PURPOSE = b"accessctl webhook secrets v1"
UNREADABLE = (
    "A stored webhook secret could not be decrypted with WEBHOOK_SECRET_KEY. If the key was changed, put the "
    "previous one in WEBHOOK_SECRET_OLD_KEYS and run manage.py rotate_webhook_secrets."
)


def _fernet(material: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


@lru_cache(maxsize=4)
def _keys(current: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(current), *(_fernet(key) for key in old)])


def keys() -> MultiFernet:
    """The current key first (it encrypts), then the old ones (they only decrypt)."""
    return _keys(settings.WEBHOOK_SECRET_KEY, tuple(settings.WEBHOOK_SECRET_OLD_KEYS))


def encrypt(plain: str) -> str:
    """The Fernet token of ``plain`` under the current key; empty stays empty (nothing to hide)."""
    return keys().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    """The plain text of a token made under the current or an old key."""
    if not token:
        return ""
    try:
        return keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(UNREADABLE) from None


class EncryptedTextField(models.TextField):
    """A text column holding the value encrypted (``encrypt``); Python code reads and assigns plain text."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return None if value is None else encrypt(value)
