"""Inserting many rows fast: PostgreSQL COPY (other databases: `bulk_create`).

A digest batch writes a few hundred rows that carry whole e-mail bodies, and a thousand one-click links. Through
`bulk_create` on PostgreSQL each value is quoted by the client (text arrays in Python, character by character);
COPY streams the rows in PostgreSQL's binary format, which psycopg writes in C (no escaping of the bodies: each value
goes as its length and its bytes, typed by the table's own column types). Fields get exactly what `bulk_create`
would give them (`pre_save`, `get_db_prep_save`: defaults, auto_now_add, JSON), and primary keys are taken from the
table's sequence first, so the objects have their `pk` afterwards, as with `bulk_create`.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import adapters


@contextmanager
def _copy(connection, cursor, model, rows: int):
    """`COPY` into all of `model`'s columns, binary with each column typed as its field declares it (the type named
    by `db_type`, as the migration created it; text when a type is not one psycopg knows by name). Logged like any
    other statement (query-count tests, the benchmark)."""
    fields, qn = list(model._meta.concrete_fields), connection.ops.quote_name
    try:
        types = [adapters.types[re.sub(r"\(.*\)", "", field.db_type(connection)).strip()].oid for field in fields]
    except KeyError:
        types = None
    columns = ", ".join(qn(field.column) for field in fields)
    sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN{' (FORMAT BINARY)' if types else ''}"
    started = time.monotonic()
    with cursor.cursor.copy(sql) as copy:
        if types:
            copy.set_types(types)
        yield copy
    if connection.queries_logged:
        connection.queries_log.append({"sql": f"{sql} -- {rows} rows", "time": f"{time.monotonic() - started:.3f}"})


def copy_insert(model, objs: list) -> None:
    if not objs:
        return
    connection = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy: read once per value below
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs)
        return
    meta = model._meta
    with connection.wrap_database_errors, connection.cursor() as cursor:
        if meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [meta.db_table, meta.pk.column, len(objs)])
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        prepare = [(field.pre_save, field.get_db_prep_save) for field in meta.concrete_fields]
        with _copy(connection, cursor, model, len(objs)) as copy:
            for obj in objs:
                copy.write_row([prep(pre(obj, True), connection) for pre, prep in prepare])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def copy_values(model, rows: list[dict]) -> None:
    """COPY rows given as {attname: value}, values as the database takes them (no model instances: a digest batch
    writes a thousand one-click links). Fields a row leaves out get their model default."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    given = set(rows[0])
    fixed = {f.attname: f.get_db_prep_save(f.get_default(), connection)
             for f in fields if f.attname not in given and not callable(f.default)}
    per_row = [f for f in fields if f.attname not in given and callable(f.default)]
    names = [f.attname for f in fields]
    with connection.wrap_database_errors, connection.cursor() as cursor, _copy(connection, cursor, model, len(rows)) as copy:
        for row in rows:
            if per_row:
                row = {**{f.attname: f.get_db_prep_save(f.get_default(), connection) for f in per_row}, **row}
            copy.write_row([row[name] if name in row else fixed[name] for name in names])
