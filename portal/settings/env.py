"""The one reader of the environment.

Every setting that comes from outside (environment variables or a `.env`
file) is parsed here, so a bad value is reported once, naming the variable.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(str(_env_file))

DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}
EMAIL_SCHEMES = {"smtp", "smtps", "smtp+tls", "smtp+ssl", "consolemail", "filemail", "memorymail", "dummymail"}


def database_config(var: str = "DATABASE_URL") -> dict:
    VAR_DIR.mkdir(exist_ok=True)
    default = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
    raw = env.str(var, default=default)
    parsed = urlparse(raw)
    if parsed.scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{var} is not a database URL this portal understands: {raw!r} "
            f"(expected postgres://user:pass@host:5432/name or sqlite:///path)"
        )
    try:
        config = env.db_url_config(raw)
    except Exception as exc:  # environ raises assorted errors for malformed URLs
        raise ImproperlyConfigured(f"{var} is malformed: {raw!r} ({exc})") from None
    threshold = prepare_threshold()  # read whatever the engine, so a typo is reported on SQLite too
    if config["ENGINE"].endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(f"{var} names no database: {raw!r}")
    if config["ENGINE"].endswith("postgresql"):
        # An unreachable server fails fast (and /healthz answers) instead of hanging on connect.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
        # Parameters bound by the server, and statements a connection runs again and again prepared (psycopg's
        # threshold: the 5th run of the same SQL text), so PostgreSQL does not parse and plan them every time.
        # Django leaves preparing off unless told; DATABASE_PREPARE_THRESHOLD=off turns it off behind a
        # transaction-mode pooler.
        config["OPTIONS"].setdefault("server_side_binding", True)
        config["OPTIONS"].setdefault("prepare_threshold", threshold)
    if config["ENGINE"].endswith("sqlite3") and config.get("NAME") and not str(config["NAME"]).startswith(("/", ":memory:")):
        config["NAME"] = str(BASE_DIR / config["NAME"])
    try:
        config["PORT"] = int(config["PORT"]) if config.get("PORT") not in (None, "") else ""
    except ValueError:
        raise ImproperlyConfigured(f"{var} has a bad port: {raw!r}") from None
    return config


def prepare_threshold(var: str = "DATABASE_PREPARE_THRESHOLD") -> int | None:
    """How many runs of one SQL text before a connection prepares it; None (``off``) never prepares."""
    raw = env.str(var, default="5").strip().lower()
    if raw in ("off", "none", ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{var} must be a whole number of runs (0 = prepare at once) or 'off': {raw!r}") from None
    if value < 0:
        raise ImproperlyConfigured(f"{var} must not be negative: {raw!r}")
    return value


def email_config(var: str = "EMAIL_URL") -> dict:
    raw = env.str(var, default="")
    if not raw:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
        }
    scheme = urlparse(raw).scheme
    if scheme not in EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{var} has an unknown scheme {scheme!r}: use one of " + ", ".join(sorted(EMAIL_SCHEMES))
        )
    try:
        parsed = env.email_url_config(raw)
    except Exception as exc:
        raise ImproperlyConfigured(f"{var} is malformed: {raw!r} ({exc})") from None
    out = {k if k.startswith("EMAIL_") else f"EMAIL_{k}": v for k, v in parsed.items()}
    if out.get("EMAIL_BACKEND", "").endswith("filebased.EmailBackend") and not out.get("EMAIL_FILE_PATH"):
        out["EMAIL_FILE_PATH"] = str(VAR_DIR / "mail")
    return out


def secret_key(required: bool) -> str:
    value = env.str("SECRET_KEY", default="")
    if value:
        return value
    if required:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (a long random string).")
    # Development: generate once, keep it under var/ so sessions survive restarts.
    VAR_DIR.mkdir(exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


MEDIA_SCHEMES = {"file", "s3"}
# Query parameters of an s3:// MEDIA_STORAGE_URL and the django-storages S3Storage options they set.
S3_OPTIONS = {
    "endpoint_url": "endpoint_url",
    "region": "region_name",
    "region_name": "region_name",
    "addressing_style": "addressing_style",
    "signature_version": "signature_version",
    "custom_domain": "custom_domain",
}


def media_storage_config(var: str = "MEDIA_STORAGE_URL", default_root: Path | None = None) -> dict:
    """The STORAGES entry for uploaded files.

    Unset: files under `var/media/` (`default_root`). `file:///path`: files under that folder.
    `s3://bucket/prefix?endpoint_url=…&region=…&addressing_style=path`: any S3-compatible store through
    django-storages; credentials from `s3://key:secret@bucket`, else `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`
    (or the rest of boto3's usual chain). Objects stay private: no ACL is set and every URL the store hands out is
    signed and short-lived, though the portal streams downloads itself.
    """
    raw = env.str(var, default="")
    if not raw:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(default_root or VAR_DIR / "media")},
        }
    parsed = urlparse(raw)
    if parsed.scheme not in MEDIA_SCHEMES:
        raise ImproperlyConfigured(
            f"{var} has an unknown scheme {parsed.scheme!r}: use file:///path or s3://bucket?endpoint_url=…"
        )
    if parsed.scheme == "file":
        if not parsed.path:
            raise ImproperlyConfigured(f"{var} names no folder: {raw!r}")
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": parsed.path}}
    if not parsed.hostname:
        raise ImproperlyConfigured(f"{var} names no bucket: {raw!r} (expected s3://bucket?endpoint_url=…)")
    options = {
        # The bucket's name as written (hostname would lower-case it).
        "bucket_name": parsed.netloc.rpartition("@")[2],
        "location": parsed.path.strip("/"),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": env.int("MEDIA_URL_EXPIRE_SECONDS", default=60),
    }
    for key, values in parse_qs(parsed.query).items():
        if key not in S3_OPTIONS:
            raise ImproperlyConfigured(f"{var} has an unknown option {key!r}: use " + ", ".join(sorted(S3_OPTIONS)))
        options[S3_OPTIONS[key]] = values[-1]
    if parsed.username:
        options["access_key"] = unquote(parsed.username)
        options["secret_key"] = unquote(parsed.password or "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
