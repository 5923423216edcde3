"""Sessions kept in the database and read through the shared cache (Redis): one database query fewer per page.

The database stays the record. The cached copy lives at most `CACHE_SECONDS`, so a copy that outlived a failed
cache delete (Redis unreachable at the moment of a log-out) expires within minutes, and every cache error falls
back to the database: with Redis down people stay signed in and can still sign out (quality.md, "Reliability").
Used only when `REDIS_URL` is set; a per-process cache could not see another process's log-out.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

log = logging.getLogger("django.contrib.sessions")

CACHE_SECONDS = 300


class SessionStore(CachedDBStore):
    def _cache_for(self, **expiry) -> int:
        return max(0, min(CACHE_SECONDS, self.get_expiry_age(**expiry)))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 — the database answers instead
            log.warning("session cache unavailable; reading the database", exc_info=True)
            data = None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        try:
            self._cache.set(self.cache_key, data, self._cache_for(expiry=row.expire_date))
        except Exception:  # noqa: BLE001
            log.warning("session cache unavailable; not storing", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            log.warning("session cache unavailable; asking the database", exc_info=True)
        return super(CachedDBStore, self).exists(session_key)

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self._cache_for())
        except Exception:  # noqa: BLE001
            log.warning("session cache unavailable; saved to the database only", exc_info=True)

    def delete(self, session_key=None):
        super(CachedDBStore, self).delete(session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001 — the row is gone; the cached copy expires within CACHE_SECONDS
            log.warning("session cache unavailable; cached copy expires within %s s", CACHE_SECONDS, exc_info=True)
