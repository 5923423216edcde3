"""A digest's rendering is stored once: the archive reads its bodies through the outbox row it was sent from."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.apps import apps
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.deletion import ProtectedError
from django.urls import reverse

from engagement.models import Digest
from engagement.services.digests import digest_send_batch, digest_slot, manager_digest_build
from portal.outbox import services
from portal.outbox.models import OutboundMessage
from tests import factories as f

# Monday 30 Nov 2026, 08:00 in Moscow (the client's zone) is 05:00 UTC.
MONDAY_8_MSK = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)


def _copies(text: str) -> int:
    """How many rows of any table hold `text` whole in one of their text columns."""
    found = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.TextField | models.CharField):
                found += model._default_manager.filter(**{field.name: text}).count()
    return found


@pytest.mark.django_db
def test_a_batch_of_digests_stores_each_body_once_and_sends_it(world, smtp_sink):
    f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy", due_date=dt.date(2026, 11, 25))
    people = [world.client, world.client_lead]
    with time_machine.travel(MONDAY_8_MSK, tick=False):
        assert digest_send_batch(kind="client", person_ids=[p.pk for p in people], now=MONDAY_8_MSK) == 2
        assert services.outbox_send_due() == {services.SENT: 2}
    sent = {m["To"]: m for m in smtp_sink.messages}
    for person in people:
        digest = Digest.objects.select_related("message").get(recipient=person)
        assert f"Hi {person.full_name.split()[0]}," in digest.body_text and "<html" in digest.body_html
        assert _copies(digest.body_text) == 1 and _copies(digest.body_html) == 1
        assert digest.message.status == "sent" and digest.message.kind == "digest"
        mailed = sent[person.email].get_body(("plain",)).get_content()
        assert mailed.strip().splitlines() == digest.body_text.strip().splitlines()


@pytest.mark.django_db
def test_the_manager_digest_is_stored_once_too(world):
    person = world.manager
    slot = digest_slot(now=MONDAY_8_MSK, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
    digest = manager_digest_build(person=person, slot=slot, now=MONDAY_8_MSK)
    assert digest is not None and digest.message.kind == "manager_digest"
    assert _copies(Digest.objects.get(pk=digest.pk).body_html) == 1


@pytest.mark.django_db
def test_the_archive_shows_the_body_of_its_message_and_the_message_cannot_be_deleted(client, world):
    digest = f.DigestFactory(recipient=world.client, body_text="Three items need you this week")
    client.force_login(world.client)
    page = client.get(reverse("engagement:digest", args=[digest.pk]))
    assert page.status_code == 200 and "Three items need you this week" in page.content.decode()
    answer = client.get(f"/api/v1/digests/{digest.pk}/")
    assert answer.status_code == 200 and answer.json()["body_text"] == "Three items need you this week"
    with pytest.raises(ProtectedError):
        OutboundMessage.objects.filter(pk=digest.message_id).delete()


BEFORE = [("engagement", "0008_decision_asked_index")]
AFTER = [("engagement", "0010_digest_without_bodies")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_archived_digests_readable_both_ways():
    person = f.ClientUserFactory()
    try:
        old = _migrate(BEFORE)
        OldDigest, OldMessage = old.get_model("engagement", "Digest"), old.get_model("outbox", "OutboundMessage")
        row = OldMessage.objects.create(kind="digest", recipient_id=person.pk, to_email=person.email, dedupe_key="digest:w47",
                                        subject="Week 47", body_text="week 47 text", body_html="<p>week 47</p>")
        sent = OldDigest.objects.create(recipient_id=person.pk, iso_week="2026-W47", subject="Week 47",
                                        body_text="week 47 text", body_html="<p>week 47</p>", message=row)
        orphan = OldDigest.objects.create(recipient_id=person.pk, iso_week="2026-W46", subject="Week 46",
                                          body_text="week 46 text", body_html="<p>week 46</p>", message=None)
        new = _migrate(AFTER)
        NewDigest = new.get_model("engagement", "Digest")
        assert NewDigest.objects.get(pk=sent.pk).message.body_text == "week 47 text"
        kept = NewDigest.objects.select_related("message").get(pk=orphan.pk)
        assert (kept.message.body_text, kept.message.body_html, kept.message.status) == ("week 46 text", "<p>week 46</p>", "skipped")
        assert new.get_model("outbox", "OutboundMessage").objects.count() == 2
        back = _migrate(BEFORE)
        assert back.get_model("engagement", "Digest").objects.get(pk=orphan.pk).body_text == "week 46 text"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps
