"""The tasks page links to the CSV export with the filters it shows; the export applies them."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.urls import reverse

from projects.models import TaskStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(world):
    return {
        "client_open": f.TaskFactory(project=world.project, owner=world.client, title="Sign the SOW"),
        "client_done": f.TaskFactory(project=world.project, owner=world.client, title="Send the logo", status=TaskStatus.DONE),
        "team_open": f.TaskFactory(project=world.project, owner=world.team, title="Draft the wireframes"),
    }


def _export_link(client, query) -> str:
    body = client.get(reverse("projects:tasks", args=["acme-portal"]), query).content.decode()
    match = re.search(r'href="([^"]+)" data-testid="tasks-csv"', body)
    assert match, "the tasks page has no export link"
    return unescape(match.group(1))


def _titles(response) -> list[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return sorted(row[1] for row in rows[1:])


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({}, ["Draft the wireframes", "Sign the SOW"]),
        ({"side": "client", "status": "all", "view": "list"}, ["Send the logo", "Sign the SOW"]),
        ({"side": "team", "view": "list"}, ["Draft the wireframes"]),
        ({"status": "done", "view": "list"}, ["Send the logo"]),
        ({"view": "board"}, ["Draft the wireframes", "Send the logo", "Sign the SOW"]),
    ],
)
def test_the_export_carries_the_filters_of_the_page(client, world, tasks, query, titles):
    client.force_login(world.manager)
    page = client.get(reverse("projects:tasks", args=["acme-portal"]), query)
    shown = sorted(t for t in (task.title for task in tasks.values()) if t in page.content.decode())

    response = client.get(_export_link(client, query))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert _titles(response) == titles == shown


def test_without_a_query_the_export_has_every_task(client, world, tasks):
    client.force_login(world.manager)
    response = client.get(reverse("projects:tasks-csv", args=["acme-portal"]))
    assert _titles(response) == sorted(t.title for t in tasks.values())


def test_a_client_sees_no_export_link_and_cannot_export(client, world, tasks):
    client.force_login(world.client_lead)
    body = client.get(reverse("projects:tasks", args=["acme-portal"])).content.decode()
    assert 'data-testid="tasks-csv"' not in body
    response = client.get(reverse("projects:tasks-csv", args=["acme-portal"]), {"side": "client"})
    assert response.status_code == 403 and "Sign the SOW" not in response.content.decode()
