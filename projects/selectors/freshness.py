"""The data key of a person's pages: it changes when any of their projects changes, or their set of projects does.

`data_key` is one query: how many projects, the sum of their ids and the sum of their data versions. Every change
to a project increases its version, so the sum only grows while the set of projects stays the same; joining or
leaving a project is itself an audited change (its version moves) and changes the count. The signed-in person is
loaded with their key already read (`projects.auth.PortalBackend`); safe requests use that one.
"""

from __future__ import annotations

from django.db import connection

from projects.models import Membership, Project

DATA_KEY_ATTR = "page_data_key"


def data_key_sql(user_id_sql: str) -> str:
    """SQL for the key as text ("count:ids:versions") of the person whose id is `user_id_sql`.

    Only our table names and a column reference or a placeholder are formatted in: no input."""
    parts = (
        "SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(SUM(m.project_id), 0) AS TEXT) || ':' ||",
        "CAST(COALESCE(SUM(p.data_version), 0) AS TEXT)",
        f"FROM {Membership._meta.db_table} m JOIN {Project._meta.db_table} p ON p.id = m.project_id",
        f"WHERE m.user_id = {user_id_sql}",
    )
    return " ".join(parts)


_SQL = data_key_sql("%s")


def data_key(user, *, preloaded: bool = True) -> str:
    """The person's data key; the one read with the person when `preloaded` (use it only on safe requests)."""
    if preloaded and (key := getattr(user, DATA_KEY_ATTR, None)) is not None:
        return key
    with connection.cursor() as cursor:
        cursor.execute(_SQL, [user.pk])
        return cursor.fetchone()[0]
