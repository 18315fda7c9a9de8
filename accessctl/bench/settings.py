"""The benchmark's settings: the project's, plus django-guardian, on a database of the benchmark's own.

SQLite file ``bench.sqlite3`` by default; with ``DATABASE_URL`` the same server under the database name with a
``_bench`` suffix, so the dev database is never touched. DEBUG stays off so that Django does not log queries.
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ["DEBUG"] = "0"

import environ

from accessctl.settings import *  # noqa: F403
from accessctl.settings import BASE_DIR, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "guardian"]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_MONKEY_PATCH_USER = False
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]  # guardian is measured directly, never as a backend
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

_url = os.environ.get("DATABASE_URL")
if _url:
    _db = environ.Env.db_url_config(_url)
    _db["NAME"] = f"{_db['NAME']}_bench"
else:
    _db = environ.Env.db_url_config(f"sqlite:///{BASE_DIR / 'bench.sqlite3'}")
DATABASES = {"default": _db}
# One process, so its own cache is as shared as Redis is for the workers of a deployment (README): sessions are
# read from it as there.
SESSION_ENGINE = "accessctl.web.sessions"
