"""Comments on a task page and through the API: who sees and writes what, the safe text format, edit and remove."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conversations.models import Comment, Notification
from projects.models import AuditEvent
from projects.permissions import project_access
from projects.selectors.activity import activity_events
from tests.conversations.conftest import api_url, thread_url

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "other_client", "client", "client_lead", "team", "manager")


def _post(client, task, body, **extra):
    return client.post(thread_url(task), {"body": body, **extra})


@pytest.mark.parametrize(
    ("persona", "page", "post"),
    [
        ("anonymous", 302, 302),
        ("outsider", 404, 404),
        ("other_client", 404, 404),
        ("client", 200, 302),
        ("client_lead", 200, 302),
        ("team", 200, 302),
        ("manager", 200, 302),
    ],
)
def test_thread_page_matrix(client, world, task, persona, page, post):
    person = world.persona(persona)
    if person:
        client.force_login(person)
    # when
    got_page = client.get(thread_url(task)).status_code
    got_post = _post(client, task, "A question").status_code
    # then
    assert (got_page, got_post) == (page, post)
    assert Comment.objects.count() == (1 if post == 302 and persona != "anonymous" else 0)


@pytest.mark.parametrize(
    ("persona", "listing", "create"),
    [("outsider", 404, 404), ("other_client", 404, 404), ("client", 200, 201), ("team", 200, 201), ("manager", 200, 201)],
)
def test_api_matrix(client, world, task, persona, listing, create):
    client.force_login(world.persona(persona))
    assert client.get(api_url(task)).status_code == listing
    response = client.post(api_url(task), {"body": "Hello"}, content_type="application/json")
    assert response.status_code == create
    assert Comment.objects.count() == (1 if create == 201 else 0)


def test_a_client_never_reaches_an_internal_tasks_thread(client, world, internal_task):
    client.force_login(world.client)
    assert client.get(thread_url(internal_task)).status_code == 404
    assert client.post(api_url(internal_task), {"body": "Hi"}, content_type="application/json").status_code == 404
    assert not Comment.objects.exists()


def test_the_thread_shows_on_the_task_page_through_htmx(client, world, task):
    client.force_login(world.client)
    page = client.get(reverse("projects:task", args=[world.project.slug, task.pk])).content.decode()
    assert f'hx-get="{thread_url(task)}"' in page
    part = client.get(thread_url(task), headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert 'id="comments"' in part.content.decode()
    assert "<html" not in part.content.decode()


def test_posting_with_htmx_answers_the_thread_with_the_new_comment(client, world, task):
    client.force_login(world.manager)
    response = client.post(thread_url(task), {"body": "Ready for review"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ready for review" in html and "Your comment was posted." in html
    assert Comment.objects.get().author == world.manager


def test_an_empty_comment_is_refused_with_a_clear_error_and_keeps_nothing(client, world, task):
    client.force_login(world.client)
    response = _post(client, task, "   ")
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    api = client.post(api_url(task), {"body": ""}, content_type="application/json")
    assert api.status_code == 400 and "body" in api.json()["fields"]
    blank = client.post(api_url(task), {"body": "  \n "}, content_type="application/json")
    assert blank.status_code == 400 and "body" in blank.json()["fields"]
    assert not Comment.objects.exists()


def test_internal_comments_are_the_teams_alone(client, world, task):
    # given: the team posts an internal comment and a client-visible one
    client.force_login(world.team)
    _post(client, task, "Margins are thin here", internal="on")
    _post(client, task, "Draft is ready")
    # then: the team sees both, marked
    page = client.get(thread_url(task)).content.decode()
    assert "Margins are thin here" in page and "Internal" in page
    # and a client sees only the other, through the page, the API and the activity feed
    client.force_login(world.client)
    page = client.get(thread_url(task)).content.decode()
    assert "Draft is ready" in page and "Margins are thin here" not in page
    bodies = [c["body"] for c in client.get(api_url(task)).json()["results"]]
    assert bodies == ["Draft is ready"]
    internal = Comment.objects.get(internal=True)
    detail = reverse("api:comment-detail", args=[world.project.slug, internal.pk])
    assert client.get(detail).status_code == 404
    # the activity feed (the team's tab) read as the client would get it: only the client-visible comment
    as_client = activity_events(project_access(user=world.client, project=world.project), kind="comments")
    assert [e.changes["body"] for e in as_client] == ["Draft is ready"]
    as_team = activity_events(project_access(user=world.team, project=world.project), kind="comments")
    assert sorted(e.changes["body"] for e in as_team) == ["Draft is ready", "Margins are thin here"]


def test_a_client_cannot_post_an_internal_comment(client, world, task):
    client.force_login(world.client_lead)
    assert _post(client, task, "psst", internal="on").status_code == 403
    response = client.post(api_url(task), {"body": "psst", "internal": True}, content_type="application/json")
    assert response.status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        "[click](javascript:alert('x'))",
        '<img src=x onerror="alert(1)">',
        '<a href="https://evil.example" onclick="steal()">raw</a>',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_html_and_script_payloads_are_inert(client, world, task, payload):
    client.force_login(world.client)
    _post(client, task, payload)
    html = client.get(thread_url(task)).content.decode()
    section = html[html.index('id="comments"'):html.index('class="comment-form"')]
    api = client.get(api_url(task)).json()["results"][0]["html"]
    for markup in (section, api):
        tags = _Tags()
        tags.feed(markup)
        assert not {"script", "img", "iframe"} & tags.names
        assert not [name for name in tags.attributes if name.startswith("on")]
        assert not [value for value in tags.hrefs if value.strip().lower().startswith("javascript")]
    # what was typed is shown as text
    assert Comment.objects.get().body == payload


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names, self.attributes, self.hrefs = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.names.add(tag)
        self.attributes += [name for name, _value in attrs]
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def test_the_text_format_renders_markdown_and_links_get_rel_nofollow(client, world, task):
    client.force_login(world.client)
    _post(client, task, "**Bold** and *soft*\n\n- one\n- two\n\nSee [the brief](https://example.com/brief) and `code`")
    html = Comment.objects.get().body_html
    assert "<strong>Bold</strong>" in html and "<em>soft</em>" in html and "<li>one</li>" in html
    assert '<a href="https://example.com/brief" rel="nofollow noopener noreferrer">the brief</a>' in html
    assert "<code>code</code>" in html


def test_the_author_edits_within_the_window_and_it_reads_as_edited(client, world, task, settings):
    settings.COMMENT_EDIT_WINDOW_MINUTES = 15
    client.force_login(world.client)
    _post(client, task, "Frist draft")
    comment = Comment.objects.get()
    edit = reverse("conversations:comment-edit", args=[world.project.slug, comment.pk])
    assert client.post(edit, {"body": "First draft"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First draft" and comment.edited_at is not None
    assert "edited" in client.get(thread_url(task)).content.decode()
    assert AuditEvent.objects.filter(action="comment.edit", object_id=str(comment.pk)).exists()


def test_editing_in_place_with_htmx(client, world, task):
    client.force_login(world.client)
    _post(client, task, "Frist draft")
    comment = Comment.objects.get()
    edit = reverse("conversations:comment-edit", args=[world.project.slug, comment.pk])
    # the Edit link swaps the comment for its form (the full page stays for browsers without JavaScript)
    assert f'hx-get="{edit}" hx-target="#comment-{comment.pk}"' in client.get(thread_url(task)).content.decode()
    form = client.get(edit, headers={"HX-Request": "true"})
    html = form.content.decode()
    assert html.startswith("<li") and f'id="comment-{comment.pk}"' in html and "Frist draft</textarea>" in html
    assert "<html" not in html
    # an empty text: the form again, in place, with its error and nothing saved
    bad = client.post(edit, {"body": "  "}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "Write something first." in bad.content.decode() and "HX-Retarget" not in bad
    # saved: the whole thread comes back in place of the conversation, the edited comment to be focused
    good = client.post(edit, {"body": "First draft"}, headers={"HX-Request": "true"})
    assert good["HX-Retarget"] == "#comments" and good["HX-Reswap"] == "outerHTML"
    assert f'id="comment-{comment.pk}" tabindex="-1" data-focus' in good.content.decode()
    assert "Your comment was saved." in good.content.decode()
    comment.refresh_from_db()
    assert comment.body == "First draft" and comment.edited_at is not None


def test_editing_after_the_window_is_refused(client, world, task, settings):
    settings.COMMENT_EDIT_WINDOW_MINUTES = 15
    client.force_login(world.client)
    _post(client, task, "Original")
    comment = Comment.objects.get()
    edit = reverse("conversations:comment-edit", args=[world.project.slug, comment.pk])
    detail = reverse("api:comment-detail", args=[world.project.slug, comment.pk])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert client.post(edit, {"body": "Changed"}).status_code == 403
        assert client.patch(detail, {"body": "Changed"}, content_type="application/json").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Original" and comment.edited_at is None


def test_someone_else_cannot_edit_a_comment(client, world, task):
    client.force_login(world.client)
    _post(client, task, "Mine")
    comment = Comment.objects.get()
    client.force_login(world.manager)
    detail = reverse("api:comment-detail", args=[world.project.slug, comment.pk])
    assert client.patch(detail, {"body": "Yours"}, content_type="application/json").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"


@pytest.mark.parametrize(("remover", "status"), [("client", 204), ("manager", 204), ("team", 403), ("client_lead", 403)])
def test_remove_by_author_or_manager_keeps_it_for_the_audit(client, world, task, remover, status):
    client.force_login(world.client)
    _post(client, task, "Remove me")
    comment = Comment.objects.get()
    client.force_login(world.persona(remover))
    detail = reverse("api:comment-detail", args=[world.project.slug, comment.pk])
    assert client.delete(detail).status_code == status
    comment.refresh_from_db()
    if status == 204:
        assert comment.removed_at is not None and comment.removed_by == world.persona(remover)
        assert comment.body == "Remove me"  # kept in the database
        event = AuditEvent.objects.get(action="comment.remove")
        assert event.changes["body"] == "Remove me" and event.actor == world.persona(remover)
        page = client.get(thread_url(task)).content.decode()
        assert "This comment was removed by" in page and "Remove me" not in page
        assert client.get(detail).json()["body"] == ""
    else:
        assert comment.removed_at is None
        assert not AuditEvent.objects.filter(action="comment.remove").exists()


def test_comments_appear_in_the_activity_feed_in_both_languages(client, world, task):
    client.force_login(world.manager)
    _post(client, task, "Hello")
    comment = Comment.objects.get()
    client.post(reverse("conversations:comment-remove", args=[world.project.slug, comment.pk]))
    page = client.get(reverse("projects:activity", args=[world.project.slug]) + "?kind=comments").content.decode()
    assert "commented on" in page and "removed a comment on" in page and "Homepage copy" in page
    world.manager.language = "ru"
    world.manager.save()
    page = client.get(reverse("projects:activity", args=[world.project.slug]), headers={"Accept-Language": "ru"}).content.decode()
    assert "прокомментировал(а)" in page and "удалил(а) комментарий" in page


def test_thread_query_count_does_not_grow_with_the_comments(client, world, task, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    client.force_login(world.client)
    people = [world.client, world.manager, world.team, world.client_lead]

    def add(n):
        for i in range(n):
            Comment.objects.create(project=world.project, task=task, author=people[i % 4], body=f"c{i}", body_html=f"<p>c{i}</p>")

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(thread_url(task)).status_code == 200
    add(27)
    f.TaskFactory  # noqa: B018 - factories loaded alike in both runs
    with CaptureQueriesContext(connection) as many:
        response = client.get(thread_url(task))
    assert response.content.decode().count('class="comment ') + response.content.decode().count('class="comment"') == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_mention_fills_the_inbox_and_the_bell(client, world, task):
    client.force_login(world.manager)
    _post(client, task, "Could you look, @bob@acme.example?")
    assert Notification.objects.filter(recipient=world.client, kind="mention").count() == 1
    client.force_login(world.client)
    home = client.get("/").content.decode()
    assert 'class="bell-count" aria-hidden="true">1<' in home
    inbox = client.get(reverse("conversations:inbox")).content.decode()
    assert "mentioned you on" in inbox and "Homepage copy" in inbox
    note = Notification.objects.get(recipient=world.client)
    opened = client.get(reverse("conversations:inbox-open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"].endswith(f"#comment-{note.comment_id}")
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'class="bell-count"' not in client.get("/").content.decode()
