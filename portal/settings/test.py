"""Tests: base settings, made fast. Real PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set."""

import os
from urllib.parse import urlparse, urlunparse

from portal.settings import env as _env  # noqa: F401 - reads .env into the environment first


def _redis_url_of_this_worker(url: str, worker: str) -> str:
    """`make test` runs the suite in pytest-xdist workers gw0, gw1, …, each with its own test database (pytest-django)
    and its own Redis database: the next number after REDIS_URL's per worker. The tests empty the cache (a whole Redis
    database) and read the Celery queue in it, which must not be another worker's."""
    index = worker.removeprefix("gw")
    if not url or not index.isdigit() or index == "0":
        return url
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/{int(parsed.path.strip('/') or 0) + int(index)}"))


# In the environment, so the tests' fixtures and the processes they start (Celery workers, gunicorn) see it too.
if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _redis_url_of_this_worker(os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))

from portal.settings.base import *  # noqa: E402, F403
from portal.settings.base import REST_FRAMEWORK  # noqa: E402
from portal.settings.env import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
AXES_ENABLED = True
MEDIA_ROOT = VAR_DIR / "-".join(filter(None, ["test-media", os.environ.get("PYTEST_XDIST_WORKER")]))  # one per worker
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {**REST_FRAMEWORK}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "10000/minute", "user": "100000/minute", "token": "1000/minute"}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Every test client comes from 127.0.0.1: the per-address bars are the tests' own to set (tests/…/test_*limits*).
PASSWORD_RESET_LIMIT_PER_ADDRESS = 100_000
PASSWORD_RESET_LIMIT_PER_ACCOUNT = 100_000
ONE_CLICK_LIMIT_PER_ADDRESS = 100_000
ANYMAIL = {"WEBHOOK_SECRET": "provider:test-webhook-secret", "MAILGUN_WEBHOOK_SIGNING_KEY": ""}
