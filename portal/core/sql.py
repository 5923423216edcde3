"""Plain SQL for the few statements every request runs, built once from the models' own metadata.

The ORM compiles a query on every call; on the portal's hottest paths (the signed-in person on every request, the
client's progress report) compiling cost more than running the statement on PostgreSQL (bench/README.md). These
helpers build the SELECT list and the INSERT of a model from its concrete fields once per process, so a statement
never names a column by hand and follows the model when it changes, and turn rows back into model instances with
the same converters the ORM applies. Parameters are always bound (`%s`): only table and column names, quoted, are
formatted into the SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from django.db import connection
from django.db.models import Model


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[Model]) -> str:
    return qn(model._meta.db_table)


def col(model: type[Model], field: str) -> str:
    """The quoted column of a model's field (`"project_id"` for the foreign key `project`)."""
    return qn(model._meta.get_field(field).column)


def db_value(model: type[Model], field: str, value):
    """`value` prepared for a bound parameter as the field prepares it on save (dates for SQLite, JSON, …)."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)


class Columns:
    """A model's concrete columns under one table alias: the SELECT list, and instances back from a row."""

    def __init__(self, model: type[Model], alias: str | None = None) -> None:
        self.model = model
        self.alias = alias or model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self.width = len(self.fields)
        self.sql = ", ".join(f"{qn(self.alias)}.{qn(field.column)}" for field in self.fields)
        self._pk_index = self.fields.index(model._meta.pk)
        self._converters = None

    def _field_converters(self) -> list[tuple[int, list, object]]:
        """(position, converters, column) for the fields the ORM converts on the way out (JSON, …), as it would.
        Computed once per process: the backend's converters are bound to the first thread's connection, which holds
        nothing per connection that they read (the time zone is the project's)."""
        if self._converters is None:
            out = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if converters:
                    out.append((index, converters, column))
            self._converters = out
        return self._converters

    def load(self, row: Sequence, start: int = 0) -> Model | None:
        """The instance held in `row[start:start + width]`; None when its primary key is NULL (an outer join's miss)."""
        values = list(row[start : start + self.width])
        if values[self._pk_index] is None:
            return None
        for index, converters, column in self._field_converters():
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


def _stored_fields(model: type[Model]) -> list:
    """The fields an INSERT writes: every concrete field but the automatic key."""
    return [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]


def _save_value(field, instance: Model):
    """The field's value of an unsaved `instance`, as `Model.save()` would bind it (defaults, auto timestamps, JSON)."""
    return field.get_db_prep_save(field.pre_save(instance, add=True), connection)


class Insert:
    """`INSERT INTO <table> (<columns but the automatic key>) VALUES (…) RETURNING <key>` for one model."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        meta = model._meta
        self.fields = _stored_fields(model)
        columns = ", ".join(qn(field.column) for field in self.fields)
        placeholders = ", ".join("%s" for _ in self.fields)
        returning = f" RETURNING {qn(meta.pk.column)}" if meta.auto_field else ""
        self.sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({placeholders}){returning}"  # noqa: S608 — names only

    def save(self, instance: Model) -> Model:
        """Insert `instance` (unsaved) as `Model.save()` would, with each field's own value preparation; sets its key."""
        params = [_save_value(field, instance) for field in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            if self.model._meta.auto_field:
                setattr(instance, self.model._meta.pk.attname, cursor.fetchone()[0])
        instance._state.adding = False
        instance._state.db = connection.alias
        return instance


class InsertSelect:
    """`INSERT INTO <table> (<columns but the automatic key>) SELECT <values>` for one model, as part of a larger
    statement: the fields named in `computed` take the given SQL expression (a column of a CTE, say), every other
    field a named parameter `%(<prefix><column>)s` whose value `params()` prepares as `Model.save()` would.
    The caller appends `FROM …` and, if it needs the key, `RETURNING`."""

    def __init__(self, model: type[Model], *, computed: dict[str, str], prefix: str) -> None:
        self.model = model
        self.prefix = prefix
        meta = model._meta
        fields = _stored_fields(model)
        unknown = set(computed) - {field.name for field in fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no column for {sorted(unknown)}")
        self.bound = [field for field in fields if field.name not in computed]
        values = [computed.get(field.name) or f"%({prefix}{field.column})s" for field in fields]
        columns = ", ".join(qn(field.column) for field in fields)
        self.sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) SELECT {', '.join(values)}"  # noqa: S608 — names only

    def params(self, instance: Model) -> dict:
        return {f"{self.prefix}{field.column}": _save_value(field, instance) for field in self.bound}


@cache
def _insert_for(model: type[Model]) -> Insert:
    return Insert(model)


def insert(instance: Model) -> Model:
    """Insert an unsaved instance with its model's INSERT, built once per process (see `Insert`)."""
    return _insert_for(type(instance)).save(instance)
