import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

# Exit status 4 is gunicorn's "application failed to load": the master stops instead of respawning workers.
APP_LOAD_ERROR = 4

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    from portal.core.runtime import freeze_startup_heap

    freeze_startup_heap()
except ImproperlyConfigured as exc:
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.exit(APP_LOAD_ERROR)
