import pytest
from django.urls import reverse

from portal.accounts.models import User
from projects.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "accounts_user",
    "accounts_client",
    "projects_project",
    "projects_membership",
    "projects_invitation",
    "projects_task",
    "projects_progressreport",
    "projects_risk",
    "projects_auditevent",
]


@pytest.fixture
def admin_client(client, world):
    admin = f.StaffFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    f.TaskFactory(project=world.project, owner=world.client)
    f.ProgressReportFactory(task__project=world.project, task__owner=world.client)
    f.RiskFactory(project=world.project)
    f.InvitationFactory(project=world.project)
    f.AuditEventFactory(project=world.project)
    return client


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_search_and_change_pages_render(admin_client, name):
    url = reverse(f"admin:{name}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "acme"}).status_code == 200
    app, model = name.split("_", 1)
    obj = __import__("django.apps").apps.apps.get_model(app, model).objects.first()
    assert admin_client.get(reverse(f"admin:{name}_change", args=[obj.pk])).status_code == 200


def test_audit_events_are_read_only(admin_client):
    event = AuditEvent.objects.first()
    assert admin_client.get(reverse("admin:projects_auditevent_add")).status_code == 403
    response = admin_client.post(reverse("admin:projects_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_add_user_with_email_login(admin_client, world):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.lead@acme.example",
            "full_name": "New Lead",
            "kind": "client",
            "organisation": world.project.client.pk,
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.lead@acme.example")
    assert user.check_password("a-long-pass-phrase-42")
    assert user.organisation == world.project.client


def test_a_task_edited_in_the_admin_moves_its_version_and_a_report_from_an_older_copy_sees_the_edit(admin_client, world):
    from portal.core.exceptions import ApplicationError
    from projects.models import Task
    from projects.services.reports import report_submit

    task = f.TaskFactory(project=world.project, owner=world.client, side="client")
    copy = Task.objects.get(pk=task.pk)  # e.g. a report form opened before the edit

    response = admin_client.post(reverse("admin:projects_task_change", args=[task.pk]), {
        "project": world.project.pk, "title": task.title, "description": "", "owner": world.client.pk,
        "due_date": "", "status": "cancelled", "priority": task.priority,
        "report_cadence_days": task.report_cadence_days, "internal": "",
    })

    assert response.status_code == 302, response.content[:2000]
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.version) == ("cancelled", task.version + 1)
    with pytest.raises(ApplicationError):
        report_submit(actor=world.client, task=copy, percent=10, state="on_track")

