"""The Celery application. Settings come from Django settings (`CELERY_*`)."""

import os
import sys

from celery import Celery
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = Celery("portal")
# Resolved lazily through the module __getattr__ below, so a bad setting stops the worker with one line.
app.config_from_object("portal.celery:django_settings", namespace="CELERY")
app.autodiscover_tasks()


def __getattr__(name: str):
    if name != "django_settings":
        raise AttributeError(name)
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 — evaluates the settings module
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)
    return settings


@app.task(name="portal.ping")
def ping(value: str = "pong") -> str:
    """A round-trip probe used by tests and the health check."""
    return value
