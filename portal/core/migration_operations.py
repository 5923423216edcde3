"""Migration operations for what only PostgreSQL has."""

from __future__ import annotations

from django.db.migrations.operations.base import Operation

from portal.core.search import search_index


class AddSearchIndex(Operation):
    """The full-text GIN index over `portal.core.search.search_vector(*fields)`, on PostgreSQL only.

    It lives in the database alone, not in the models' state: SQLite rebuilds a table from that state whenever a
    column or constraint changes, and it cannot build a GIN index. The searches (`projects.search`) filter on the
    same expression, which is what makes PostgreSQL use it.
    """

    reversible = True

    def __init__(self, model_name: str, fields: list[str], name: str):
        self.model_name = model_name
        self.fields = list(fields)
        self.name = name

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "fields": self.fields, "name": self.name}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.add_index(model, search_index(*self.fields, name=self.name))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = from_state.apps.get_model(app_label, self.model_name)
            schema_editor.remove_index(model, search_index(*self.fields, name=self.name))

    def describe(self):
        return f"Create the full-text index {self.name} on {self.model_name} ({', '.join(self.fields)}), PostgreSQL only"

    @property
    def migration_name_fragment(self):
        return f"{self.model_name.lower()}_{self.name.lower()}"
