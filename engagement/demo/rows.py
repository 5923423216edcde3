"""Row buffers for the demo seed: staged `bulk_create` and past timestamps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

from projects.models import AuditEvent

STAGES = 6
BATCH = 500


@dataclass
class Rows:
    stages: list = field(default_factory=lambda: [defaultdict(list) for _ in range(STAGES)])
    count: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, stage: int, obj) -> object:
        self.stages[stage][type(obj)].append(obj)
        self.count[type(obj)._meta.verbose_name_plural] += 1
        return obj

    def flush(self) -> None:
        for stage in self.stages:
            for model, objs in stage.items():
                if model is AuditEvent:
                    for obj in objs:
                        obj.object_id = str(obj.target.pk)
                for start in range(0, len(objs), BATCH):
                    model.objects.bulk_create(objs[start : start + BATCH])
                objs.clear()


def stamp(obj, at: dt.datetime):
    obj.created_at = at
    if hasattr(obj, "updated_at"):
        obj.updated_at = at
    return obj


@contextmanager
def historical_timestamps() -> Iterator[None]:
    """Let the seed write past `created_at` values: `auto_now(_add)` would stamp every row with today.
    Process-wide while active, so only for the management command's own run."""
    touched = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                touched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in touched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
