"""The authentication backend: Django's ModelBackend that also reads the person's data key with the person.

Every cached page (dashboard, my work, API lists) is keyed by the data key of the reader's projects
(`projects.selectors.freshness`). Reading it in the same query that loads the signed-in person saves a database
round trip on every page, and the statement is plain SQL built once: compiling the ORM query on every request cost
more than running it (bench). The key is taken at the start of the request, before any page data is read, so a
page stored under it is never older than the key.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from portal.core.sql import Columns, col, table
from projects.selectors.freshness import DATA_KEY_ATTR, data_key_sql


@cache
def _person() -> tuple[Columns, str]:
    """The person's columns and the statement: their row and their data key (table and column names only)."""
    model = get_user_model()
    columns = Columns(model)
    pk = f"{table(model)}.{col(model, model._meta.pk.name)}"
    key = data_key_sql(pk)
    return columns, f"SELECT {columns.sql}, ({key}) AS {DATA_KEY_ATTR} FROM {table(model)} WHERE {pk} = %s"  # noqa: S608 — names only


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        columns, sql = _person()
        with connection.cursor() as cursor:
            cursor.execute(sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        user = columns.load(row)
        setattr(user, DATA_KEY_ATTR, row[columns.width])
        return user if self.user_can_authenticate(user) else None
