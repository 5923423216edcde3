"""The client's "my work": what they owe, what is coming up, what the team owes them; constant queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.models import Involvement
from engagement.selectors.my_work import my_work_for
from tests import factories as f

pytestmark = pytest.mark.django_db


def _fill(world, n: int, tag: str) -> None:
    today = timezone.localdate()
    for i in range(n):
        f.TaskFactory(
            project=world.project,
            owner=world.client,
            title=f"{tag} client task {i}",
            due_date=today + dt.timedelta(days=i - 2),
        )
        f.TaskFactory(project=world.project, owner=world.team, title=f"{tag} team task {i}")
        answered = f.DecisionFactory(
            project=world.project, title=f"{tag} decision {i}", involvement=Involvement.CONSULTED
        )
        f.DecisionResponseFactory(decision=answered, user=world.client)
        f.DecisionFactory(project=world.project, title=f"{tag} open decision {i}", involvement=Involvement.CONSULTED)
        meeting = f.MeetingFactory(
            project=world.project,
            title=f"{tag} meeting {i}",
            starts_at=timezone.now() + dt.timedelta(hours=i + 2),
            ends_at=timezone.now() + dt.timedelta(hours=i + 3),
        )
        f.AttendanceFactory(meeting=meeting, user=world.client)
    f.DigestFactory(recipient=world.client, iso_week=f"2026-W{10 + n:02d}", subject=f"{tag} digest")


def test_sections_show_what_the_client_owes_and_is_owed(client, world):
    today = timezone.localdate()
    late = f.TaskFactory(
        project=world.project, owner=world.client, title="Late brand book", due_date=today - dt.timedelta(days=3)
    )
    later = f.TaskFactory(
        project=world.project, owner=world.client, title="Content for About page", due_date=today + dt.timedelta(days=9)
    )
    f.TaskFactory(
        project=world.project, owner=world.team, title="Build the header", due_date=today + dt.timedelta(days=2)
    )
    f.TaskFactory(project=world.project, owner=world.client_lead, title="Lead's own task")
    f.DecisionFactory(project=world.project, title="Approve the colour palette", involvement=Involvement.APPROVAL)
    answered = f.DecisionFactory(project=world.project, title="Answered already", involvement=Involvement.CONSULTED)
    f.DecisionResponseFactory(decision=answered, user=world.client)
    f.DecisionFactory(project=world.project, title="Only informed", involvement=Involvement.INFORMED)
    meeting = f.MeetingFactory(project=world.project, title="Kick-off call")
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.DigestFactory(recipient=world.client, subject="Week 48 at Acme")
    client.force_login(world.client)

    response = client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Late brand book") < body.index("Content for About page")
    assert "overdue" in body
    assert "Build the header" in body  # the team owes you
    assert "Lead&#x27;s own task" not in body and "Lead's own task" not in body
    assert "Approve the colour palette" in body
    assert "Only informed" not in body
    assert [d.title for d in my_work_for(user=world.client).decisions_awaiting] == ["Approve the colour palette"]
    assert "Kick-off call" in body and f'id="rsvp-{meeting.pk}"' in body
    assert "Week 48 at Acme" in body
    assert f"/tasks/{late.pk}/report/" in body and f"/tasks/{later.pk}/report/" in body


def test_client_lead_is_asked_about_informed_decisions_too(world):
    f.DecisionFactory(project=world.project, title="FYI: hosting moves", involvement=Involvement.INFORMED)

    lead_work = my_work_for(user=world.client_lead)
    client_work = my_work_for(user=world.client)

    assert [d.title for d in lead_work.decisions_awaiting] == ["FYI: hosting moves"]
    assert client_work.decisions_awaiting == []


def test_nothing_of_another_project_and_nothing_cancelled(world):
    f.TaskFactory(project=world.other_project, owner=world.other_client, title="Globex task")
    f.TaskFactory(project=world.project, owner=world.client, title="Cancelled one", status="cancelled")
    cancelled = f.MeetingFactory(project=world.project, status="cancelled", cancel_reason="Holiday")
    f.AttendanceFactory(meeting=cancelled, user=world.client)

    work = my_work_for(user=world.client)

    assert work.tasks_owed == [] and work.meetings == [] and work.team_owes == []


def test_empty_states_for_a_new_client(client, world):
    client.force_login(world.client)

    body = client.get("/").content.decode()

    assert "No open tasks of yours" in body
    assert "No decision is waiting for you" in body
    assert "No meetings in the next three weeks" in body
    assert "Your first weekly digest arrives" in body


def _queries_for_home(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_the_same_at_two_sizes(client, world):
    _fill(world, 2, "small")
    small = _queries_for_home(client, world.client)
    _fill(world, 25, "large")
    large = _queries_for_home(client, world.client)

    assert small == large
    assert large <= 13  # 12, and the header bell's unread count


def test_a_client_lead_sees_the_plan_awaiting_sign_off(world):
    f.CommunicationPlanFactory(project=world.project, version=2)

    lead = my_work_for(user=world.client_lead)
    plain = my_work_for(user=world.client)

    assert [p.project for p in lead.plans_to_sign] == [world.project]
    assert plain.plans_to_sign == []


def test_own_recent_answers_are_listed(client, world):
    decision = f.DecisionFactory(project=world.project, title="Pick the CMS", involvement=Involvement.CONSULTED)
    f.DecisionResponseFactory(decision=decision, user=world.client, kind="objected", comment="Too costly")
    other = f.DecisionFactory(project=world.project, title="Someone else's answer", involvement=Involvement.CONSULTED)
    f.DecisionResponseFactory(decision=other, user=world.client_lead)
    client.force_login(world.client)

    body = client.get("/").content.decode()

    assert "Your recent answers" in body and "Pick the CMS" in body and "Too costly" in body
    assert [a.decision.title for a in my_work_for(user=world.client).my_answers] == ["Pick the CMS"]


def test_a_waiting_decision_says_when_it_was_asked_in_the_portals_wording(client, world):
    f.DecisionFactory(project=world.project, title="Pick the font", involvement=Involvement.APPROVAL,
                      requested_at=timezone.now() - dt.timedelta(days=3, hours=5))
    client.force_login(world.client)

    body = client.get("/").content.decode()

    assert re.search(r"asked <time datetime=\"[^\"]+\" title=\"[^\"]+\">3 days ago</time>", body), body
    assert "3 days, 5 hours" not in body
