from __future__ import annotations

import math
import os
import socket
from urllib.parse import urlparse

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # any driver error means "down"
        return False, exc.__class__.__name__


def _broker_ok() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    parsed = urlparse(url)
    if parsed.scheme == "filesystem":
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
        return (os.path.isdir(folder) and os.access(folder, os.W_OK)), "filesystem"
    if parsed.scheme in ("redis", "rediss"):
        import redis

        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            return True, "ok"
        except Exception as exc:
            return False, exc.__class__.__name__
    # Any other broker: a TCP connect within one second.
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=1):
            return True, "ok"
    except OSError as exc:
        return False, exc.__class__.__name__


def health_checks() -> tuple[bool, dict]:
    """The database and the broker, each probed within a few seconds: (all ok, the body /healthz answers)."""
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    ok = db_ok and broker_ok
    body = {
        "status": "ok" if ok else "unavailable",
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    return ok, body


def locked_out(request: HttpRequest, credentials: dict | None = None) -> HttpResponse:
    """django-axes lock-out response (AXES_LOCKOUT_CALLABLE): a friendly page naming the wait in minutes."""
    cool_off = get_cool_off(request)
    context = {
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
        "username": get_client_username(request, credentials) or "",
    }
    return render(request, "registration/locked_out.html", context, status=429)
