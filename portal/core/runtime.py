"""Process start-up of long-running processes (the web workers, the Celery workers)."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Import what every request or task needs, then move everything allocated so far out of the cyclic garbage
    collector's sight (`gc.freeze`). Django's modules, models, URL patterns and templates live as long as the process;
    without this every full collection walks all of them again."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — imports every URL module and the views they name
    gc.collect()
    gc.freeze()
