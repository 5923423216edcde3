"""Every change to what a project shows moves its `data_version`, so pages cached for it are never served stale.

`audit_record` calls `touch_projects` for every audited change; writers that are not audited (the health job's
snapshots and warnings) call it themselves. The UPDATE runs inside the writer's transaction: a reader sees the new
version only together with the new data, and it reads the version before the data (pages cached under an old
version are then at worst newer than their key, never older).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from projects.models import Project


def touch_projects(project_ids: Iterable[int | None]) -> None:
    ids = sorted({pid for pid in project_ids if pid})
    if ids:
        Project.objects.filter(pk__in=ids).update(data_version=F("data_version") + 1)
