import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from portal.core.exceptions import ApplicationError, ConflictError
from projects.models import AuditEvent, Task, TaskSide, TaskStatus
from projects.services.tasks import task_assign, task_cancel, task_complete, task_create, task_update
from tests import factories as f
from tests.projects.helpers import state

pytestmark = pytest.mark.django_db


def test_manager_creates_client_task_side_from_owner_and_audits(world):
    task = task_create(actor=world.manager, project=world.project, title="Send brand assets", owner=world.client)

    task.refresh_from_db()
    assert task.side == TaskSide.CLIENT
    assert task.created_by == world.manager
    assert task.status == TaskStatus.TODO
    event = AuditEvent.objects.get(action="task.create", object_id=str(task.pk))
    assert event.actor == world.manager
    assert event.changes["title"] == {"old": None, "new": "Send brand assets"}
    assert event.changes["owner"]["new"] == world.client.pk


def test_team_member_creates_internal_team_task(world):
    task = task_create(actor=world.team, project=world.project, title="Refactor", owner=world.team, internal=True)

    assert Task.objects.get(pk=task.pk).side == TaskSide.TEAM
    assert Task.objects.get(pk=task.pk).internal is True


def test_client_lead_assigns_to_own_company(world):
    task = task_create(actor=world.client_lead, project=world.project, title="Approve copy", owner=world.client)

    assert Task.objects.get(pk=task.pk).owner == world.client


@pytest.mark.parametrize(
    ("actor", "owner", "kwargs", "error"),
    [
        ("client", "client", {}, PermissionDenied),
        ("client_lead", "team", {}, PermissionDenied),
        ("client_lead", "client", {"internal": True}, PermissionDenied),
        ("manager", "client", {"internal": True}, ValidationError),
        ("manager", "outsider", {}, ValidationError),
        ("manager", "other_client", {}, ValidationError),
        ("outsider", "team", {}, Http404),
        ("other_client", "client", {}, Http404),
    ],
)
def test_task_create_refusals_change_nothing(world, django_capture_on_commit_callbacks, actor, owner, kwargs, error):
    before = state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(error):
        task_create(actor=world.persona(actor), project=world.project, title="X", owner=world.persona(owner), **kwargs)
    assert state() == before
    assert callbacks == []


def test_update_with_stale_version_conflicts(world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    task_update(actor=world.manager, task=task, expected_version=1, title="Renamed")
    before = state()

    with pytest.raises(ConflictError):
        task_update(actor=world.team, task=task, expected_version=1, title="Lost update")

    assert state() == before
    task.refresh_from_db()
    assert task.title == "Renamed"
    assert task.version == 2


def test_update_records_old_and_new_values(world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Old")

    task_update(actor=world.client_lead, task=task, title="New", status=TaskStatus.IN_PROGRESS)

    event = AuditEvent.objects.get(action="task.update")
    assert event.changes["title"] == {"old": "Old", "new": "New"}
    assert event.changes["status"] == {"old": "todo", "new": "in_progress"}
    assert Task.objects.get(pk=task.pk).title == "New"


def test_client_lead_cannot_edit_team_task(world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    before = state()
    with pytest.raises(PermissionDenied):
        task_update(actor=world.client_lead, task=task, title="Nope")
    assert state() == before


def test_update_rejects_unknown_fields_and_closing_through_update(world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    before = state()
    with pytest.raises(ApplicationError):
        task_update(actor=world.manager, task=task, owner=world.client)
    with pytest.raises(ApplicationError):
        task_update(actor=world.manager, task=task, status=TaskStatus.DONE)
    assert state() == before


def test_cannot_make_client_task_internal(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    before = state()
    with pytest.raises(ValidationError):
        task_update(actor=world.manager, task=task, internal=True)
    assert state() == before


def test_done_task_frozen_until_staff_reopens(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    task_complete(actor=world.client, task=task)
    before = state()

    with pytest.raises(ApplicationError):
        task_update(actor=world.manager, task=task, title="Edit after done")
    with pytest.raises(PermissionDenied):
        task_update(actor=world.client_lead, task=task, status=TaskStatus.TODO)
    with pytest.raises(ApplicationError):
        task_cancel(actor=world.manager, task=task)
    assert state() == before

    task_update(actor=world.team, task=task, status=TaskStatus.IN_PROGRESS)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.completed_at is None
    assert AuditEvent.objects.filter(action="task.reopen").count() == 1


def test_complete_sets_done(world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    task_complete(actor=world.client, task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.completed_at is not None
    assert task.last_percent == 100


def test_plain_client_cannot_complete_someone_elses_task(world):
    task = f.TaskFactory(project=world.project, owner=world.client_lead)
    before = state()
    with pytest.raises(PermissionDenied):
        task_complete(actor=world.client, task=task)
    assert state() == before


def test_cancel_keeps_reason_in_audit(world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    task_cancel(actor=world.manager, task=task, reason="Out of scope")
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    event = AuditEvent.objects.get(action="task.cancel")
    assert event.changes["reason"]["new"] == "Out of scope"
    before = state()
    with pytest.raises(ApplicationError):
        task_assign(actor=world.manager, task=task, owner=world.client)
    assert state() == before


def test_assign_moves_side_with_owner(world):
    task = f.TaskFactory(project=world.project, owner=world.team)
    task_assign(actor=world.manager, task=task, owner=world.client)
    task.refresh_from_db()
    assert task.owner == world.client
    assert task.side == TaskSide.CLIENT
    assert AuditEvent.objects.get(action="task.assign").changes["owner"] == {"old": world.team.pk, "new": world.client.pk}


def test_assign_refusals(world):
    internal = f.TaskFactory(project=world.project, owner=world.team, internal=True)
    client_task = f.TaskFactory(project=world.project, owner=world.client)
    before = state()
    with pytest.raises(ValidationError):
        task_assign(actor=world.manager, task=internal, owner=world.client)
    with pytest.raises(PermissionDenied):
        task_assign(actor=world.client_lead, task=client_task, owner=world.team)
    with pytest.raises(ValidationError):
        task_assign(actor=world.manager, task=client_task, owner=world.outsider)
    with pytest.raises(PermissionDenied):
        task_assign(actor=world.client, task=client_task, owner=world.client_lead)
    assert state() == before
