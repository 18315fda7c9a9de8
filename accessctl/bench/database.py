"""The benchmark's own database: recreated empty on every run, then migrated."""

from __future__ import annotations

from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connections


def recreate() -> str:
    """Drop and create the bench database (never the dev one: the settings add ``_bench``), then migrate."""
    db = settings.DATABASES["default"]
    connections.close_all()
    if db["ENGINE"].endswith("sqlite3"):
        Path(db["NAME"]).unlink(missing_ok=True)
        label = f"SQLite {db['NAME']}"
    else:
        assert db["NAME"].endswith("_bench"), db["NAME"]
        params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER")}
        with psycopg.connect(
            dbname="postgres", autocommit=True, password=db.get("PASSWORD") or None, **params
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            version = conn.execute("SHOW server_version").fetchone()[0]
        label = f"PostgreSQL {version} {db['NAME']}"
    call_command("migrate", verbosity=0, interactive=False)
    return label
