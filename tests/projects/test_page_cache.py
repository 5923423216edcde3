"""Cached pages (portal.core.pagecache): served again only while nothing behind them changed, never with another
session's CSRF token, never with a flash message, and the portal keeps serving when the cache is unreachable."""

from __future__ import annotations

import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from projects.auth import PortalBackend
from projects.models import Membership, Role
from projects.selectors.freshness import data_key
from projects.services.memberships import membership_add, membership_remove
from projects.services.reports import report_submit
from projects.services.tasks import task_create
from tests import factories as f

UNREACHABLE = {"BACKEND": "portal.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
               "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}


def test_the_data_key_moves_with_every_audited_change_and_only_then(world):
    key = data_key(world.client, preloaded=False)
    assert data_key(world.client, preloaded=False) == key  # reading changes nothing

    task = task_create(actor=world.manager, project=world.project, title="Send the logo", owner=world.client,
                       due_date=timezone.localdate() + dt.timedelta(days=3))
    after_task = data_key(world.client, preloaded=False)
    report_submit(actor=world.client, task=task, percent=30, state="on_track")
    after_report = data_key(world.client, preloaded=False)

    assert len({key, after_task, after_report}) == 3
    # A change in a project the person is not on leaves their key alone.
    task_create(actor=world.manager, project=world.other_project, title="Globex only", owner=world.other_client,
                due_date=timezone.localdate() + dt.timedelta(days=3))
    assert data_key(world.client, preloaded=False) == after_report


def test_joining_and_leaving_a_project_moves_the_key(world):
    before = data_key(world.team, preloaded=False)
    membership = membership_add(actor=world.manager, project=world.other_project, user=world.team, role=Role.TEAM)
    joined = data_key(world.team, preloaded=False)
    membership_remove(actor=world.manager, membership=membership)
    left = data_key(world.team, preloaded=False)

    assert joined != before and left != joined
    # Back on the same projects at the same versions: the same pages, so the same key is right.
    assert left == before


def test_the_signed_in_person_is_loaded_with_their_data_key(world):
    user = PortalBackend().get_user(world.client.pk)

    assert user.page_data_key == data_key(world.client, preloaded=False)


def test_a_report_shows_on_the_managers_next_dashboard(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", title="Approve the sitemap",
                         due_date=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(world.manager)
    first = client.get("/")
    assert "Approve the sitemap" in first.content.decode()  # overdue: in "This week needs you"
    assert _without_tokens(client.get("/")) == _without_tokens(first)  # nothing changed: the same page

    report_submit(actor=world.client, task=task, percent=100, state="done")

    assert "Approve the sitemap" not in client.get("/").content.decode()


def test_a_new_task_shows_on_the_clients_my_work_and_in_the_api(client, world):
    client.force_login(world.client)
    assert "Sign the contract" not in client.get("/").content.decode()
    api_path = reverse("api:my-task-list")
    assert client.get(api_path).json()["count"] == 0

    task_create(actor=world.manager, project=world.project, title="Sign the contract", owner=world.client,
                due_date=timezone.localdate() + dt.timedelta(days=5))

    assert "Sign the contract" in client.get("/").content.decode()
    assert [t["title"] for t in client.get(api_path).json()["results"]] == ["Sign the contract"]


def test_a_cached_page_carries_the_readers_own_csrf_token(world):
    from django.test import Client

    first, second = Client(), Client()
    first.force_login(world.client)
    second.force_login(world.client)
    page_one = first.get("/").content.decode()
    page_two = second.get("/").content.decode()  # the same person: served from the page cache

    token_one, token_two = first.cookies["csrftoken"].value, second.cookies["csrftoken"].value
    assert token_one != token_two
    assert "__rapport_csrf_token__" not in page_one + page_two
    # The language form posts with the session's own token: it works from the cached page too.
    response = second.post(reverse("set_language"), {"language": "ru", "next": "/",
                                                      "csrfmiddlewaretoken": _token_in(page_two)})
    assert response.status_code == 302


def _without_tokens(response) -> str:
    """The page with its (per-request masked) CSRF tokens blanked."""
    import re

    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def _token_in(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def test_a_flash_message_is_shown_once_and_never_cached(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", title="Upload the photos")
    client.force_login(world.client)
    client.get("/")  # cached without a message
    path = reverse("projects:task-report", args=[world.project.slug, task.pk])
    client.post(path, {"task": task.pk, "percent": 40, "state": "on_track", "note": "", "blockers": ""})

    with_message = client.get("/")
    again = client.get("/")

    assert "your report on" in with_message.content.decode()
    assert "your report on" not in again.content.decode()
    assert not list(get_messages(again.wsgi_request))


def test_pages_keep_serving_when_the_cache_is_unreachable(client, world, settings):
    settings.CACHES = {**settings.CACHES, "pages": UNREACHABLE}
    f.TaskFactory(project=world.project, owner=world.client, side="client", title="Check the copy")
    client.force_login(world.client)

    assert client.get("/").status_code == 200
    assert "Check the copy" in client.get("/").content.decode()
    assert client.get(reverse("api:my-task-list")).json()["count"] == 1


def test_the_page_cache_can_be_turned_off(client, world, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.force_login(world.client)
    client.get("/")
    f.TaskFactory(project=world.project, owner=world.client, side="client", title="Written straight to the table")

    assert "Written straight to the table" in client.get("/").content.decode()


def test_membership_rows_written_directly_still_change_the_key(world):
    before = data_key(world.outsider, preloaded=False)
    Membership.objects.create(project=world.project, user=world.outsider, role=Role.TEAM)

    assert data_key(world.outsider, preloaded=False) != before


def test_the_health_job_moves_the_key_of_the_projects_it_snapshots(world):
    from engagement.health.snapshots import snapshot_project

    before = data_key(world.manager, preloaded=False)
    snapshot_project(project=world.project)

    assert data_key(world.manager, preloaded=False) != before
