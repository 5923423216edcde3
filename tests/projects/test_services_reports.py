import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from portal.core.exceptions import ApplicationError
from projects.models import AuditEvent, ProgressReport, ReportState, TaskStatus
from projects.services.reports import report_submit
from projects.services.tasks import task_assign, task_cancel
from tests import factories as f
from tests.projects.helpers import state

pytestmark = pytest.mark.django_db


def test_client_reports_on_own_task(world):
    task = f.TaskFactory(project=world.project, owner=world.client)

    report = report_submit(actor=world.client, task=task, percent=40, state=ReportState.AT_RISK, note="Waiting on legal")

    task.refresh_from_db()
    assert ProgressReport.objects.get(pk=report.pk).author == world.client
    assert task.last_reported_at == report.created_at
    assert task.last_percent == 40
    assert task.last_state == ReportState.AT_RISK
    assert task.status == TaskStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="report.submit")
    assert event.changes["report"]["new"] == report.pk
    assert event.changes["last_percent"] == {"old": 0, "new": 40}


def test_the_audit_row_names_the_actor_the_task_and_every_field_the_report_moved(world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client", status=TaskStatus.TODO)

    report = report_submit(actor=world.client, task=task, percent=100, state=ReportState.DONE, note="Shipped")

    stored = type(task).objects.get(pk=task.pk)
    event = AuditEvent.objects.get(action="report.submit")
    assert (event.project_id, event.actor_id, event.object_type, event.object_id, event.object_repr, event.internal) == (
        world.project.pk, world.client.pk, "task", str(task.pk), str(stored), False
    )
    assert event.changes == {
        "status": {"old": TaskStatus.TODO, "new": TaskStatus.DONE},
        "last_percent": {"old": 0, "new": 100},
        "last_state": {"old": "", "new": ReportState.DONE},
        "completed_at": {"old": None, "new": stored.completed_at.isoformat()},
        "report": {"old": None, "new": report.pk},
    }


def test_done_report_completes_and_blocked_blocks(world):
    blocked = f.TaskFactory(project=world.project, owner=world.client)
    done = f.TaskFactory(project=world.project, owner=world.client)

    report_submit(actor=world.client, task=blocked, percent=10, state=ReportState.BLOCKED, blockers="No VPN access")
    report_submit(actor=world.client_lead, task=done, percent=90, state=ReportState.DONE)

    blocked.refresh_from_db()
    done.refresh_from_db()
    assert blocked.status == TaskStatus.BLOCKED
    assert done.status == TaskStatus.DONE
    assert done.completed_at is not None
    assert done.last_percent == 100


def test_reports_are_appended(world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    report_submit(actor=world.team, task=task, percent=10, state=ReportState.ON_TRACK)
    report_submit(actor=world.manager, task=task, percent=30, state=ReportState.ON_TRACK)
    assert list(task.reports.order_by("id").values_list("percent", flat=True)) == [10, 30]


@pytest.mark.parametrize(
    ("actor", "owner", "error"),
    [
        ("client", "client_lead", PermissionDenied),  # a plain client only on their own tasks
        ("team", "client", PermissionDenied),  # team only on their own tasks
        ("client_lead", "team", PermissionDenied),  # lead only on their company's tasks
        ("outsider", "client", Http404),
        ("other_client", "client", Http404),
    ],
)
def test_report_refused_for_wrong_person(world, actor, owner, error):
    task = f.TaskFactory(project=world.project, owner=world.persona(owner))
    before = state()
    with pytest.raises(error):
        report_submit(actor=world.persona(actor), task=task, percent=50, state=ReportState.ON_TRACK)
    assert state() == before


def test_report_on_cancelled_task_refused(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    task_cancel(actor=world.manager, task=task, reason="Dropped")
    before = state()
    with pytest.raises(ApplicationError) as err:
        report_submit(actor=world.client, task=task, percent=50, state=ReportState.ON_TRACK)
    assert err.value.code == "task_closed"
    assert state() == before


@pytest.mark.parametrize(("percent", "report_state"), [(140, ReportState.ON_TRACK), (-1, ReportState.ON_TRACK), (50, "sleeping")])
def test_invalid_report_refused(world, percent, report_state):
    task = f.TaskFactory(project=world.project, owner=world.client)
    before = state()
    with pytest.raises(ValidationError):
        report_submit(actor=world.client, task=task, percent=percent, state=report_state)
    assert state() == before


def test_report_submit_query_count_does_not_grow_with_history(world, django_assert_num_queries):
    # the role; the report's full validation (each of its two check constraints in a savepoint of its own; the task
    # and the author are the objects given); in a savepoint: the task under its lock, the report, the task, the
    # project's stored counts, the audit row, the task's "report awaits you" inbox line put away
    queries = 15
    task = f.TaskFactory(project=world.project, owner=world.client)
    with django_assert_num_queries(queries):
        report_submit(actor=world.client, task=task, percent=10, state=ReportState.ON_TRACK)
    ProgressReport.objects.bulk_create(ProgressReport(task=task, author=world.client, percent=20, state="on_track") for _ in range(500))
    with django_assert_num_queries(queries):
        report_submit(actor=world.client, task=task, percent=30, state=ReportState.ON_TRACK)


def test_the_task_is_moved_in_place_as_stored(world):
    task = f.TaskFactory(project=world.project, owner=world.client)

    report_submit(actor=world.client, task=task, percent=100, state=ReportState.DONE)

    stored = type(task).objects.get(pk=task.pk)
    fields = ("status", "last_percent", "last_state", "last_reported_at", "completed_at", "version", "updated_at")
    assert {name: getattr(task, name) for name in fields} == {name: getattr(stored, name) for name in fields}
    assert stored.version == 2


def test_the_audit_row_records_what_the_task_was_in_the_database_not_in_a_stale_copy(world):
    # given a task object read before a colleague's report moved the task
    task = f.TaskFactory(project=world.project, owner=world.client)
    stale = type(task).objects.get(pk=task.pk)
    report_submit(actor=world.client_lead, task=task, percent=30, state=ReportState.BLOCKED)

    # when the client reports through the stale copy
    report_submit(actor=world.client, task=stale, percent=60, state=ReportState.ON_TRACK)

    # then the second audit row's "old" values are the stored ones (read under the row lock)
    event = AuditEvent.objects.filter(action="report.submit").order_by("-id").first()
    assert event.changes["status"] == {"old": TaskStatus.BLOCKED, "new": TaskStatus.IN_PROGRESS}
    assert event.changes["last_percent"] == {"old": 30, "new": 60}
    assert type(task).objects.get(pk=task.pk).version == 3


def test_a_report_on_a_task_deleted_meanwhile_is_refused_clearly(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    type(task).objects.filter(pk=task.pk).delete()

    with pytest.raises(ApplicationError) as error:
        report_submit(actor=world.client, task=task, percent=10, state=ReportState.ON_TRACK)

    assert error.value.code == "task_gone"
    assert not ProgressReport.objects.filter(task_id=task.pk).exists()


def test_a_report_through_a_copy_read_before_the_task_was_closed_is_refused_and_stores_nothing(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    stale = type(task).objects.get(pk=task.pk)
    task_cancel(actor=world.manager, task=task, reason="Out of scope")
    reports_before, audit_before = ProgressReport.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ApplicationError) as error:
        report_submit(actor=world.client, task=stale, percent=50, state=ReportState.ON_TRACK)

    assert error.value.code == "task_closed"
    assert (ProgressReport.objects.count(), AuditEvent.objects.count()) == (reports_before, audit_before)
    assert type(task).objects.get(pk=task.pk).status == TaskStatus.CANCELLED


def test_a_report_committed_after_a_newer_one_is_restamped_so_the_task_shows_the_newest(world):
    import datetime as dt

    import time_machine

    task = f.TaskFactory(project=world.project, owner=world.client)
    stale = type(task).objects.get(pk=task.pk)
    t0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0 + dt.timedelta(seconds=2), tick=False):
        report_submit(actor=world.client_lead, task=task, percent=30, state=ReportState.ON_TRACK)
    # a reporter whose clock reads earlier (it was stamped before the other committed) and whose copy is stale
    with time_machine.travel(t0 + dt.timedelta(seconds=1), tick=False):
        late = report_submit(actor=world.client, task=stale, percent=70, state=ReportState.AT_RISK)

    stored = type(task).objects.get(pk=task.pk)
    newest = ProgressReport.objects.filter(task=task).order_by("-created_at", "-pk").first()
    assert newest.pk == late.pk and newest.created_at > t0 + dt.timedelta(seconds=2)
    assert (stored.last_reported_at, stored.last_percent, stored.last_state) == (newest.created_at, 70, ReportState.AT_RISK)


def test_a_report_through_a_copy_read_before_the_task_was_given_to_someone_else_is_refused(world):
    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    stale = type(task).objects.get(pk=task.pk)
    task_assign(actor=world.manager, task=task, owner=world.client_lead)
    reports_before = ProgressReport.objects.count()

    with pytest.raises(PermissionDenied):
        report_submit(actor=world.client, task=stale, percent=50, state=ReportState.ON_TRACK)

    assert ProgressReport.objects.count() == reports_before
