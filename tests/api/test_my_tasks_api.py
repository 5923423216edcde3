"""/api/v1/me/tasks/ and /api/v1/me/task-filters/: the My tasks page's list and saved filters, through the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Membership, Role, SavedTaskFilter, TaskStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/me/tasks/"
FILTERS = "/api/v1/me/task-filters/"


@pytest.fixture
def tasks(world):
    Membership.objects.create(project=world.other_project, user=world.team, role=Role.TEAM)
    today = timezone.localdate()
    f.TaskFactory(project=world.project, owner=world.team, title="Fix the login", due_date=today - dt.timedelta(days=2))
    f.TaskFactory(project=world.other_project, owner=world.team, title="Migrate the ledger", due_date=today + dt.timedelta(days=5))
    f.TaskFactory(project=world.project, owner=world.client, created_by=world.team, title="Send the logo", due_date=today)
    f.TaskFactory(project=world.project, owner=world.team, title="Kick-off notes", status=TaskStatus.DONE)
    f.TaskFactory(project=world.project, owner=world.manager, title="Budget review")


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({}, ["Fix the login", "Send the logo", "Migrate the ledger"]),
        ({"project": "globex-erp"}, ["Migrate the ledger"]),
        ({"overdue": "true"}, ["Fix the login"]),
        ({"side": "client"}, ["Send the logo"]),
        ({"status": "done"}, ["Kick-off notes"]),
    ],
)
def test_the_list_honours_the_pages_filters(api, world, tasks, query, titles):
    assert _titles(api.as_(world.team).get(TASKS, query)) == titles


@pytest.mark.parametrize(("query", "field"), [({"project": "initech"}, "project"), ({"status": "later"}, "status"), ({"owner": "x"}, "owner")])
def test_a_value_the_filters_do_not_accept_is_a_400_naming_it(api, world, tasks, query, field):
    response = api.as_(world.team).get(TASKS, query)
    assert response.status_code == 400
    assert field in str(response.json())


def test_a_saved_filter_applies_and_drops_a_project_the_person_left(api, world, tasks):
    saved = SavedTaskFilter.objects.create(user=world.team, name="Globex", filters={"project": "globex-erp", "status": "all"})
    client = api.as_(world.team)
    assert _titles(client.get(TASKS, {"saved": saved.pk})) == ["Migrate the ledger"]

    Membership.objects.filter(project=world.other_project, user=world.team).delete()

    assert _titles(client.get(TASKS, {"saved": saved.pk})) == ["Fix the login", "Send the logo", "Kick-off notes"]


def test_saved_filters_are_created_renamed_made_default_and_deleted(api, world, tasks):
    client = api.as_(world.team)

    made = client.post(FILTERS, {"name": "Late", "filters": {"overdue": "on"}, "is_default": True}, format="json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["filters"] == {"overdue": "on"}
    second = client.post(FILTERS, {"name": "Globex", "filters": {"project": "globex-erp"}, "is_default": True}, format="json")
    assert second.status_code == 201
    assert SavedTaskFilter.objects.get(pk=pk).is_default is False

    renamed = client.patch(f"{FILTERS}{pk}/", {"name": "Overdue"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Overdue"
    assert [row["name"] for row in client.get(FILTERS).json()["results"]] == ["Globex", "Overdue"]

    assert client.delete(f"{FILTERS}{pk}/").status_code == 204
    assert list(SavedTaskFilter.objects.values_list("name", flat=True)) == ["Globex"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "late"}, "name"),
        ({"name": "New", "filters": {"project": "initech"}}, "filters"),
    ],
)
def test_bad_saved_filters_are_400_with_the_field_and_nothing_saved(api, world, tasks, body, field):
    SavedTaskFilter.objects.create(user=world.team, name="Late", filters={})

    response = api.as_(world.team).post(FILTERS, body, format="json")

    assert response.status_code == 400
    assert field in str(response.json())
    assert SavedTaskFilter.objects.count() == 1


def test_another_persons_saved_filters_are_invisible(api, world, tasks):
    theirs = SavedTaskFilter.objects.create(user=world.manager, name="Manager's", filters={})
    client = api.as_(world.team)
    assert client.get(FILTERS).json()["results"] == []
    assert client.get(TASKS, {"saved": theirs.pk}).status_code == 404
    assert client.patch(f"{FILTERS}{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404


def test_both_are_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/v1/me/tasks/", "/api/v1/me/task-filters/", "/api/v1/me/task-filters/{id}/"} <= set(schema["paths"])
    names = {p["name"] for p in schema["paths"]["/api/v1/me/tasks/"]["get"]["parameters"]}
    assert {"project", "side", "owner", "status", "overdue", "saved", "page"} <= names
