"""Threads of every kind of object, the mention autocomplete, following, the inbox page and API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import services
from conversations.models import Comment, Follow, Notification
from conversations.permissions import thread_access
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(world, task):
    return {
        "tasks": task,
        "decisions": f.DecisionFactory(project=world.project, title="Use the new logo"),
        "meetings": f.MeetingFactory(project=world.project, title="Weekly check-in"),
        "risks": f.RiskFactory(project=world.project, title="Copy late", raised_by=world.manager),
    }


@pytest.fixture
def internal_objects(world):
    return {
        "tasks": f.TaskFactory(project=world.project, owner=world.team, side="team", internal=True),
        "decisions": f.DecisionFactory(project=world.project, internal=True),
        "risks": f.RiskFactory(project=world.project, internal=True, raised_by=world.manager),
    }


FIELDS = {"tasks": "task", "decisions": "decision", "meetings": "meeting", "risks": "risk"}


@pytest.mark.parametrize("kind", ["tasks", "decisions", "meetings", "risks"])
def test_every_kind_has_a_thread_for_its_members_and_404_for_another_company(client, world, objects, kind):
    target = objects[kind]
    page = reverse(f"conversations:{FIELDS[kind]}-comments", args=[world.project.slug, target.pk])
    api = reverse(f"api:{FIELDS[kind]}-comment-list", args=[world.project.slug, target.pk])
    client.force_login(world.client)
    assert client.post(page, {"body": f"About the {kind}"}).status_code == 302
    assert client.get(api).json()["results"][0]["kind"] == kind
    client.force_login(world.other_client)
    assert client.get(page).status_code == 404
    assert client.get(api).status_code == 404
    assert client.post(api, {"body": "hi"}, content_type="application/json").status_code == 404
    # the other project's slug with this project's object: 404 too
    wrong = reverse(f"api:{FIELDS[kind]}-comment-list", args=[world.other_project.slug, target.pk])
    assert client.get(wrong).status_code == 404
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("kind", ["tasks", "decisions", "risks"])
def test_threads_of_internal_objects_are_404_for_clients(client, world, internal_objects, kind):
    target = internal_objects[kind]
    client.force_login(world.client_lead)
    page = reverse(f"conversations:{FIELDS[kind]}-comments", args=[world.project.slug, target.pk])
    assert client.get(page).status_code == 404
    client.force_login(world.team)
    assert client.get(page).status_code == 200


def test_the_autocomplete_lists_the_projects_people_and_only_the_team_for_internal(client, world):
    url = reverse("api:mentionable-list", args=[world.project.slug])
    client.force_login(world.client)
    emails = {p["email"] for p in client.get(url).json()["results"]}
    assert emails == {"pm@example.com", "dev@example.com", "lead@acme.example"}  # not themselves
    assert client.get(url + "?q=len").json()["results"][0]["mention"] == "@lead@acme.example"
    client.force_login(world.team)
    internal = {p["email"] for p in client.get(url + "?internal=1").json()["results"]}
    assert internal == {"pm@example.com"}
    client.force_login(world.other_client)
    assert client.get(url).status_code == 404


def test_follow_button_turns_following_off_and_on(client, world, task):
    client.force_login(world.client)
    follow = reverse("conversations:task-follow", args=[world.project.slug, task.pk])
    client.post(follow, {"following": "0"})
    assert not Follow.objects.get(person=world.client, task=task).active
    assert "Follow to see replies" in client.get(reverse("conversations:task-comments", args=[world.project.slug, task.pk])).content.decode()
    client.post(follow, {"following": "1"})
    assert Follow.objects.get(person=world.client, task=task).active


def _mention(world, task, n, capture):
    thread = thread_access(user=world.manager, slug=world.project.slug, kind="tasks", pk=task.pk)
    for i in range(n):
        with capture(execute=True):
            services.comment_post(actor=world.manager, thread=thread, body=f"@bob@acme.example note {i}")


def test_inbox_groups_by_day_and_marks_all_read(client, world, task, django_capture_on_commit_callbacks):
    _mention(world, task, 2, django_capture_on_commit_callbacks)
    client.force_login(world.client)
    page = client.get(reverse("conversations:inbox"))
    assert page.status_code == 200
    assert len(page.context["inbox"].days) == 1 and len(page.context["inbox"].days[0][1]) == 2
    assert client.get(reverse("api:inbox") + "?unread=1").json()["count"] == 2
    response = client.post(reverse("conversations:inbox-read-all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.client, read_at__isnull=True).exists()


def test_inbox_api_marks_named_notifications_read(client, world, task, django_capture_on_commit_callbacks):
    _mention(world, task, 3, django_capture_on_commit_callbacks)
    client.force_login(world.client)
    rows = client.get(reverse("api:inbox")).json()["results"]
    assert [r["kind"] for r in rows] == ["mention"] * 3 and rows[0]["target"] == "Homepage copy"
    answer = client.post(reverse("api:inbox-read"), {"ids": [rows[0]["id"]]}, content_type="application/json")
    assert answer.json() == {"marked": 1, "unread": 2}
    # someone else's ids mark nothing
    client.force_login(world.team)
    other = client.post(reverse("api:inbox-read"), {"ids": [rows[1]["id"]]}, content_type="application/json")
    assert other.json()["marked"] == 0
    assert Notification.objects.filter(recipient=world.client, read_at__isnull=True).count() == 2


def test_a_client_inbox_never_lists_an_internal_comment(world, task):
    # even a stray row (written by hand, not by the services) stays out of a client's inbox and bell
    comment = Comment.objects.create(project=world.project, task=task, author=world.team, body="x", internal=True)
    Notification.objects.create(recipient=world.client, kind="mention", project=world.project, comment=comment, task=task)
    assert not Notification.objects.for_person(world.client).exists()


def test_opening_someone_elses_notification_is_404(client, world, task, django_capture_on_commit_callbacks):
    _mention(world, task, 1, django_capture_on_commit_callbacks)
    note = Notification.objects.get(recipient=world.client)
    client.force_login(world.client_lead)
    assert client.get(reverse("conversations:inbox-open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_inbox_query_count_does_not_grow_with_its_lines(client, world, task, django_capture_on_commit_callbacks):
    client.force_login(world.client)
    _mention(world, task, 3, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("conversations:inbox"))
    _mention(world, task, 20, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("conversations:inbox"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_pages_in_russian(client, world, task, django_capture_on_commit_callbacks):
    _mention(world, task, 1, django_capture_on_commit_callbacks)
    world.client.language = "ru"
    world.client.save()
    client.force_login(world.client)
    inbox = client.get(reverse("conversations:inbox")).content.decode()
    assert "Входящие" in inbox and "упомянул(а) вас в" in inbox
    thread = client.get(reverse("conversations:task-comments", args=[world.project.slug, task.pk])).content.decode()
    assert "Обсуждение" in thread and "Отправить" in thread
