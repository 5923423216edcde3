#!/usr/bin/env python3
"""Container health checks: `healthcheck.py web` (GET /healthz) and `healthcheck.py beat` (schedule file fresh)."""

from __future__ import annotations

import glob
import os
import sys
import time
import urllib.request

BEAT_STALE_SECONDS = 900


def web() -> bool:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(  # noqa: S310
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def beat() -> bool:
    # Beat rewrites its schedule file after every run (outbox sending runs every 30 s); a beat waiting for the beat
    # lock touches `<schedule>.standby` instead (portal/core/beat.py).
    files = glob.glob(os.environ.get("CELERY_BEAT_SCHEDULE_GLOB", "var/celerybeat-schedule*"))
    return bool(files) and time.time() - max(os.path.getmtime(f) for f in files) < BEAT_STALE_SECONDS


if __name__ == "__main__":
    checks = {"web": web, "beat": beat}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit("usage: healthcheck.py web|beat")
    sys.exit(0 if checks[sys.argv[1]]() else 1)
