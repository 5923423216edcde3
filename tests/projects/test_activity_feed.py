"""The Activity tab reads as sentences in the reader's language, with values as people read them; it filters by kind
and person, pages, hides edits that changed nothing, and its query count does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from engagement.services.meetings import meeting_reschedule, rsvp_set
from projects.permissions import project_access
from projects.selectors.activity import PER_PAGE, activity_events
from projects.services.reports import report_submit
from projects.services.risks import risk_raise
from projects.services.tasks import task_assign, task_create, task_update
from tests import factories as f

ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _url(world, **query):
    url = reverse("projects:activity", args=[world.project.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _text(response) -> str:
    body = response.content.decode()
    main = body[body.index('class="activity-day"'):] if 'class="activity-day"' in body else ""  # the feed, not the filters
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", main))


@pytest.fixture
def story(world, django_capture_on_commit_callbacks):
    """A week of a project through the services: a task created, given to someone else, reported on; a risk; a
    meeting moved and answered."""
    with django_capture_on_commit_callbacks():
        task = task_create(actor=world.manager, project=world.project, title="Upload logo", owner=world.team,
                           due_date=timezone.localdate() + dt.timedelta(days=7))
        task = task_assign(actor=world.manager, task=task, owner=world.client)
        report_submit(actor=world.client, task=task, percent=40, state="at_risk", note="Waiting for the SVG")
        risk_raise(actor=world.team, project=world.project, title="Late assets", kind="risk", severity="high")
        meeting = f.MeetingFactory(project=world.project, title="Kick-off", time_zone="Europe/Moscow",
                                   starts_at=dt.datetime(2030, 3, 1, 0, 0, tzinfo=dt.UTC))
        f.AttendanceFactory(meeting=meeting, user=world.client)
        moved = dt.datetime(2030, 3, 5, 7, 0, tzinfo=dt.UTC)  # 10:00 in Moscow
        meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=moved)
        rsvp_set(actor=world.client, meeting=meeting, answer="yes")
    return task


def test_each_action_reads_as_a_whole_sentence_in_english(client, world, story):
    world.manager.time_zone = "Europe/Moscow"
    world.manager.save(update_fields=["time_zone"])
    client.force_login(world.manager)

    text = _text(client.get(_url(world)))

    assert "Anna Petrova created the task “Upload logo”." in text
    assert "Anna Petrova gave the task “Upload logo” to Boris Client." in text
    assert "Boris Client reported on “Upload logo”: 40 %, at risk." in text
    assert "Dmitri Ivanov raised “Late assets”." in text
    assert "Anna Petrova moved the meeting “Kick-off” from Fri 1 Mar, 03:00 Moscow to Tue 5 Mar, 10:00 Moscow." in text
    assert "Boris Client answered “yes” to the invitation to “Kick-off, Tue 5 Mar, 10:00 Moscow”." in text
    assert not ISO_STAMP.search(text)


def test_each_action_reads_as_a_whole_sentence_in_russian(client, world, story):
    world.manager.language = "ru"
    world.manager.time_zone = "Europe/Moscow"
    world.manager.save(update_fields=["language", "time_zone"])
    client.force_login(world.manager)

    with translation.override("ru"):
        text = _text(client.get(_url(world), HTTP_ACCEPT_LANGUAGE="ru"))

    assert "Anna Petrova создал(а) задачу «Upload logo»." in text
    assert "Anna Petrova передал(а) задачу «Upload logo» исполнителю Boris Client." in text
    assert "Boris Client сообщил(а) о ходе задачи «Upload logo»: 40 %, под угрозой." in text
    assert "Boris Client ответил(а) «да» на приглашение на встречу «Kick-off, " in text
    assert "Anna Petrova перенес(ла) встречу «Kick-off» с " in text
    assert "scheduled" not in text and "at_risk" not in text
    assert not ISO_STAMP.search(text)


def test_an_edit_shows_the_changed_values_as_people_read_them(client, world, story, django_capture_on_commit_callbacks):
    world.manager.time_zone = "Europe/Moscow"
    world.manager.save(update_fields=["time_zone"])
    with django_capture_on_commit_callbacks():
        task_update(actor=world.manager, task=story, priority="high", due_date=dt.date(2030, 1, 15))
    client.force_login(world.manager)

    text = _text(client.get(_url(world)))

    assert "Anna Petrova edited the task “Upload logo”." in text
    assert "Priority: normal → high" in text
    assert "→ Tue 15 Jan 2030" in text


def test_an_edit_that_changed_nothing_is_not_in_the_feed(world, story, django_capture_on_commit_callbacks):
    access = project_access(user=world.manager, project=world.project)
    before = list(activity_events(access))
    with django_capture_on_commit_callbacks():
        task_update(actor=world.manager, task=story, title="Upload logo")

    assert list(activity_events(access)) == before


def test_the_feed_filters_by_kind_and_by_person(client, world, story):
    client.force_login(world.manager)

    risks = _text(client.get(_url(world, kind="risks")))
    boris = _text(client.get(_url(world, person=world.client.pk)))
    both = _text(client.get(_url(world, kind="tasks", person=world.client.pk)))

    assert "raised “Late assets”" in risks and "Upload logo" not in risks
    assert "Boris Client reported on" in boris and "Boris Client answered" in boris and "Anna Petrova" not in boris
    assert "Boris Client reported on" in both and "answered" not in both


def test_an_unknown_filter_value_shows_an_error_not_a_crash(client, world, story):
    client.force_login(world.manager)

    response = client.get(_url(world, kind="nonsense", person="abc"))

    assert response.status_code == 200
    assert "Anna Petrova created the task" in _text(response)


def test_the_feed_pages(client, world):
    for i in range(PER_PAGE + 5):
        f.AuditEventFactory(project=world.project, actor=world.team, action="risk.raise", object_type="risk",
                            object_repr=f"Risk {i:02d}", at=timezone.now() - dt.timedelta(minutes=i))
    client.force_login(world.manager)

    first = _text(client.get(_url(world)))
    second = _text(client.get(_url(world, page=2)))

    assert "Risk 00" in first and f"Risk {PER_PAGE - 1:02d}" in first and f"Risk {PER_PAGE:02d}" not in first
    assert f"Risk {PER_PAGE:02d}" in second and "Risk 00" not in second
    assert "Page 2 of 2" in second


def test_client_people_see_no_internal_events(world, story):
    f.AuditEventFactory(project=world.project, actor=world.team, action="task.create", object_type="task",
                        object_repr="Internal sprint planning", internal=True)
    as_client = project_access(user=world.client_lead, project=world.project)
    as_staff = project_access(user=world.manager, project=world.project)

    assert "Internal sprint planning" not in {e.object_repr for e in activity_events(as_client)}
    assert "Internal sprint planning" in {e.object_repr for e in activity_events(as_staff)}


def _events(world, n):
    people = [f.StaffFactory() for _ in range(3)]
    for i in range(n):
        f.AuditEventFactory(
            project=world.project, actor=people[i % 3], action="task.assign", object_type="task", object_repr=f"T{i}",
            changes={"owner": {"old": people[(i + 1) % 3].pk, "new": people[(i + 2) % 3].pk}},
        )


def test_the_query_count_does_not_grow_with_the_rows(client, world, django_assert_num_queries):
    client.force_login(world.manager)
    _events(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(world)).status_code == 200
    _events(world, 40)

    with django_assert_num_queries(len(few)):
        assert client.get(_url(world)).status_code == 200
