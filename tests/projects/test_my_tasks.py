"""My tasks: a team member's or manager's tasks across their projects, its filters, saved filters and export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Role, SavedTaskFilter, TaskStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/my/tasks/"


def _day(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def tasks(world):
    # The team member works on a second project (Globex) too.
    Membership.objects.create(project=world.other_project, user=world.team, role=Role.TEAM)
    return {
        "acme_late": f.TaskFactory(project=world.project, owner=world.team, title="Fix the login", due_date=_day(-2)),
        "globex": f.TaskFactory(project=world.other_project, owner=world.team, title="Migrate the ledger", due_date=_day(5)),
        "handed": f.TaskFactory(
            project=world.project, owner=world.client, created_by=world.team, title="Send the logo", due_date=_day(1)
        ),
        "done": f.TaskFactory(project=world.project, owner=world.team, title="Kick-off notes", status=TaskStatus.DONE),
        "others": f.TaskFactory(project=world.project, owner=world.manager, title="Budget review", due_date=_day(3)),
        "client_own": f.TaskFactory(project=world.project, owner=world.client, title="Sign the SOW", due_date=_day(2)),
    }


def _titles(response) -> list[str]:
    body = response.content.decode()
    return re.findall(r'<tr id="task-\d+">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', body)


def test_lists_own_tasks_and_client_tasks_handed_out_across_projects_by_due_date(client, world, tasks):
    client.force_login(world.team)

    response = client.get(URL)

    assert response.status_code == 200
    # Open ones by default; never another person's own work, nor a client task someone else handed out.
    assert _titles(response) == ["Fix the login", "Send the logo", "Migrate the ledger"]
    assert "Globex ERP" in response.content.decode()


def test_the_header_links_to_it_for_the_team_only(client, world):
    client.force_login(world.team)
    assert f'href="{URL}"' in client.get("/").content.decode()
    client.force_login(world.client)
    assert f'href="{URL}"' not in client.get("/").content.decode()


@pytest.mark.parametrize("name", ["projects:my-tasks", "projects:my-tasks-csv"])
def test_client_people_get_404_and_anonymous_the_log_in(client, world, tasks, name):
    for person in (world.client, world.client_lead, world.other_client):
        client.force_login(person)
        assert client.get(reverse(name)).status_code == 404
    client.logout()
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"project": "globex-erp"}, ["Migrate the ledger"]),
        ({"overdue": "on"}, ["Fix the login"]),
        ({"side": "client"}, ["Send the logo"]),
        ({"status": "all", "project": "acme-portal"}, ["Fix the login", "Send the logo", "Kick-off notes"]),
        ({"status": "done"}, ["Kick-off notes"]),
    ],
)
def test_filters(client, world, tasks, query, titles):
    client.force_login(world.team)
    assert _titles(client.get(URL, query)) == titles


def test_the_owner_filter_offers_the_person_and_the_client_people_they_gave_tasks(client, world, tasks):
    client.force_login(world.team)
    response = client.get(URL, {"owner": world.client.pk})
    options = re.findall(r'<option value="(\d+)"', response.content.decode().split('name="owner"')[1].split("</select>")[0])
    assert sorted(int(o) for o in options) == sorted([world.team.pk, world.client.pk])
    assert _titles(response) == ["Send the logo"]


def test_a_project_the_person_is_not_on_is_dropped_from_the_filters(client, world, tasks):
    client.force_login(world.manager)  # the manager is not on a third project
    third = f.ProjectFactory(slug="initech")
    f.TaskFactory(project=third, owner=world.manager, title="Secret")
    response = client.get(URL, {"project": "initech"})
    assert response.status_code == 200
    assert _titles(response) == ["Budget review"]


def test_the_export_link_carries_the_filters_and_the_export_applies_them(client, world, tasks):
    client.force_login(world.team)
    page = client.get(URL, {"project": "acme-portal", "status": "all"}).content.decode()
    link = unescape(re.search(r'href="([^"]+)" data-testid="my-tasks-csv"', page).group(1))
    assert link.startswith(reverse("projects:my-tasks-csv") + "?")

    response = client.get(link)

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["ID", "Project", "Title"]
    assert sorted((row[1], row[2]) for row in rows[1:]) == [
        ("Acme portal", "Fix the login"), ("Acme portal", "Kick-off notes"), ("Acme portal", "Send the logo")
    ]


def test_pages_of_25(client, world):
    for n in range(30):
        f.TaskFactory(project=world.project, owner=world.team, title=f"Task {n:02d}", due_date=_day(n))
    client.force_login(world.team)
    first = client.get(URL)
    second = client.get(URL, {"status": "", "page": 2})
    assert len(_titles(first)) == 25 and len(_titles(second)) == 5
    assert _titles(first)[0] == "Task 00" and _titles(second)[-1] == "Task 29"
    pager = second.content.decode()
    assert "Page 2 of 2" in pager and 'href="?page=1"' in pager and "page=3" not in pager


def test_query_count_does_not_grow_with_the_tasks(client, world, django_assert_num_queries):
    Membership.objects.create(project=world.other_project, user=world.team, role=Role.TEAM)
    SavedTaskFilter.objects.create(user=world.team, name="Globex", filters={"project": "globex-erp"})
    client.force_login(world.team)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"status": "all"}).status_code == 200
        return len(ctx)

    f.TaskFactory(project=world.project, owner=world.team)
    few = count()
    for n in range(40):
        project = world.project if n % 2 else world.other_project
        owner = world.team if n % 3 else f.ClientUserFactory(organisation=project.client)
        f.TaskFactory(project=project, owner=owner, created_by=world.team, due_date=_day(n - 20))
    with django_assert_num_queries(few):
        client.get(URL, {"status": "all"})


# --- saved filters --------------------------------------------------------------------------------------------


def test_save_the_current_filters_under_a_name_and_find_it_as_a_quick_link(client, world, tasks):
    client.force_login(world.team)

    response = client.post(reverse("projects:my-task-filter-new"), {"name": "Globex", "query": "project=globex-erp&status=all"})

    saved = SavedTaskFilter.objects.get(user=world.team)
    assert (saved.name, saved.filters, saved.is_default) == ("Globex", {"project": "globex-erp", "status": "all"}, False)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert _titles(page) == ["Migrate the ledger"]
    assert re.search(r'btn-primary" href="\?project=globex-erp&amp;status=all" aria-current="true"', page.content.decode())


@pytest.mark.parametrize(("name", "error"), [("", "Give the filter a name."), (" globex ", "You already have a filter named")])
def test_an_empty_or_taken_name_is_refused_and_what_was_typed_is_kept(client, world, tasks, name, error):
    SavedTaskFilter.objects.create(user=world.team, name="Globex", filters={})
    client.force_login(world.team)

    response = client.post(
        reverse("projects:my-task-filter-new"), {"name": name, "query": "overdue=on", "is_default": "on"}
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert error in unescape(body)
    assert f'value="{name}"' in body or name == ""
    assert re.search(r'name="is_default"[^>]*checked', body)
    assert _titles(response) == ["Fix the login"]  # the filters shown are still the ones being saved
    assert SavedTaskFilter.objects.filter(user=world.team).count() == 1


def test_the_default_filter_opens_first_and_only_one_is_default(client, world, tasks):
    client.force_login(world.team)
    client.post(reverse("projects:my-task-filter-new"), {"name": "Late", "query": "overdue=on", "is_default": "on"})
    client.post(reverse("projects:my-task-filter-new"), {"name": "Globex", "query": "project=globex-erp", "is_default": "on"})

    assert list(SavedTaskFilter.objects.filter(user=world.team, is_default=True).values_list("name", flat=True)) == ["Globex"]
    assert _titles(client.get(URL)) == ["Migrate the ledger"]
    assert _titles(client.get(URL, {"status": ""})) == ["Fix the login", "Send the logo", "Migrate the ledger"]


def test_a_saved_filter_naming_a_project_the_person_left_drops_that_part(client, world, tasks):
    SavedTaskFilter.objects.create(user=world.team, name="Globex late", filters={"project": "globex-erp", "status": "all"}, is_default=True)
    Membership.objects.filter(project=world.other_project, user=world.team).delete()
    client.force_login(world.team)

    response = client.get(URL)

    assert response.status_code == 200
    assert _titles(response) == ["Fix the login", "Send the logo", "Kick-off notes"]
    assert "errorlist" not in response.content.decode()


def test_rename_make_default_and_delete(client, world, tasks):
    saved = SavedTaskFilter.objects.create(user=world.team, name="Globex", filters={"project": "globex-erp"})
    SavedTaskFilter.objects.create(user=world.team, name="Late", filters={"overdue": "on"})
    client.force_login(world.team)
    url = reverse("projects:my-task-filter", args=[saved.pk])

    taken = client.post(url, {"name": "late"})
    assert taken.status_code == 400 and 'value="late"' in taken.content.decode()
    assert client.post(url, {"name": "Ledger", "is_default": "on"}).status_code == 302
    saved.refresh_from_db()
    assert (saved.name, saved.is_default) == ("Ledger", True)

    assert client.post(reverse("projects:my-task-filter-delete", args=[saved.pk])).status_code == 302
    assert list(SavedTaskFilter.objects.filter(user=world.team).values_list("name", flat=True)) == ["Late"]


def test_another_persons_saved_filters_are_invisible_and_untouchable(client, world, tasks):
    theirs = SavedTaskFilter.objects.create(user=world.manager, name="Manager's own", filters={"status": "all"})
    client.force_login(world.team)

    assert "Manager&#x27;s own" not in client.get(URL).content.decode()
    assert client.post(reverse("projects:my-task-filter", args=[theirs.pk]), {"name": "Mine now"}).status_code == 404
    assert client.post(reverse("projects:my-task-filter-delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Manager's own"


def test_the_page_reads_in_russian(client, world, tasks):
    world.team.language = "ru"
    world.team.save()
    client.force_login(world.team)
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Мои задачи" in body and "Сохранить фильтр" in body and "Все мои проекты" in body
