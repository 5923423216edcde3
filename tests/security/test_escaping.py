"""Hostile user text (HTML, template syntax, formula prefixes, newlines, 10,000 characters) through every
page, the e-mails (decision request, reminder, digest), the .ics files and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from engagement.models.decisions import DecisionStatus, Involvement
from engagement.models.meetings import MeetingStatus
from engagement.services.digests import digest_build, digest_slot
from engagement.services.reminders import reminders_send_due
from portal.outbox import services as outbox
from projects.views.export import csv_cell
from tests import factories as f
from tests.security.pages import html_pages, own_objects

HTML = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}{% debug %}"
TITLE = f"{HTML} {TEMPLATE}"
LONG = f'{HTML}\nline two\r\n=HYPERLINK("http://evil.example")\n' + "x" * 10_000
RAW_TAGS = (b"<script>alert(1)", b"<img src=x onerror")
DEBUG_OUTPUT = (b"sql_queries", b"{'True': True", b"&#x27;True&#x27;: True")


def _evil_world(world):
    world.client.full_name = '"><img src=x onerror=alert(1)> {{ 7*7 }}'
    world.client.save()
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    objects = own_objects(
        world,
        task={"title": TITLE, "description": LONG, "created_by": world.manager},
        comment={"body": LONG},
        risk={"title": TITLE, "description": LONG},
        saved_filter={"name": TITLE[:80]},
        decision={
            "title": TITLE,
            "context": LONG,
            "decision": LONG,
            "involvement": Involvement.CONSULTED,  # approved and asking for acknowledgement
            "status": DecisionStatus.APPROVED,
        },
        meeting={"title": TITLE, "agenda": LONG, "starts_at": start, "ends_at": start + dt.timedelta(hours=1)},
        series={"title": TITLE},
        milestone={"name": TITLE, "description": LONG},
        absence={"note": TITLE[:300]},
        quiet_period={"reason": TITLE[:300]},
        suppression={"reason": TITLE},  # a bounce's diagnostic is text from a remote server
        plan={"expectations": LONG},
        digest={"subject": "Your week", "body_text": LONG, "body_html": "<p>escaped by the builder</p>"},
    )
    f.ProgressReportFactory(task=objects["task"], note=LONG, blockers=LONG)
    held = f.MeetingFactory(
        project=world.project,
        title=TITLE,
        agenda=LONG,
        minutes=LONG,
        status=MeetingStatus.HELD,
        starts_at=start - dt.timedelta(days=7),
        ends_at=start - dt.timedelta(days=7, hours=-1),
    )
    f.AttendanceFactory(meeting=held, user=world.client)
    objects["held"] = held
    return objects


def _check_html(body: bytes) -> list[str]:
    problems = [f"raw {tag!r}" for tag in RAW_TAGS if tag in body]
    problems += [f"template evaluated ({marker!r})" for marker in DEBUG_OUTPUT if marker in body]
    return problems


@pytest.mark.django_db
def test_every_page_escapes_hostile_text(world):
    objects = _evil_world(world)
    pages = [*html_pages(world, objects)]
    pages.append(reverse("engagement:meeting", kwargs={"slug": world.project.slug, "pk": objects["held"].pk}))
    pages.append(reverse("projects:search") + "?q=alert")
    failures, shown = [], 0
    for persona in ("manager", "client"):
        client = Client()
        client.force_login(world.persona(persona))
        for path in pages:
            response = client.get(path)
            if response.status_code >= 500:
                failures.append(f"{path} as {persona}: {response.status_code}")
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            body = getattr(response, "content", b"")
            shown += body.count(b"&lt;script&gt;alert(1)&lt;/script&gt;")
            failures += [f"{path} as {persona}: {p}" for p in _check_html(body)]
    assert shown > 20  # the hostile text is on the pages, escaped
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_emails_keep_subjects_on_one_line_and_escape_html(world, mailoutbox, django_capture_on_commit_callbacks):
    from engagement.emails.decisions import queue_decision_request

    objects = _evil_world(world)
    meeting = objects["meeting"]
    now = timezone.now()
    person = world.client

    assert queue_decision_request(decision_id=objects["decision"].pk) >= 1
    assert reminders_send_due(now=meeting.starts_at - dt.timedelta(hours=24)) >= 1
    slot = digest_slot(now=now, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
    person.digests.all().delete()
    digest = digest_build(person=person, slot=slot, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_send_due(now=meeting.starts_at)

    kinds = {m.extra_headers.get("X-Rapport-Kind") for m in mailoutbox}
    assert {"decision_request", "reminder"} <= kinds, kinds
    assert digest is not None and _check_html(digest.body_html.encode()) == []
    for message in mailoutbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert _check_html(content.encode()) == [], message.subject
    decision_mail = next(m for m in mailoutbox if m.extra_headers.get("X-Rapport-Kind") == "decision_request")
    assert HTML in decision_mail.body  # plain text carries the text as written, not entity soup


def _events(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


@pytest.mark.django_db
def test_ics_files_carry_hostile_text_back_unchanged(world):
    objects = _evil_world(world)
    meeting = objects["meeting"]
    client = Client()
    client.force_login(world.client)

    invite = client.get(reverse("engagement:meeting-ics", kwargs={"slug": world.project.slug, "pk": meeting.pk}))
    feed = client.get(reverse("engagement:calendar-feed", kwargs={"token": world.client.calendar_token}))

    assert invite.status_code == 200 and feed.status_code == 200
    [event] = _events(invite.content)
    assert str(event["SUMMARY"]) == TITLE
    assert str(event["UID"]).startswith(str(meeting.uid))
    feed_events = [e for e in _events(feed.content) if str(e["SUMMARY"]) == TITLE]
    assert feed_events
    for raw in (invite.content, feed.content):
        assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded: the newlines stay escaped inside values
        assert b"BEGIN:VEVENT\r\nBEGIN" not in raw


@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"])
def test_csv_cells_with_formula_prefixes_are_neutralised(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain", "1,5", "", None, 42, "a=b"])
def test_csv_cells_without_a_formula_prefix_are_unchanged(value):
    assert csv_cell(value) == ("" if value is None else str(value))


@pytest.mark.django_db
def test_task_csv_export_neutralises_formulas_and_keeps_text(world):
    titles = ['=HYPERLINK("http://evil.example","x")', "+cmd", "-1", "@SUM(A1)", TITLE]
    tasks = [f.TaskFactory(project=world.project, owner=world.team, title=t, description=LONG) for t in titles]
    client = Client()
    client.force_login(world.manager)

    response = client.get(reverse("projects:tasks-csv", kwargs={"slug": world.project.slug}))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {str(t.pk) for t in tasks}
    for task in tasks:
        title = by_id[str(task.pk)][1]
        assert title == (f"'{task.title}" if task.title[0] in "=+-@" else task.title)
        assert by_id[str(task.pk)][8] == task.description  # newlines survive inside the quoted cell


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("client", 403), ("client_lead", 403), ("other_client", 404), ("outsider", 404), ("team", 200), ("manager", 200)],
)
def test_task_csv_export_is_for_the_project_staff(world, persona, expected):
    f.TaskFactory(project=world.project, owner=world.team, title="Secret estimate", internal=True)
    client = Client()
    client.force_login(world.persona(persona))

    response = client.get(reverse("projects:tasks-csv", kwargs={"slug": world.project.slug}))

    assert response.status_code == expected
    assert (b"Secret estimate" in response.content) == (expected == 200)
