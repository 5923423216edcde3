"""Counters in Django's cache for rate limits (password-reset requests, one-click pages).

The cache is shared by every web process when it is Redis (`REDIS_URL`), and per process with the embedded locmem
cache. A counter that cannot be read (Redis down) lets the request through with a log line: a rate limit must not
turn an outage of the cache into an outage of the portal.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `window` seconds for one key of the `scope`."""

    scope: str
    count: int
    window: int

    def key(self, value: str) -> str:
        # Hashed: addresses and e-mail addresses are never written to the cache as they are typed.
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{digest}"


def hit(limit: Limit, value: str) -> bool:
    """Count one hit for `value`; True while it is within the limit, False once over it. Fails open."""
    key = limit.key(value)
    try:
        # `add` starts the window only for the first hit; `incr` is atomic on Redis (and under locmem's lock).
        if cache.add(key, 1, timeout=limit.window):
            return True
        return cache.incr(key) <= limit.count
    except ValueError:  # the key expired between `add` and `incr`: a new window starts with this hit
        return _restart(limit, key)
    except Exception as error:  # any cache client error: Redis refused, timed out, went away mid-reply
        _unavailable(limit, error)
        return True


def _restart(limit: Limit, key: str) -> bool:
    try:
        cache.add(key, 1, timeout=limit.window)
    except Exception as error:
        _unavailable(limit, error)
    return True


def _unavailable(limit: Limit, error: Exception) -> None:
    log.warning("rate limit %s: the cache is unavailable (%r); the request is let through", limit.scope, error)
