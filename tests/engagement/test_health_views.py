"""The Health tab and the Attention list: staff only, read from snapshots, constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.health.selectors import health_for_project, latest_project_health, open_warnings_for_user
from engagement.health.snapshots import snapshot_project
from engagement.models import HealthLevel, HealthSnapshot, HealthWarning
from projects.models import Membership, Role
from tests import factories as f

EXPECTED = {
    "anonymous": 302,
    "outsider": 404,
    "other_client": 404,
    "client": 404,
    "client_lead": 404,
    "team": 200,
    "manager": 200,
}


def _warn(project, person, severity=HealthLevel.WATCH, **extra):
    reasons = [{"code": "warn.silence", "severity": severity, "params": {"person": person.display_name, "days": 16, "usual": 7}}]
    return HealthWarning.objects.create(project=project, person=person, opened_at=timezone.now(), severity=severity, rules=["R1"], reasons=reasons, **extra)


def _snapshots(project, weeks=4, person=None):
    for i in range(weeks):
        f.HealthSnapshotFactory(
            project=project,
            person=person,
            iso_year=2026,
            iso_week=40 + i,
            score=60 + i,
            level=HealthLevel.WATCH,
            signals={"freshness": {"sub": 50.0 + i}, "decisions": {"sub": 70.0, "median_days": 2.0, "target_days": 3.0}, "consistency": {"sub": 80, "n": 8, "k": 7, "cancelled": 1}},
            reasons=[{"code": "overdue.open", "severity": "negative", "params": {"n": 2, "task": "Approve sitemap", "days": 9, "more": 1}}],
        )


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_health_tab_permission_matrix(client, world, persona):
    _snapshots(world.project)
    user = world.persona(persona)
    if user:
        client.force_login(user)
    response = client.get(reverse("engagement:health", kwargs={"slug": world.project.slug}))
    assert response.status_code == EXPECTED[persona]
    if EXPECTED[persona] == 200:
        body = response.content.decode()
        assert 'id="health-data"' in body
        assert "Approve sitemap" in body
        assert "<canvas" in body
    else:
        assert b"Approve sitemap" not in response.content
    assert HealthSnapshot.objects.count() == 4  # reading never writes


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_attention_permission_matrix(client, world, persona):
    _warn(world.project, world.client)
    user = world.persona(persona)
    if user:
        client.force_login(user)
    response = client.get(reverse("engagement:attention"))
    expected = {"outsider": 200}.get(persona, EXPECTED[persona])
    assert response.status_code == expected
    body = response.content.decode()
    if persona in ("team", "manager"):
        assert "Boris Client" in body and "has not acted for 16 days" in body
    else:
        assert "has not acted for 16 days" not in body
    assert HealthWarning.objects.count() == 1


def test_attention_lists_worst_first_and_only_own_projects(client, world):
    _warn(world.project, world.client, HealthLevel.WATCH)
    _warn(world.project, world.client_lead, HealthLevel.AT_RISK)
    _warn(world.other_project, world.other_client, HealthLevel.AT_RISK)
    client.force_login(world.team)  # team is a member of the first project only
    body = client.get(reverse("engagement:attention")).content.decode()
    assert body.index("Lena Lead") < body.index("Boris Client")
    assert "Gina Globex" not in body


def _grow(world, n):
    for _ in range(n):
        project = f.ProjectFactory(client=world.project.client, manager=world.manager)
        Membership.objects.create(project=project, user=world.manager, role=Role.MANAGER)
        person = f.ClientUserFactory(organisation=world.project.client)
        Membership.objects.create(project=project, user=person, role=Role.CLIENT)
        _warn(project, person)
        _snapshots(project, weeks=2)
        _snapshots(project, weeks=2, person=person)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_attention_constant_queries(client, world):
    client.force_login(world.manager)
    url = reverse("engagement:attention")
    _grow(world, 2)
    few = _count(client, url)
    _grow(world, 12)
    assert _count(client, url) == few


def test_health_tab_constant_queries(client, world):
    client.force_login(world.manager)
    url = reverse("engagement:health", kwargs={"slug": world.project.slug})
    _snapshots(world.project, weeks=2)
    few = _count(client, url)
    for _ in range(6):
        person = f.ClientUserFactory(organisation=world.project.client)
        Membership.objects.create(project=world.project, user=person, role=Role.CLIENT)
        _snapshots(world.project, weeks=2, person=person)
        _warn(world.project, person)
    HealthSnapshot.objects.filter(project=world.project, person__isnull=True).delete()
    _snapshots(world.project, weeks=4)
    assert _count(client, url) == few


def test_selectors_for_dashboard_and_digest(world, django_assert_num_queries):
    _snapshots(world.project, weeks=3)
    _snapshots(world.other_project, weeks=2)
    _warn(world.project, world.client)
    with django_assert_num_queries(1):
        latest = latest_project_health([world.project.pk, world.other_project.pk])
    assert latest[world.project.pk].iso_week == 42
    assert latest[world.other_project.pk].iso_week == 41
    with django_assert_num_queries(1):
        warnings = open_warnings_for_user(world.manager)
        assert [w.person.display_name for w in warnings] == ["Boris Client"]
        assert warnings[0].project.client.name == "Acme"
    assert open_warnings_for_user(world.client) == []


def test_health_for_project_returns_plain_dicts(world):
    _snapshots(world.project, weeks=3)
    data = health_for_project(world.project, weeks=2)
    assert [w["week"] for w in data["weeks"]] == ["2026-W41", "2026-W42"]
    assert data["weeks"][-1]["signals"]["freshness"] == 52.0
    assert data["algo_version"] == "h2"


def test_snapshot_job_is_idempotent_and_backfills(world):
    project = world.project
    project.start_date = timezone.localdate() - dt.timedelta(days=40)
    project.save()
    Membership.objects.filter(project=project).update(created_at=timezone.now() - dt.timedelta(days=40))
    t = f.TaskFactory(project=project, owner=world.client, due_date=timezone.localdate() + dt.timedelta(days=3))
    f.ProgressReportFactory(task=t)
    now = timezone.now()
    weeks = snapshot_project(project=project, now=now)
    assert weeks >= 5
    finals = HealthSnapshot.objects.filter(project=project, is_final=True).count()
    provisional = HealthSnapshot.objects.filter(project=project, is_final=False).count()
    assert finals == weeks * 3  # the project and its two client people, every week
    assert provisional == 3
    assert snapshot_project(project=project, now=now + dt.timedelta(hours=1)) == 0
    assert HealthSnapshot.objects.filter(project=project, is_final=True).count() == finals
    assert HealthSnapshot.objects.filter(project=project, is_final=False).count() == provisional
