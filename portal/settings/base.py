"""All settings of the portal. `production.py` only hardens, `test.py` only speeds up."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from portal.settings.env import BASE_DIR, VAR_DIR, database_config, email_config, env, media_storage_config, secret_key

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = secret_key(required=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "anymail",
    "portal.core",
    "portal.accounts",
    "portal.outbox",
    "projects",
    "engagement",
    "conversations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "conversations.context_processors.inbox",
            ],
        },
    },
    {
        # Plain text (e-mail subjects and text parts): the same templates, rendered without HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {"default": database_config()}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Concurrent writers on the embedded default: readers never block the writer (WAL), a writer waits up to 20 s
    # for another (timeout), and every transaction takes the write lock at BEGIN (IMMEDIATE). A deferred
    # transaction that reads first and writes later cannot wait: it fails with "database is locked" the moment
    # another writer has committed since its read.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Log-in throttling per account and address together: five wrong passwords for one account lock that account from
# that address only. Behind a proxy or an office's NAT many people share one address; none of them is locked out by
# another's mistakes, and a wrong password for one account never locks out another.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "portal.core.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.core.addresses.client_address"
# How many proxies stand in front of the portal (the README's TLS proxy: 1); every per-address limit then counts the
# address the outermost one saw in X-Forwarded-For, not the proxy's own (portal/core/addresses.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password-reset requests: per address (many people may share one) and per account (what the person already got).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=20)  # an hour
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)  # an hour
AXES_VERBOSE = False  # no start-up banner on every manage.py command; failures are still logged

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]  # the date formats the product writes, per language
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (attachments): never served from a public URL, only through the access-checked views
# (conversations/views/files.py). MEDIA_STORAGE_URL chooses the store: files under var/media/ by default, or an
# S3-compatible bucket (portal/settings/env.py, docs/conversations.md).
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"  # not routed: nothing under it is served
STORAGES = {
    "default": media_storage_config(default_root=MEDIA_ROOT),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# E-mail
globals().update(email_config())
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rapport <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Redis: broker, result backend and cache when set; else the embedded default. Sessions stay in the database
# (Django's default engine), so people stay signed in while Redis is down.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))  # embedded broker only
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
    }
    _default_broker = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rapport"},
    }
    _default_broker = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=_default_broker)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control", "results"):
        (CELERY_DATA_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
else:
    # Longer than any task's hard time limit, so a running task is never handed out twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        # Publishing gives up quickly when the broker is away (kombu retries for ever by default): the row is
        # already in the outbox and the periodic sweep sends it, so a web request or a digest run never hangs.
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.5,
        "interval_max": 1,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Beat's own state (when each entry last ran) matters to nobody: every job finds its due work in the database and is
# safe to run twice. Only one beat publishes at a time: the others wait for a Redis lock (portal/core/beat.py).
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
BEAT_LOCK_TTL_SECONDS = env.int("BEAT_LOCK_TTL_SECONDS", default=60)
# The one beat schedule. Due work lives in the database; these jobs only pick it up.
CELERY_BEAT_SCHEDULE = {
    "outbox-send-pending": {"task": "outbox.send_pending", "schedule": 30.0},
    "outbox-requeue-stuck": {"task": "outbox.requeue_stuck", "schedule": 60.0},
    # Every 15 s: a reminder waits at most one period for the job, so 60 s would miss the 60 s lateness bar (bench).
    "engagement-send-due-reminders": {"task": "engagement.send_due_reminders", "schedule": 15.0},
    "engagement-materialise-meetings": {"task": "engagement.materialise_meetings", "schedule": crontab(minute=5)},
    "engagement-send-weekly-digests": {"task": "engagement.send_weekly_digests", "schedule": crontab(minute="*/15")},
    "engagement-send-nudges": {"task": "engagement.send_nudges", "schedule": crontab(minute=30)},
    "engagement-health-snapshots": {"task": "engagement.take_health_snapshots", "schedule": crontab(minute=15, hour=2)},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "portal.core.api.schema.ApiSchema",
    # JSON only: a browser asking for a page gets the JSON too (people read the API at /api/docs/). DRF's browsable
    # page builds its forms from one serializer_class per view; views here declare an input serializer per method.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_METADATA_CLASS": "portal.core.api.metadata.ApiMetadata",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.core.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,  # the anonymous throttle reads the address as portal.core.addresses
    "EXCEPTION_HANDLER": "portal.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.core.api.throttling.AnonRateThrottle",
        "portal.core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="2000/minute"),
        "token": env.str("API_THROTTLE_TOKEN", default="10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rapport API",
    "DESCRIPTION": "The client-engagement portal: projects, tasks, reports, plans, meetings, decisions, health.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "projects.models.Role",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "TaskStatusEnum": "projects.models.TaskStatus",
        "RiskStatusEnum": "projects.models.Risk.Status",
        "RiskOpenStatusEnum": ["open", "mitigating"],
        "RiskKindEnum": "projects.models.Risk.Kind",
        "SeverityEnum": "projects.models.Severity",
        "MeetingStatusEnum": "engagement.models.MeetingStatus",
        "RsvpEnum": "engagement.models.Rsvp",
        "RsvpAnswerEnum": ["yes", "maybe", "no"],
        "OutcomeKindEnum": ["task", "decision"],
        "DecisionStatusEnum": "engagement.models.decisions.DecisionStatus",
        "ResponseKindEnum": "engagement.models.decisions.ResponseKind",
        "DigestKindEnum": "engagement.models.Digest.Kind",
        "UserKindEnum": "portal.accounts.models.User.Kind",
    },
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 999_999_999_999_999_999}},
}

# Content-Security-Policy: everything is served by us, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
LANGUAGE_COOKIE_NAME = "rapport_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Invitations and one-click links.
INVITATION_MAX_AGE_DAYS = 7
ONE_CLICK_MAX_AGE_DAYS = 14
# Openings of the one-click pages (/e/…) per window: per link, and per address (high: an office shares one).
ONE_CLICK_LIMIT_WINDOW_SECONDS = 600
ONE_CLICK_LIMIT_PER_LINK = env.int("ONE_CLICK_LIMIT_PER_LINK", default=20)
ONE_CLICK_LIMIT_PER_ADDRESS = env.int("ONE_CLICK_LIMIT_PER_ADDRESS", default=300)
MEETING_HORIZON_DAYS = 120
# Answers to a meeting survive a move of its start and end by at most this; a larger move asks attendees again.
MEETING_RSVP_KEEP_MINUTES = env.int("MEETING_RSVP_KEEP_MINUTES", default=120)
OUTBOX_MAX_ATTEMPTS = 6
# E-mail identity and delivery rhythm (docs: shared/design/emails.md).
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="") or (urlparse(SITE_URL).hostname or "rapport.invalid")
RAPPORT_CALENDAR_EMAIL = env.str("RAPPORT_CALENDAR_EMAIL", default=f"calendar@{EMAIL_MESSAGE_ID_DOMAIN}")
# Comments: how long the author may edit one, and how long the first mention e-mail waits for more mentions on the
# same thread (a burst of comments is one message).
COMMENT_EDIT_WINDOW_MINUTES = env.int("COMMENT_EDIT_WINDOW_MINUTES", default=15)
COMMENT_MAIL_DELAY_MINUTES = env.int("COMMENT_MAIL_DELAY_MINUTES", default=10)
# Files: the largest file one may attach (bytes); 20 MB by default. The web server in front must accept bodies at least
# this large (several files go in one request).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# How many files one upload may carry.
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=10)

# Reply by e-mail: notices about one task, decision, meeting or risk carry a Reply-To of this domain (its MX points at
# `manage.py receive_mail`, or a provider's inbound webhook posts to /anymail/<provider>/inbound/).
INBOUND_EMAIL_DOMAIN = env.str("INBOUND_EMAIL_DOMAIN", default="reply.localhost").lower()
INBOUND_SMTP_HOST = env.str("INBOUND_SMTP_HOST", default="127.0.0.1")
INBOUND_SMTP_PORT = env.int("INBOUND_SMTP_PORT", default=2525)
INBOUND_MAX_MESSAGE_BYTES = env.int("INBOUND_MAX_MESSAGE_BYTES", default=25 * 1024 * 1024)
REPLY_ADDRESS_MAX_AGE_DAYS = env.int("REPLY_ADDRESS_MAX_AGE_DAYS", default=60)
# django-anymail's webhooks (/anymail/…, served only when this is set): the basic-auth "user:password" the provider's
# webhook URL carries.
ANYMAIL = {"WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="")}

RAPPORT_NOTIFY_EMAIL = env.str("RAPPORT_NOTIFY_EMAIL", default=f"notifications@{EMAIL_MESSAGE_ID_DOMAIN}")
RAPPORT_REMINDER_ICS = env.str("RAPPORT_REMINDER_ICS", default="request")
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=60)
# A row claimed (`sending`) this long ago belongs to a dead worker and goes back to pending. It must exceed one SMTP
# conversation (a few EMAIL_TIMEOUTs); a live sender renews its claims long before (portal/outbox/services.py).
OUTBOX_STUCK_AFTER_SECONDS = max(env.int("OUTBOX_STUCK_AFTER_SECONDS", default=120), 6 * EMAIL_TIMEOUT)
REMINDER_GRACE_MINUTES = env.int("REMINDER_GRACE_MINUTES", default=30)
DIGEST_BATCH_SIZE = env.int("DIGEST_BATCH_SIZE", default=100)
NUDGE_LOCAL_HOUR = env.int("NUDGE_LOCAL_HOUR", default=9)

# Engagement health weights: see docs/health.md. Override any key in the environment as JSON.
HEALTH_WEIGHTS = env.json(
    "HEALTH_WEIGHTS",
    default={
        "freshness": 20,
        "decisions": 20,
        "recency": 15,
        "attendance": 10,
        "consistency": 5,
        "ontime": 10,
        "overdue": 10,
        "plan": 10,
    },
)
HEALTH_WINDOW_WEEKS = env.int("HEALTH_WINDOW_WEEKS", default=8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
