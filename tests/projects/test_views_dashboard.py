"""The staff dashboard at `/`: the projects table, filters, "This week needs you", constant query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Role
from projects.services.counts import project_counts_refresh
from tests import factories as f


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_dashboard_lists_my_projects_with_counts(client, world):
    today = timezone.localdate()
    f.TaskFactory(project=world.project, owner=world.client, due_date=today - dt.timedelta(days=3), title="Send the logo")
    f.TaskFactory(project=world.project, owner=world.client, due_date=today + dt.timedelta(days=3))
    f.DecisionFactory(project=world.project, involvement="approval", status="proposed")
    f.ProjectFactory(name="Not mine at all")
    project_counts_refresh(project_ids=[world.project.pk])  # the factories write past the task services
    client.force_login(world.manager)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    rows = {p.name: p for p in response.context["page"].object_list}
    assert set(rows) == {"Acme portal", "Globex ERP"}
    assert rows["Acme portal"].open_client_tasks == 2
    assert rows["Acme portal"].overdue_client_tasks == 1
    assert rows["Acme portal"].decisions_awaiting == 1
    assert "Not mine at all" not in response.content.decode()
    assert response.context["needs"].overdue_tasks[0].title == "Send the logo"


def test_client_person_gets_their_own_home_not_the_dashboard(client, world):
    client.force_login(world.client)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "needs" not in response.context
    assert "projects/dashboard.html" not in [t.name for t in response.templates]


def test_filters_by_status_client_and_attention(client, world):
    world.other_project.status = "on_hold"
    world.other_project.save()
    f.TaskFactory(project=world.project, owner=world.client, due_date=timezone.localdate() - dt.timedelta(days=3))
    client.force_login(world.manager)

    on_hold = client.get(reverse("home"), {"status": "on_hold"}).context["page"].object_list
    by_client = client.get(reverse("home"), {"client": world.project.client_id}).context["page"].object_list
    attention = client.get(reverse("home"), {"attention": "on"}).context["page"].object_list

    assert [p.name for p in on_hold] == ["Globex ERP"]
    assert [p.name for p in by_client] == ["Acme portal"]
    assert [p.name for p in attention] == ["Acme portal"]



def test_filter_bar_offers_my_clients_and_keeps_the_choice(client, world):
    # given a client company with a project the manager is not on
    f.ProjectFactory(client=f.ClientFactory(name="Initech"), name="Initech CRM")
    client.force_login(world.manager)

    # when the dashboard is filtered by Acme and on-hold projects
    html = client.get(reverse("home"), {"client": world.project.client_id, "status": "on_hold"}).content.decode()

    # then the select lists the manager's clients only, with the chosen ones selected
    assert f'<option value="{world.project.client_id}" selected>Acme</option>' in html
    assert f'<option value="{world.other_project.client_id}">Globex</option>' in html
    assert '<option value="on_hold" selected>' in html
    assert "Initech" not in html
    assert '<select name="client" class="form-select" id="id_client">' in html


def test_a_client_of_none_of_my_projects_is_not_a_filter(client, world):
    initech = f.ProjectFactory(client=f.ClientFactory(name="Initech"), name="Initech CRM").client
    client.force_login(world.manager)

    for asked in (initech.pk, "not-a-number"):
        response = client.get(reverse("home"), {"client": asked})

        assert not response.context["form"].is_valid()
        assert {p.name for p in response.context["page"].object_list} == {"Acme portal", "Globex ERP"}
        assert "Initech" not in response.content.decode()

def test_sort_by_launch_date(client, world):
    world.other_project.target_launch = timezone.localdate() + dt.timedelta(days=5)
    world.other_project.save()
    client.force_login(world.manager)
    rows = client.get(reverse("home"), {"sort": "launch"}).context["page"].object_list
    assert [p.name for p in rows] == ["Globex ERP", "Acme portal"]


def test_needs_you_lists_late_decisions_meetings_without_agenda_unsigned_plans_and_warnings(client, world):
    now = timezone.now()
    f.CommunicationPlanFactory(project=world.project, client_response_hours=24)
    f.DecisionFactory(project=world.project, title="Late answer", involvement="approval", status="proposed", requested_at=now - dt.timedelta(hours=30))
    f.DecisionFactory(project=world.project, title="Fresh ask", involvement="approval", status="proposed", requested_at=now - dt.timedelta(hours=2))
    f.MeetingFactory(project=world.project, title="Tomorrow sync", starts_at=now + dt.timedelta(hours=20), ends_at=now + dt.timedelta(hours=21))
    f.MeetingFactory(project=world.project, title="Next week", starts_at=now + dt.timedelta(days=6), ends_at=now + dt.timedelta(days=6, hours=1))
    f.HealthWarningFactory(project=world.project, person=world.client, reasons=["No report for three weeks"])
    client.force_login(world.manager)

    response = client.get(reverse("home"))

    needs = response.context["needs"]
    assert [d.title for d in needs.late_decisions] == ["Late answer"]
    assert [m.title for m in needs.meetings_without_agenda] == ["Tomorrow sync"]
    assert {p.name for p in needs.unsigned_plans} == {"Acme portal", "Globex ERP"}
    assert len(needs.warnings) == 1
    body = response.content.decode()
    assert "Late answer" in body and "Fresh ask" not in body
    assert "No report for three weeks" in body


def test_health_badge_comes_from_the_latest_snapshot(client, world):
    f.HealthSnapshotFactory(project=world.project, iso_year=2026, iso_week=40, level="healthy", score=90)
    f.HealthSnapshotFactory(project=world.project, iso_year=2026, iso_week=47, level="at_risk", score=35)
    client.force_login(world.manager)
    rows = {p.name: p for p in client.get(reverse("home")).context["page"].object_list}
    assert rows["Acme portal"].health_level == "at_risk"
    assert rows["Globex ERP"].health_level is None


def test_health_badge_shows_a_managers_override_until_it_is_cleared(client, world):
    from engagement.health.services import health_override_clear, health_override_set

    f.HealthSnapshotFactory(project=world.project, iso_year=2026, iso_week=47, level="at_risk", score=35)
    client.force_login(world.manager)
    client.get(reverse("home"))  # cached before the override: the override must still show at once
    assert _attention(client) == ["Acme portal"]  # at risk by its snapshot
    override = health_override_set(actor=world.manager, project=world.project, level="watch",
                                   note="The client lead is on holiday; agreed by phone.")

    response = client.get(reverse("home"))
    rows = {p.name: p for p in response.context["page"].object_list}
    assert (rows["Acme portal"].health_level, rows["Acme portal"].health_override) == ("watch", "watch")
    assert "set by hand" in response.content.decode()
    assert _attention(client) == []  # "watch" by hand, nothing overdue or waiting

    health_override_clear(actor=world.manager, override=override)
    rows = {p.name: p for p in client.get(reverse("home")).context["page"].object_list}
    assert (rows["Acme portal"].health_level, rows["Acme portal"].health_override) == ("at_risk", None)


def _attention(client) -> list[str]:
    return [p.name for p in client.get(reverse("home") + "?attention=on").context["page"].object_list]


def _add_projects(world, n):
    for _ in range(n):
        project = f.ProjectFactory(client=world.project.client, manager=world.manager)
        Membership.objects.create(project=project, user=world.manager, role=Role.MANAGER)
        f.TaskFactory(project=project, owner=world.client, due_date=timezone.localdate() - dt.timedelta(days=3))
        f.MeetingFactory(project=project)
        f.HealthSnapshotFactory(project=project)
        f.HealthWarningFactory(project=project)
        f.DecisionFactory(project=project, involvement="approval", status="proposed", requested_at=timezone.now() - dt.timedelta(days=5))


def test_query_count_is_the_same_for_few_and_many_projects(client, world):
    client.force_login(world.manager)
    _add_projects(world, 2)
    few = _queries(client, reverse("home"))
    _add_projects(world, 30)
    many = _queries(client, reverse("home"))
    assert few == many


@pytest.mark.parametrize("page", ["1", "2"])
def test_paginates_25_per_page(client, world, page):
    _add_projects(world, 26)
    client.force_login(world.manager)
    response = client.get(reverse("home"), {"page": page})
    assert len(response.context["page"].object_list) == (25 if page == "1" else 3)
