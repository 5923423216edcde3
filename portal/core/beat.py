"""One beat for the whole installation: a lock in Redis, held while beat runs.

Beat only publishes the periodic jobs (the due work itself lives in the database, and every job is safe to run twice),
so a second beat started by mistake would double the publishing, not the mail. Even so only one publishes: each beat
takes the lock before its first tick; the others stay idle, polling, and the first to find the lock free after its
holder stopped (or died: the lock expires `BEAT_LOCK_TTL_SECONDS` after its last renewal) takes over. A holder that
finds its lock gone stops its process rather than publish alongside another. Without Redis (the embedded broker of a
single machine) there is no lock: one machine runs one beat.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from django.conf import settings

log = logging.getLogger("rapport.beat")
LOCK_NAME = "rapport:beat-lock"


def beat_lock_hold(*, url: str | None = None, ttl: float | None = None, poll: float | None = None) -> object | None:
    """Blocks until this process holds the beat lock, then keeps renewing it in a daemon thread. Returns the lock."""
    import redis

    url = settings.REDIS_URL if url is None else url
    if not url:
        log.info("beat: no REDIS_URL, so no beat lock; run a single beat")
        return None
    ttl = ttl or settings.BEAT_LOCK_TTL_SECONDS
    poll = poll or max(ttl / 6, 0.5)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    lock = client.lock(LOCK_NAME, timeout=ttl, thread_local=False)
    waiting_logged = False
    standby = Path(f"{settings.CELERY_BEAT_SCHEDULE_FILENAME}.standby")  # the container check sees a waiting beat alive
    while True:
        try:
            if lock.acquire(blocking=False):
                break
        except redis.RedisError:
            log.warning("beat: Redis is not answering; waiting for the beat lock", exc_info=True)
        if not waiting_logged:
            log.warning("beat: another beat holds the lock; this one stays idle until that one stops")
            waiting_logged = True
        standby.touch()
        time.sleep(poll)
    standby.unlink(missing_ok=True)
    log.warning("beat: this process holds the beat lock (pid %s)", os.getpid())
    threading.Thread(target=_keep, args=(lock, ttl), name="beat-lock", daemon=True).start()
    return lock


def _keep(lock, ttl: float) -> None:
    import redis
    from redis.exceptions import LockNotOwnedError

    while True:
        time.sleep(ttl / 3)
        try:
            lock.reacquire()
        except LockNotOwnedError:
            log.error("beat: the beat lock was lost to another beat; this one stops")
            os._exit(3)
        except redis.RedisError:
            log.warning("beat: could not renew the beat lock (Redis away); trying again", exc_info=True)
