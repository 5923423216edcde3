"""Plain SQL built from the models: the same rows and the same instances as the ORM's."""

import pytest
from django.db import connection

from portal.core.sql import Columns, Insert, table
from projects.models import AuditEvent, Task

pytestmark = pytest.mark.django_db


def test_columns_load_an_instance_equal_to_the_orms_with_its_json_parsed(world):
    event = AuditEvent.objects.create(project=world.project, action="x.y", object_type="task", object_id="1",
                                      changes={"title": {"old": "a", "new": "b"}, "n": [1, 2]})
    columns = Columns(AuditEvent, "a")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {table(AuditEvent)} a WHERE a.id = %s", [event.pk])  # noqa: S608
        loaded = columns.load(cursor.fetchone())

    orm = AuditEvent.objects.get(pk=event.pk)
    assert loaded.changes == {"title": {"old": "a", "new": "b"}, "n": [1, 2]}
    assert {f.attname: getattr(loaded, f.attname) for f in AuditEvent._meta.concrete_fields} == {
        f.attname: getattr(orm, f.attname) for f in AuditEvent._meta.concrete_fields
    }
    assert loaded._state.adding is False


def test_columns_give_none_for_a_missing_outer_join_row():
    columns = Columns(Task, "t")

    assert columns.load([None] * columns.width) is None


def test_insert_stores_what_save_would_with_defaults_and_auto_timestamps(world):
    task = Task(project=world.project, title="Plain", owner=world.client, side="client", created_by=world.manager)

    Insert(Task).save(task)

    stored = Task.objects.get(pk=task.pk)
    assert task.pk is not None and task._state.adding is False
    assert stored.created_at is not None and stored.created_at == task.created_at
    assert (stored.title, stored.status, stored.version, stored.report_cadence_days) == ("Plain", "todo", 1, task.report_cadence_days)


def test_insert_adapts_json_like_the_orm(world):
    event = AuditEvent(project=world.project, action="x.y", object_type="task", object_id="2", changes={"a": [1, "b"]})

    Insert(AuditEvent).save(event)

    assert AuditEvent.objects.get(pk=event.pk).changes == {"a": [1, "b"]}

