"""The authentication backend: Django's ModelBackend that also reads the person's data key with the person.

Every cached page (dashboard, my work, API lists) is keyed by the data key of the reader's projects
(`projects.selectors.freshness`). Reading it in the same query that loads the signed-in person saves a database
round trip on every page (bench). The key is taken at the start of the request, before any page data is read, so a
page stored under it is never older than the key.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models.expressions import RawSQL

from projects.selectors.freshness import DATA_KEY_ATTR, data_key_sql


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        sql = data_key_sql(f'"{model._meta.db_table}"."{model._meta.pk.column}"')
        try:
            annotated = model._default_manager.annotate(**{DATA_KEY_ATTR: RawSQL(sql, ())})  # noqa: S611 — no input in it
            user = annotated.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
