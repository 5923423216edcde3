import datetime as dt

import pytest
from django.utils import timezone

from projects.models import AuditEvent, Membership, ProgressReport, Project, Risk, Role, Task, TaskSide, TaskStatus
from projects.permissions import project_access
from projects.selectors.core import (
    audit_feed,
    ledger,
    project_list_for_user,
    report_history,
    risk_list_for_project,
    task_list_for_project,
    task_list_for_user,
)
from projects.services.counts import project_counts_refresh
from tests import factories as f

pytestmark = pytest.mark.django_db
SIZES = [10, 1000]


def _tasks(world, n, **extra):
    today = timezone.localdate()
    owners = [world.client, world.team, world.client_lead]
    rows = []
    for i in range(n):
        owner = owners[i % 3]
        rows.append(
            Task(
                project=world.project,
                title=f"Task {i}",
                owner=owner,
                side=TaskSide.CLIENT if owner.kind == "client" else TaskSide.TEAM,
                due_date=today + dt.timedelta(days=(i % 20) - 10),
                status=[TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.DONE][i % 3],
                internal=(i % 3 == 1 and i % 2 == 0),
                **extra,
            )
        )
    return Task.objects.bulk_create(rows)


# --- query counts: the same at 10 and at 1,000 rows ---------------------------


@pytest.mark.parametrize("n", SIZES)
def test_project_list_query_count(world, django_assert_num_queries, n):
    projects = Project.objects.bulk_create(
        Project(client=world.project.client, manager=world.manager, name=f"P{i}", slug=f"p-{i}") for i in range(n)
    )
    Membership.objects.bulk_create(Membership(project=p, user=world.manager, role=Role.MANAGER) for p in projects)
    Task.objects.bulk_create(
        Task(project=p, title="t", owner=world.client, side=TaskSide.CLIENT, due_date=timezone.localdate()) for p in projects
    )
    with django_assert_num_queries(1):
        rows = [(p.name, p.client.name, p.manager.email, p.my_role, p.open_client_tasks) for p in project_list_for_user(world.manager)]
    assert len(rows) == n + 2


@pytest.mark.parametrize("n", SIZES)
def test_task_lists_query_count(world, django_assert_num_queries, n):
    _tasks(world, n)
    access = project_access(user=world.client, project=world.project)
    with django_assert_num_queries(1):
        mine = [(t.title, t.owner.email, t.project.client.name) for t in task_list_for_user(world.client)]
    with django_assert_num_queries(1):
        listed = [(t.title, t.owner.email) for t in task_list_for_project(access, status="open")]
    assert len(mine) == Task.objects.filter(internal=False).count()
    assert len(listed) == Task.objects.filter(internal=False).open().count()


@pytest.mark.parametrize("n", SIZES)
def test_report_history_query_count(world, django_assert_num_queries, n):
    task = f.TaskFactory(project=world.project, owner=world.client)
    ProgressReport.objects.bulk_create(
        ProgressReport(task=task, author=world.client, percent=i % 100, state="on_track") for i in range(n)
    )
    with django_assert_num_queries(1):
        rows = [(r.percent, r.author.email) for r in report_history(task)]
    assert len(rows) == n


@pytest.mark.parametrize("n", SIZES)
def test_risk_list_and_audit_feed_query_count(world, django_assert_num_queries, n):
    Risk.objects.bulk_create(
        Risk(project=world.project, title=f"R{i}", raised_by=world.client, owner=world.team, internal=bool(i % 2)) for i in range(n)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(project=world.project, actor=world.manager, action="task.update", object_type="task", object_id=str(i), internal=bool(i % 2))
        for i in range(n)
    )
    staff = project_access(user=world.team, project=world.project)
    client = project_access(user=world.client, project=world.project)
    with django_assert_num_queries(1):
        risks = [(r.title, r.owner.email, r.raised_by.email) for r in risk_list_for_project(client)]
    with django_assert_num_queries(1):
        events = [(e.action, e.actor.email) for e in audit_feed(staff, limit=2000)]
    assert len(risks) == n // 2
    assert len(events) == n


@pytest.mark.parametrize("n", SIZES)
def test_ledger_query_count(world, django_assert_num_queries, n):
    _tasks(world, n)
    access = project_access(user=world.manager, project=world.project)
    with django_assert_num_queries(1):
        result = ledger(access)
        names = [t.owner.email for t in result.we_owe + result.they_owe]
    assert len(names) == Task.objects.filter(internal=False).open().count()


# --- what each selector returns -----------------------------------------------


def test_project_list_counts_and_scope(world):
    today = timezone.localdate()
    f.TaskFactory(project=world.project, owner=world.client, due_date=today - dt.timedelta(days=3))
    f.TaskFactory(project=world.project, owner=world.client, due_date=today + dt.timedelta(days=3))
    f.TaskFactory(project=world.project, owner=world.client, status=TaskStatus.DONE)
    f.TaskFactory(project=world.project, owner=world.team, due_date=today - dt.timedelta(days=3))
    reported = f.TaskFactory(project=world.project, owner=world.client_lead, status=TaskStatus.DONE)
    Task.objects.filter(pk=reported.pk).update(last_reported_at=timezone.now() - dt.timedelta(days=1))
    project_counts_refresh(project_ids=[world.project.pk])  # the factories write past the task services

    (project,) = project_list_for_user(world.client)

    assert project.pk == world.project.pk
    assert project.my_role == Role.CLIENT
    assert project.open_client_tasks == 2
    assert project.overdue_client_tasks == 1
    assert project.last_client_report is not None
    assert list(project_list_for_user(world.outsider)) == []
    assert {p.pk for p in project_list_for_user(world.manager)} == {world.project.pk, world.other_project.pk}


def test_archived_projects_hidden_unless_asked(world):
    Project.objects.filter(pk=world.other_project.pk).update(archived_at=timezone.now())
    assert [p.pk for p in project_list_for_user(world.manager)] == [world.project.pk]
    assert len(project_list_for_user(world.manager, include_archived=True)) == 2


def test_clients_never_get_internal_tasks(world):
    secret = f.TaskFactory(project=world.project, owner=world.team, internal=True)
    visible = f.TaskFactory(project=world.project, owner=world.team)
    other = f.TaskFactory(project=world.other_project, owner=world.manager)

    client_access = project_access(user=world.client_lead, project=world.project)
    team_access = project_access(user=world.team, project=world.project)

    assert set(task_list_for_user(world.client_lead)) == {visible}
    assert set(task_list_for_user(world.team)) == {secret, visible}
    assert set(task_list_for_user(world.manager)) == {secret, visible, other}
    assert set(task_list_for_user(world.manager, project=world.other_project)) == {other}
    assert set(task_list_for_project(client_access)) == {visible}
    assert set(task_list_for_project(team_access)) == {secret, visible}


def test_task_list_filters(world):
    today = timezone.localdate()
    late = f.TaskFactory(project=world.project, owner=world.client, due_date=today - dt.timedelta(days=1))
    done = f.TaskFactory(project=world.project, owner=world.client, due_date=today - dt.timedelta(days=1), status=TaskStatus.DONE)
    team = f.TaskFactory(project=world.project, owner=world.team)
    access = project_access(user=world.manager, project=world.project)

    assert set(task_list_for_project(access, side=TaskSide.CLIENT)) == {late, done}
    assert set(task_list_for_project(access, owner=world.team)) == {team}
    assert set(task_list_for_project(access, owner=world.team.pk)) == {team}
    assert set(task_list_for_project(access, overdue=True)) == {late}
    assert set(task_list_for_project(access, status="open")) == {late, team}
    assert set(task_list_for_project(access, status=TaskStatus.DONE)) == {done}
    assert set(task_list_for_project(access, status=[TaskStatus.DONE, TaskStatus.TODO])) == {late, done, team}


def test_report_history_newest_first(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    old = f.ProgressReportFactory(task=task, created_at=timezone.now() - dt.timedelta(days=7))
    new = f.ProgressReportFactory(task=task)
    assert list(report_history(task)) == [new, old]


def test_risk_list_hides_internal_from_clients(world):
    open_risk = f.RiskFactory(project=world.project)
    internal = f.RiskFactory(project=world.project, internal=True)
    closed = f.RiskFactory(project=world.project, status=Risk.Status.CLOSED, closed_at=timezone.now())
    f.RiskFactory(project=world.other_project)

    assert set(risk_list_for_project(project_access(user=world.client, project=world.project))) == {open_risk, closed}
    assert set(risk_list_for_project(project_access(user=world.team, project=world.project))) == {open_risk, internal, closed}
    assert set(risk_list_for_project(project_access(user=world.team, project=world.project), include_closed=False)) == {
        open_risk,
        internal,
    }


def test_audit_feed_scoped_and_limited(world):
    public = f.AuditEventFactory(project=world.project, internal=False)
    private = f.AuditEventFactory(project=world.project, internal=True)
    f.AuditEventFactory(project=world.other_project)
    assert list(audit_feed(project_access(user=world.manager, project=world.project))) == [private, public]
    assert list(audit_feed(project_access(user=world.client, project=world.project))) == [public]
    assert len(audit_feed(project_access(user=world.manager, project=world.project), limit=1)) == 1


def test_ledger_two_ways(world):
    today = timezone.localdate()
    we_owe = f.TaskFactory(project=world.project, owner=world.team, due_date=today - dt.timedelta(days=2))
    f.TaskFactory(project=world.project, owner=world.team, internal=True)
    f.TaskFactory(project=world.project, owner=world.team, status=TaskStatus.DONE)
    they_owe = f.TaskFactory(project=world.project, owner=world.client, due_date=today + dt.timedelta(days=5))
    Task.objects.filter(pk=they_owe.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    fresh = f.TaskFactory(project=world.project, owner=world.client_lead, due_date=today + dt.timedelta(days=5))
    Task.objects.filter(pk=fresh.pk).update(last_reported_at=timezone.now())

    result = ledger(project_access(user=world.client, project=world.project))

    assert result.we_owe == [we_owe]
    assert result.team.overdue == [we_owe]
    assert set(result.they_owe) == {they_owe, fresh}
    assert result.client.overdue == []
    assert result.client.reports_due == [they_owe]
