"""Long-running processes keep what they load at start-up out of the cyclic garbage collector's walks."""

import gc
import subprocess
import sys
import weakref
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
    """The receiver is connected to `worker_process_init` and freezes when called. (Sending the signal itself here
    would also run Celery's own receivers, which close this process's database connections.)"""
    from portal.celery import _freeze_startup_heap

    receivers = [ref() if isinstance(ref, weakref.ReferenceType) else ref for _key, ref in worker_process_init.receivers]
    assert _freeze_startup_heap in receivers
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        _freeze_startup_heap()
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()
