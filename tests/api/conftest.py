"""Fixtures of the API tests: one object of every kind in the world's project, and a caller per persona."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Comment
from engagement.models import Attendance, Involvement, PlanVersion, QuietPeriod
from projects.models import Role
from tests import factories as f

PASSWORD = "correct-horse-battery"


@dataclass
class Objects:
    task: object
    internal_task: object
    risk: object
    plan: object
    stakeholder: object
    series: object
    meeting: object
    past_meeting: object
    decision: object
    milestone: object
    proposal: object
    successor: object
    invitation: object
    team_membership: object
    client_membership: object
    digest: object
    snapshot: object
    newcomer: object
    comment: object
    absence: object
    quiet_period: object


@pytest.fixture
def objects(world) -> Objects:
    project = world.project
    members = [world.manager, world.team, world.client_lead, world.client]
    now = timezone.now().replace(microsecond=0)
    series = f.MeetingSeriesFactory(project=project)
    series.attendees.set(members)
    meeting = f.MeetingFactory(project=project, series=series, original_start=now + dt.timedelta(days=2))
    past = f.MeetingFactory(project=project, starts_at=now - dt.timedelta(hours=2), ends_at=now - dt.timedelta(hours=1))
    for m in (meeting, past):
        Attendance.objects.bulk_create([Attendance(meeting=m, user=u) for u in members])
    plan = f.CommunicationPlanFactory(project=project)
    PlanVersion.objects.create(plan=plan, version=plan.version, content={"stakeholders": []})
    task = f.TaskFactory(project=project, owner=world.client)
    return Objects(
        task=task,
        internal_task=f.TaskFactory(project=project, owner=world.team, internal=True),
        risk=f.RiskFactory(project=project, raised_by=world.manager),
        plan=plan,
        stakeholder=f.StakeholderFactory(plan=plan, user=world.team, side="team"),
        series=series,
        meeting=meeting,
        past_meeting=past,
        decision=f.DecisionFactory(project=project, involvement=Involvement.APPROVAL, status="proposed"),
        proposal=f.DecisionFactory(project=project, involvement=Involvement.CONSULTED, status="proposed"),
        successor=f.DecisionFactory(project=project, status="approved"),
        milestone=f.MilestoneFactory(project=project),
        invitation=f.InvitationFactory(project=project, email="new.person@acme.example"),
        team_membership=project.memberships.get(role=Role.TEAM),
        client_membership=project.memberships.get(role=Role.CLIENT),
        digest=f.DigestFactory(recipient=world.client),
        snapshot=f.HealthSnapshotFactory(project=project),
        newcomer=f.StaffFactory(email="newcomer@example.com"),
        comment=Comment.objects.create(project=project, task=task, author=world.client, body="Is it final?"),
        absence=f.AbsenceFactory(user=world.client, starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 5)),
        quiet_period=QuietPeriod.objects.create(project=project, starts_on=dt.date(2030, 2, 1), ends_on=dt.date(2030, 2, 3)),
    )


@pytest.fixture
def api():
    """An API client; `api.as_(user)` signs it in (None stays anonymous)."""
    client = APIClient()

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client
