"""Long-running processes keep what they load at start-up out of the cyclic garbage collector's walks."""

import gc
import subprocess
import sys
from pathlib import Path

from celery.signals import worker_process_init

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import gc, sys; import portal.wsgi; print(gc.get_freeze_count(), 'projects.views.report' in sys.modules)"


def test_the_wsgi_module_freezes_the_loaded_application():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings.base"})

    frozen, views_loaded = result.stdout.split()
    # The URL patterns, and with them every view module, are imported before the freeze, so they are in it.
    assert int(frozen) > 50_000 and views_loaded == "True", result.stderr


def test_a_celery_worker_process_freezes_its_heap_when_it_starts():
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()
