"""Tests: base settings, made fast. Real PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import REST_FRAMEWORK
from portal.settings.env import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
AXES_ENABLED = True
MEDIA_ROOT = VAR_DIR / "test-media"
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
ANYMAIL = {"WEBHOOK_SECRET": "provider:test-webhook-secret"}
