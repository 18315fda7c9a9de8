"""Test settings: the project's, with a fast password hasher and in-memory e-mail."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")

from accessctl.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
ACCESSCTL_STRICT_PERMISSIONS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than memory, so the worker test's `db_worker` process can open the test database too.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(  # noqa: F405
        Path(tempfile.gettempdir()) / f"accessctl-test-{os.getpid()}.sqlite3"
    )

# Webhook retries a hundred times faster than in production, so the worker test sees three attempts in seconds.
WEBHOOKS_RETRY_BASE_SECONDS = 0.3
# The whole suite signs in from 127.0.0.1 and fails authentication on purpose many times an hour; the limit's
# own tests lower it (override_settings) and use addresses of their own.
AUTH_FAILURE_LIMIT = 10**9

# Every API exchange of the tests is checked against accessctl/api/schema/ (tests/api_schema.py); first, so it
# sees the final answer (limits, ETag) of the test client and of the live server alike.
MIDDLEWARE = ["tests.api_schema.SchemaCheckMiddleware", *MIDDLEWARE]  # noqa: F405
