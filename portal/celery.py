"""The Celery application. Settings come from Django settings (`CELERY_*`)."""

import os
import sys

from celery import Celery
from celery.signals import beat_init, worker_process_init
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _stop_on_bad_settings(sender, **kwargs) -> None:
    """Runs just before Celery reads the settings: a bad setting stops the worker with one line, not a traceback."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 — evaluates the settings module
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)


@worker_process_init.connect
def _freeze_startup_heap(**kwargs) -> None:
    """Each worker process, once started: what it imported is kept out of the garbage collector's walks."""
    from portal.core.runtime import freeze_startup_heap

    freeze_startup_heap()


@beat_init.connect
def _one_beat(**kwargs) -> None:
    """Before beat's first tick: wait for the installation's beat lock (portal/core/beat.py)."""
    from portal.core.beat import beat_lock_hold

    beat_lock_hold()


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """A round-trip probe used by tests and the health check."""
    return value
