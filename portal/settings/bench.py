"""Benchmarks: production-like (DEBUG off, real middleware), on loopback HTTP, with the ceiling view."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import REST_FRAMEWORK
from portal.settings.env import env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="bench-only-secret-key-not-for-production-use-0123456789abcdef")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
# The load generator must not be throttled or locked out; everything else stays as in production.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": [], "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "token": None}}
AXES_ENABLED = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"level": "WARNING", "handlers": ["stderr"]},
}
