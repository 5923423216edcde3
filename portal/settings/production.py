"""Production: base settings, hardened. No default secret."""

from portal.settings.base import *  # noqa: F403
from portal.settings.env import env, secret_key

DEBUG = False
SECRET_KEY = secret_key(required=True)

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
# Load balancers and container health checks probe /healthz over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
