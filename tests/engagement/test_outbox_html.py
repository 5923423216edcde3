"""HTML and text parts of every kind: structure, inlined CSS, absolute links, text carries every link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from engagement.emails.meetings import queue_itip
from engagement.models.decisions import Involvement
from engagement.services.digests import digest_send_batch
from engagement.services.nudges import nudges_send
from engagement.services.reminders import reminders_send_due
from portal.outbox import services
from tests import factories as f

pytestmark = pytest.mark.django_db
MONDAY_8_MSK = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _an_hour_before_the_digests():
    """The data exists shortly before the Monday the mail is built for, whatever today's date is (the outbox sends
    nothing queued after the `now` it is given)."""
    with time_machine.travel(MONDAY_8_MSK - dt.timedelta(hours=1)):
        yield


def _all_kinds(world):
    f.TaskFactory(project=world.project, owner=world.client, title="Homepage & copy", due_date=dt.date(2026, 11, 20))
    f.DecisionFactory(project=world.project, title="Hosting <provider>", involvement=Involvement.CONSULTED,
                      requested_at=MONDAY_8_MSK - dt.timedelta(days=3))
    start = MONDAY_8_MSK + dt.timedelta(days=1)
    meeting = f.MeetingFactory(project=world.project, title="Sync & plan", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                               location="https://meet.example/a?b=1&c=2")
    f.AttendanceFactory(meeting=meeting, user=world.client)
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
    digest_send_batch(kind="manager", person_ids=[world.manager.pk], now=MONDAY_8_MSK + dt.timedelta(hours=3))
    reminders_send_due(now=start - dt.timedelta(hours=24))
    nudges_send(now=MONDAY_8_MSK + dt.timedelta(days=1, hours=1, minutes=30))
    services.outbox_send_due(now=start)


def test_every_kind_has_sound_html_and_text(world, mailoutbox, settings):
    world.manager.digest_hour = 8
    world.manager.time_zone = "Europe/Moscow"
    world.manager.save()
    _all_kinds(world)
    kinds = {m.extra_headers["X-Rapport-Kind"] for m in mailoutbox}
    assert {"meeting_invite", "digest", "manager_digest", "reminder", "nudge"} <= kinds
    for mail in mailoutbox:
        html = next(content for content, mimetype in mail.alternatives if mimetype == "text/html")
        text = mail.body
        kind = mail.extra_headers["X-Rapport-Kind"]
        assert re.search(r'<html lang="en"', html) and f"<title>{mail.subject[:20]}" in html.replace("&amp;", "&"), kind
        assert 'name="color-scheme"' in html
        assert "<script" not in html and "<form" not in html and "<link" not in html
        styles = re.findall(r"<style[^>]*>", html)
        assert styles == ['<style data-css-inline="keep">'], (kind, styles)
        for table in re.findall(r"<table[^>]*>", html):
            assert 'role="presentation"' in table or 'class="data"' in table, (kind, table)
        hrefs = set(re.findall(r'href="([^"]+)"', html))
        for href in hrefs:
            href = href.replace("&amp;", "&")
            assert href.startswith((settings.SITE_URL, "https://meet.example", "mailto:")), (kind, href)
            assert href in text, (kind, href)
        assert "&amp;" not in text and "&lt;" not in text and not re.search(r"</?(p|a|li|ul|table)\b", text), kind
        assert all(len(line) <= 998 for line in text.splitlines())
        assert "\n" not in mail.subject and len(mail.subject) <= 150
        assert len(html.encode()) < 80 * 1024

