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

from projects.selectors.freshness import DATA_KEY_ATTR, data_key_sql


@cache
def _person_sql() -> str:
    """The person's row and their data key, one statement (table and column names only: no input in it)."""
    model = get_user_model()
    table = model._meta.db_table
    columns = ", ".join(f'"{table}"."{field.column}"' for field in model._meta.concrete_fields)
    key = data_key_sql(f'"{table}"."{model._meta.pk.column}"')
    where = f'"{table}"."{model._meta.pk.column}" = %s'
    return " ".join(("SELECT", columns, f", ({key}) AS {DATA_KEY_ATTR}", f'FROM "{table}"', "WHERE", where))


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(model._default_manager.raw(_person_sql(), [pk])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
