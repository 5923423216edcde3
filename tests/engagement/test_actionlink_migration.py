"""ActionLink moved from the outbox app to engagement by state alone: the same table, the same rows, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from engagement.models import ActionLink
from tests import factories as f

BEFORE = [("outbox", "0001_initial"), ("engagement", "0003_perf_warning_open")]
AFTER = [("outbox", "0002_actionlink_moved_to_engagement"), ("engagement", "0004_actionlink_moved_from_outbox")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_table_and_its_rows_both_ways():
    person = f.ClientUserFactory()
    link = ActionLink.objects.create(person=person, action=ActionLink.Action.UNSUBSCRIBE,
                                     object_ct=ContentType.objects.get_for_model(type(person)), object_id=str(person.pk),
                                     expires_at=timezone.now() + dt.timedelta(days=1))
    try:
        old = _migrate(BEFORE)
        assert old.get_model("outbox", "ActionLink").objects.get(pk=link.pk).person_id == person.pk
        with pytest.raises(LookupError):
            old.get_model("engagement", "ActionLink")
        new = _migrate(AFTER)
        assert new.get_model("engagement", "ActionLink").objects.get(pk=link.pk).action == "unsubscribe"
        with pytest.raises(LookupError):
            new.get_model("outbox", "ActionLink")
    finally:
        # The later migrations too: the tests after this one need the whole schema.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert ActionLink._meta.db_table == "outbox_actionlink" and ActionLink.objects.filter(pk=link.pk).exists()
