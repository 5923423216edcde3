"""A project in Russian: every persona reads Russian, and the project has something on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from engagement.models import HealthLevel, HealthWarning, MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement
from projects.models import ReportState
from tests import factories as f


@pytest.fixture
def russian(world):
    """The `world` with Russian-speaking people and Russian project data (so English on a page is the UI's)."""
    for person in (world.manager, world.team, world.client_lead, world.client):
        person.language = "ru"
        person.time_zone = "Europe/Moscow"
        person.save()
    project = world.project
    now = timezone.now()
    plan = f.CommunicationPlanFactory(
        project=project,
        expectations="Еженедельная сверка, отчёты по пятницам.",
        escalation_path="Менеджер, затем спонсор",
        channels="Почта и портал",
    )
    primary = f.StakeholderFactory(
        plan=plan, user=world.client, side="client", is_primary=True, responsibility="Контент"
    )
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary, responsibility="Спонсор")
    f.StakeholderFactory(plan=plan, user=world.manager, side="team", is_primary=True, responsibility="Поставка")
    series = f.MeetingSeriesFactory(project=project, title="Сверка по четвергам")
    series.attendees.add(world.manager, world.client)
    upcoming = f.MeetingFactory(
        project=project, series=series, title="Сверка", agenda="Сроки и тексты", location="https://meet.example/acme"
    )
    held = f.MeetingFactory(
        project=project,
        series=series,
        title="Прошлая сверка",
        status=MeetingStatus.HELD,
        starts_at=now - dt.timedelta(days=7),
        ends_at=now - dt.timedelta(days=7) + dt.timedelta(minutes=30),
        minutes="Обсудили сроки.",
        minutes_shared=True,
        held_at=now - dt.timedelta(days=7),
    )
    for meeting in (upcoming, held):
        f.AttendanceFactory(meeting=meeting, user=world.client)
        f.AttendanceFactory(meeting=meeting, user=world.manager)
    task = f.TaskFactory(
        project=project,
        owner=world.client,
        title="Тексты для главной",
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    f.ProgressReportFactory(
        task=task, percent=60, state=ReportState.AT_RISK, note="Ждём юристов", blockers="Нет договора"
    )
    f.TaskFactory(project=project, owner=world.team, title="Вёрстка каталога")
    held.outcome_tasks.add(task)
    decision = f.DecisionFactory(
        project=project,
        title="Хостинг у клиента",
        context="Требование безопасности",
        decision="Размещаем на серверах клиента",
        involvement=Involvement.APPROVAL,
        status=DecisionStatus.PROPOSED,
        requested_at=now - dt.timedelta(days=5),
    )
    answered = f.DecisionFactory(
        project=project,
        title="Русский по умолчанию",
        context="Аудитория",
        decision="Интерфейс на русском",
        involvement=Involvement.CONSULTED,
        requested_at=now - dt.timedelta(days=2),
        meeting=held,
    )
    f.DecisionResponseFactory(decision=answered, user=world.client_lead, kind="acknowledged", comment="Согласны")
    f.RiskFactory(project=project, title="Задержка договора", owner=world.client_lead)
    for week in range(40, 44):
        f.HealthSnapshotFactory(
            project=project,
            iso_year=2026,
            iso_week=week,
            score=60 + week - 40,
            level=HealthLevel.WATCH,
            signals={
                "freshness": {"sub": 50.0},
                "decisions": {"sub": 70.0, "median_days": 2.0, "target_days": 3.0},
                "consistency": {"sub": 80, "n": 8, "k": 7, "cancelled": 1},
            },
            reasons=[
                {
                    "code": "overdue.open",
                    "severity": "negative",
                    "params": {"n": 2, "task": "Тексты для главной", "days": 9, "more": 1},
                }
            ],
        )
    HealthWarning.objects.create(
        project=project,
        person=world.client,
        opened_at=now,
        severity=HealthLevel.WATCH,
        rules=["R1"],
        reasons=[
            {
                "code": "warn.silence",
                "severity": "watch",
                "params": {"person": world.client.display_name, "days": 16, "usual": 7},
            }
        ],
    )
    world.objects = {
        "task": task,
        "decision": decision,
        "answered": answered,
        "meeting": upcoming,
        "held": held,
        "series": series,
    }
    return world
