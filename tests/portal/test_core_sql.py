"""Plain SQL built from the models: the same rows and the same instances as the ORM's."""

import pytest
from django.db import connection

from portal.core.sql import Columns, Insert, InsertSelect, table
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



def test_insert_select_binds_every_field_but_the_computed_ones_and_stores_what_save_would(world):
    statement = InsertSelect(AuditEvent, computed={"object_repr": "src.label"}, prefix="a_")
    event = AuditEvent(project=world.project, action="x.y", object_type="task", object_id="7", changes={"n": [1]})
    params = statement.params(event)

    assert "a_object_repr" not in params and params["a_project_id"] == world.project.pk
    with connection.cursor() as cursor:
        cursor.execute(f"{statement.sql} FROM (SELECT %(label)s AS label) AS src RETURNING id", {**params, "label": "Seven"})
        pk = cursor.fetchone()[0]

    stored = AuditEvent.objects.get(pk=pk)
    assert (stored.object_repr, stored.changes, stored.project_id, stored.at) == ("Seven", {"n": [1]}, world.project.pk, event.at)


def test_insert_select_refuses_a_field_the_model_does_not_have():
    with pytest.raises(ValueError, match="no column for"):
        InsertSelect(AuditEvent, computed={"colour": "'red'"}, prefix="a_")
