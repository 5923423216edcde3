import datetime as dt
import io
import random

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from engagement.demo.builder import Cast, ProjectBuilder, Shape
from engagement.demo.rows import Rows
from engagement.models import CommunicationPlan, Decision, Meeting, Stakeholder
from portal.accounts.models import Client, User
from projects.models import Membership, ProgressReport, Project, Role, Task, TaskSide
from tests import factories as f

pytestmark = pytest.mark.django_db

MODELS = [m for app in ("accounts", "projects", "engagement") for m in apps.get_app_config(app).get_models()]


def _counts() -> dict:
    return {m._meta.label: m.objects.count() for m in MODELS}


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        _seed()
    assert User.objects.count() == 0
    assert Project.objects.count() == 0


def test_twice_leaves_the_same_counts(settings):
    settings.DEBUG = True
    first = _seed()
    after_first = _counts()
    second = _seed()

    assert _counts() == after_first
    assert "Made:" in first
    assert "nothing to do" in second
    assert after_first["projects.Project"] == 3
    assert after_first["accounts.Client"] == 2


def test_demo_logins_and_their_roles(settings):
    _seed("--force")
    for email in ("manager@example.com", "team@example.com", "client@example.com", "client2@example.com"):
        assert User.objects.get(email=email).check_password("rapport-demo"), email

    projects = Project.objects.filter(slug__in=["northwind-customer-portal", "northwind-warehouse-app", "aurora-loyalty-platform"])
    manager = User.objects.get(email="manager@example.com")
    assert {m.role for m in Membership.objects.filter(user=manager)} == {Role.MANAGER}
    assert Membership.objects.filter(user=manager).count() == 3
    assert Membership.objects.filter(user__email="team@example.com", role=Role.TEAM).count() == 2
    lead = User.objects.get(email="client@example.com")
    assert lead.organisation.name == "Northwind Logistics"
    assert set(Membership.objects.filter(user=lead).values_list("role", "project__client__name")) == {
        (Role.CLIENT_LEAD, "Northwind Logistics")
    }
    assert Membership.objects.filter(user=lead).count() == 2
    client2 = User.objects.get(email="client2@example.com")
    assert client2.organisation.name == "Aurora Retail"
    assert list(Membership.objects.filter(user=client2).values_list("role", flat=True)) == [Role.CLIENT]
    assert all(p.manager == manager for p in projects)


def test_demo_covers_every_state():
    _seed("--force")
    assert set(Task.objects.values_list("status", flat=True)) == {"todo", "in_progress", "blocked", "done", "cancelled"}
    assert set(Task.objects.values_list("side", flat=True)) == {TaskSide.CLIENT, TaskSide.TEAM}
    assert Task.objects.filter(internal=True).exists()
    assert Task.objects.overdue().client_side().exists()
    assert any(t.is_report_due for t in Task.objects.client_side().open())
    assert set(Decision.objects.values_list("status", flat=True)) == {"proposed", "approved", "rejected", "superseded"}
    assert set(Meeting.objects.values_list("status", flat=True)) == {"scheduled", "held", "cancelled"}
    assert Meeting.objects.filter(status="held").exclude(minutes="").exists()
    assert CommunicationPlan.objects.count() == 3
    assert Stakeholder.objects.filter(backup_for__isnull=False).count() >= 6
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {"on_track", "at_risk", "blocked", "done"}
    for task in Task.objects.exclude(last_reported_at=None)[:20]:
        assert task.reports.order_by("-created_at").first().created_at == task.last_reported_at
    for plan in CommunicationPlan.objects.all():
        plan.full_clean()


def test_demo_history_is_all_in_the_past():
    _seed("--force")
    _seed("--scale", "5", "--force")
    now = timezone.now()

    assert not ProgressReport.objects.filter(created_at__gt=now).exists()
    assert not Task.objects.filter(completed_at__gt=now).exists()
    assert not Task.objects.filter(last_reported_at__gt=now).exists()


def test_demo_keeps_weekly_meetings_at_local_time():
    _seed("--force")
    meeting_times = {
        m.starts_at.astimezone(dt.UTC).astimezone(__import__("zoneinfo").ZoneInfo(m.time_zone)).strftime("%a %H:%M")
        for m in Meeting.objects.filter(project__slug="northwind-customer-portal", rescheduled_from=None)
    }
    assert meeting_times == {"Tue 10:00"}


def test_scale_smoke_and_idempotent():
    out = io.StringIO()
    err = io.StringIO()
    call_command("seed_demo", "--scale", "2", "--force", stdout=out, stderr=err)
    after_first = _counts()
    again = io.StringIO()
    call_command("seed_demo", "--scale", "2", "--force", stdout=again, stderr=io.StringIO())

    assert _counts() == after_first
    assert "nothing to do" in again.getvalue()
    assert "12 client contacts" in out.getvalue()
    assert "2/2" in err.getvalue()
    assert "Made:" in out.getvalue()
    assert Project.objects.filter(slug__startswith="scale-").count() == 2
    assert Task.objects.count() == 100
    assert 300 <= ProgressReport.objects.count() <= 700
    assert Meeting.objects.count() >= 2 * 104
    assert User.objects.filter(kind=User.Kind.CLIENT).count() == 12
    assert Client.objects.count() == 1


def test_builder_is_deterministic():
    manager, team = f.StaffFactory(), f.StaffFactory()
    lead, contact = f.ClientUserFactory(), f.ClientUserFactory()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    def build():
        rows = Rows()
        project = Project(client=lead.organisation, name="P", slug="p", manager=manager)
        cast = Cast(manager=manager, team=[team], lead=lead, clients=[contact])
        ProjectBuilder(rows=rows, rng=random.Random(7), project=project, cast=cast, shape=Shape(weeks=30), now=now).build()
        tasks = rows.stages[1][Task]
        return [(t.title, t.status, t.due_date, t.last_percent, t.owner_id) for t in tasks], dict(rows.count)

    assert build() == build()


def test_every_demo_row_passes_model_validation():
    _seed("--force")
    errors = []
    for model in MODELS:
        for obj in model.objects.all():
            try:
                obj.full_clean()
            except Exception as error:  # noqa: BLE001 — collect them all for one readable failure
                errors.append(f"{model._meta.label} {obj.pk}: {error}")
    assert errors == []
