"""Sessions read from the cache and written through to the database (Django's ``cached_db``), that keep
signed-in pages working while the cache is unreachable.

Django's engine already falls back to the database when a cache read fails and only logs a failed write, but
it lets the copy it writes back after that fallback, and its ``exists`` check at sign-in, raise: with Redis
down every signed-in page would answer 500. Here both fall back to the database as well. Deleting a session
(signing out) still fails loudly when the cache cannot be reached: succeeding would leave the old copy in the
cache, valid again once the cache is back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends import cached_db

log = logging.getLogger("accessctl.sessions")


class SessionStore(cached_db.SessionStore):
    """``cached_db`` whose reads survive an unreachable cache (see the module docstring)."""

    _cache: Any  # set by cached_db's __init__; the type stubs do not declare it

    def load(self) -> dict[str, Any]:
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # an unreachable cache or a key it refuses: read the database
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()  # type: ignore[attr-defined]
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception as error:
            log.warning("session_cache_unavailable op=set error=%r", str(error)[:120])
        return data

    def exists(self, session_key: str | None) -> bool:
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception as error:
            log.warning("session_cache_unavailable op=exists error=%r", str(error)[:120])
        return bool(session_key) and super(cached_db.SessionStore, self).exists(session_key or "")
