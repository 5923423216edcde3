"""Milestones (service, form, API) and the timeline page: who sees what, slipping milestones in words, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from engagement.models import Milestone
from engagement.selectors.timeline import milestone_state
from engagement.services.milestones import milestone_create, milestone_update
from projects.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(world):
    p = world.project
    late = f.TaskFactory(project=p, owner=world.client, title="Send the logos", due_date=TODAY - dt.timedelta(days=3),
                         start_date=TODAY - dt.timedelta(days=20))
    after = f.TaskFactory(project=p, owner=world.team, title="Build the importer", due_date=TODAY + dt.timedelta(days=30))
    secret = f.TaskFactory(project=p, owner=world.team, title="Renegotiate the rate", internal=True,
                           due_date=TODAY - dt.timedelta(days=1))
    decision = f.DecisionFactory(project=p, title="Pick the CMS", status="proposed")
    beta = milestone_create(actor=world.manager, project=p, name="Beta", date=TODAY + dt.timedelta(days=10),
                            tasks=[late, after, secret], decisions=[decision])
    staffing = milestone_create(actor=world.manager, project=p, name="Staffing review", date=TODAY + dt.timedelta(days=5),
                                internal=True)
    return beta, staffing


def test_a_slipping_milestone_says_why_in_words(world, plan):
    beta, _ = plan
    state, reasons = milestone_state(Milestone.objects.get(pk=beta.pk), TODAY)
    assert state == "at_risk"
    assert "2 tasks it depends on are late: “Send the logos” and “Renegotiate the rate”." in reasons
    assert any("“Build the importer” is due" in r and "after the milestone" in r for r in reasons)
    assert "The decision “Pick the CMS” is still awaiting approval." in reasons


def test_a_passed_date_with_open_work_is_missed(world, plan):
    beta, _ = plan
    state, reasons = milestone_state(Milestone.objects.get(pk=beta.pk), TODAY + dt.timedelta(days=11))
    assert state == "missed" and reasons[0] == "The date has passed with 4 items still open."


def test_only_the_manager_sets_milestones_and_only_with_this_projects_items(world, plan):
    with pytest.raises(PermissionDenied):
        milestone_create(actor=world.team, project=world.project, name="X", date=TODAY)
    foreign = f.TaskFactory(project=world.other_project, owner=world.manager)
    with pytest.raises(ValidationError) as error:
        milestone_create(actor=world.manager, project=world.project, name="X", date=TODAY, tasks=[foreign])
    assert "tasks" in error.value.message_dict
    assert not Milestone.objects.filter(name="X").exists()


def test_an_update_is_audited_once_and_a_no_op_writes_nothing(world, plan):
    beta, _ = plan
    milestone_update(actor=world.manager, milestone=beta, date=TODAY + dt.timedelta(days=12), tasks=[])
    milestone_update(actor=world.manager, milestone=beta, date=TODAY + dt.timedelta(days=12))
    events = AuditEvent.objects.filter(action="milestone.update", object_id=str(beta.pk))
    assert events.count() == 1
    assert set(events.get().changes) == {"date", "tasks"}
    assert Milestone.objects.get(pk=beta.pk).tasks.count() == 0


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("engagement:timeline", kwargs={"slug": "acme-portal"}), params)


def test_the_manager_sees_everything_and_the_reasons(client, world, plan):
    html = _page(client, world.manager).content.decode()
    assert "Beta" in html and "Staffing review" in html and "Renegotiate the rate" in html
    assert "2 tasks it depends on are late" in html
    assert "<svg" in html and "Add a milestone" in html


def test_a_client_sees_the_client_visible_part_only(client, world, plan):
    response = _page(client, world.client)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Beta" in html and "Send the logos" in html
    assert "Staffing review" not in html and "Renegotiate the rate" not in html
    # the reasons count what the client may see
    assert "1 task it depends on is late: “Send the logos”." in html
    assert "Add a milestone" not in html


def test_other_companies_get_404(client, world, plan):
    beta, staffing = plan
    assert _page(client, world.other_client).status_code == 404
    client.force_login(world.client)
    edit = reverse("engagement:milestone-edit", kwargs={"slug": "acme-portal", "pk": staffing.pk})
    assert client.get(edit).status_code == 404  # internal: as if missing
    assert client.get(reverse("engagement:milestone-edit", kwargs={"slug": "acme-portal", "pk": beta.pk})).status_code == 403


@pytest.mark.parametrize("scale", ["week", "month", "quarter"])
def test_every_zoom_draws_the_axis(client, world, plan, scale):
    html = _page(client, world.manager, scale=scale).content.decode()
    assert 'class="tl-tick"' in html and 'aria-current="true"' in html


def test_the_timeline_query_count_does_not_grow_with_items(client, world, plan):
    def count() -> int:
        client.force_login(world.manager)
        with CaptureQueriesContext(connection) as ctx:
            assert _page(client, world.manager).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(10):
        task = f.TaskFactory(project=world.project, owner=world.team, due_date=TODAY + dt.timedelta(days=n))
        f.MeetingFactory(project=world.project, starts_at=timezone.now() + dt.timedelta(days=n))
        milestone_create(actor=world.manager, project=world.project, name=f"M{n}", date=TODAY + dt.timedelta(days=n),
                         tasks=[task])
    assert count() == few


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, world, plan):
    client.force_login(world.manager)
    url = reverse("engagement:milestone-new", kwargs={"slug": "acme-portal"})
    response = client.post(url, {"name": "Launch party", "date": "not a date"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Launch party"' in html and "Enter a valid date." in html
    assert not Milestone.objects.filter(name="Launch party").exists()
    response = client.post(url, {"name": "Launch party", "date": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    assert Milestone.objects.get(name="Launch party").created_by == world.manager


def test_the_api_hides_internal_milestones_and_items_from_clients(world, plan):
    beta, _ = plan
    api = APIClient()
    api.force_authenticate(world.client)
    body = api.get("/api/v1/projects/acme-portal/milestones/").json()
    assert [m["name"] for m in body["results"]] == ["Beta"]
    assert len(body["results"][0]["tasks"]) == 2  # the internal task is left out
    assert body["results"][0]["state"] == "at_risk"
    api.force_authenticate(world.manager)
    response = api.post("/api/v1/projects/acme-portal/milestones/", {"name": "", "date": "2027-13-01"}, format="json")
    assert response.status_code == 400
    assert Milestone.objects.count() == 2
