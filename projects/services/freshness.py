"""Every change to what a project shows moves its `data_version`, so pages cached for it are never served stale.

`audit_record` calls `touch_projects` for every audited change; writers that are not audited (the health job's
snapshots and warnings) call it themselves. The UPDATE runs inside the writer's transaction: a reader sees the new
version only together with the new data, and it reads the version before the data (pages cached under an old
version are then at worst newer than their key, never older).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.db import connection

from portal.core.sql import col, table
from projects.models import Project


@cache
def _touch_sql(count: int) -> str:
    """One statement per number of ids (one, nearly always), so each is prepared once."""
    version, pk, marks = col(Project, "data_version"), col(Project, "id"), ", ".join(["%s"] * count)
    return f"UPDATE {table(Project)} SET {version} = {version} + 1 WHERE {pk} IN ({marks})"  # noqa: S608 — names only


def touch_projects(project_ids: Iterable[int | None]) -> None:
    """Move the data version of these projects (ids in order, so concurrent writers lock rows in the same order)."""
    ids = sorted({pid for pid in project_ids if pid})
    if ids:
        # Plain SQL: every audited write runs it, and compiling the ORM's UPDATE cost more than running it (bench).
        with connection.cursor() as cursor:
            cursor.execute(_touch_sql(len(ids)), ids)
