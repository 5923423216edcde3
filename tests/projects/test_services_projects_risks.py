import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from portal.core.exceptions import ApplicationError, ConflictError
from projects.models import AuditEvent, Membership, Project, ProjectStatus, Risk, Role, Severity
from projects.services.projects import project_archive, project_create, project_update
from projects.services.risks import risk_close, risk_raise, risk_update
from tests.projects.helpers import state

pytestmark = pytest.mark.django_db


def test_staff_creates_project_and_becomes_manager(world):
    project = project_create(actor=world.team, client=world.project.client, name="Acme Mobile App")

    project.refresh_from_db()
    assert project.slug == "acme-mobile-app"
    assert project.manager == world.team
    assert Membership.objects.get(project=project, user=world.team).role == Role.MANAGER
    assert AuditEvent.objects.get(action="project.create", project=project).changes["name"]["new"] == "Acme Mobile App"


def test_slug_is_made_unique(world):
    project = project_create(actor=world.manager, client=world.project.client, name="Acme portal")
    assert project.slug == "acme-portal-2"


def test_client_cannot_create_project(world):
    before = state()
    with pytest.raises(PermissionDenied):
        project_create(actor=world.client_lead, client=world.project.client, name="Sneaky")
    assert state() == before


def test_manager_updates_project(world):
    project_update(actor=world.manager, project=world.project, status=ProjectStatus.ON_HOLD, name="Acme portal v2")
    project = Project.objects.get(pk=world.project.pk)
    assert project.status == ProjectStatus.ON_HOLD
    event = AuditEvent.objects.get(action="project.update")
    assert event.changes["name"] == {"old": "Acme portal", "new": "Acme portal v2"}


@pytest.mark.parametrize(("actor", "error"), [("team", PermissionDenied), ("client_lead", PermissionDenied), ("other_client", Http404)])
def test_project_update_refused(world, actor, error):
    before = state()
    with pytest.raises(error):
        project_update(actor=world.persona(actor), project=world.project, name="Hijacked")
    assert state() == before


def test_launch_before_start_refused(world):
    before = state()
    with pytest.raises(ValidationError):
        project_update(actor=world.manager, project=world.project, target_launch=world.project.start_date.replace(year=2000))
    assert state() == before


def test_archive_once(world):
    project_archive(actor=world.manager, project=world.project)
    assert Project.objects.get(pk=world.project.pk).archived_at is not None
    before = state()
    with pytest.raises(ApplicationError):
        project_archive(actor=world.manager, project=world.project)
    assert state() == before


def test_client_raises_risk_and_staff_closes(world):
    risk = risk_raise(actor=world.client, project=world.project, title="Legal review slow", kind=Risk.Kind.ISSUE, severity=Severity.HIGH)
    assert Risk.objects.get(pk=risk.pk).raised_by == world.client

    risk_close(actor=world.team, risk=risk, resolution="Legal signed off")

    risk.refresh_from_db()
    assert risk.status == Risk.Status.CLOSED
    assert risk.closed_at is not None
    assert AuditEvent.objects.get(action="risk.close").changes["status"] == {"old": "open", "new": "closed"}


def test_client_cannot_raise_internal_risk(world):
    before = state()
    with pytest.raises(PermissionDenied):
        risk_raise(actor=world.client, project=world.project, title="x", internal=True)
    assert state() == before


def test_client_edits_only_own_risk(world):
    theirs = risk_raise(actor=world.client_lead, project=world.project, title="Budget")
    risk_update(actor=world.client_lead, risk=theirs, severity=Severity.CRITICAL)
    assert Risk.objects.get(pk=theirs.pk).severity == Severity.CRITICAL
    ours = risk_raise(actor=world.manager, project=world.project, title="Staffing")
    before = state()
    with pytest.raises(PermissionDenied):
        risk_update(actor=world.client_lead, risk=ours, severity=Severity.LOW)
    with pytest.raises(PermissionDenied):
        risk_close(actor=world.client, risk=ours, resolution="x")
    assert state() == before


def test_risk_stale_version_and_closed_rules(world):
    risk = risk_raise(actor=world.manager, project=world.project, title="Vendor delay")
    risk_update(actor=world.team, risk=risk, expected_version=1, status=Risk.Status.MITIGATING)
    before = state()
    with pytest.raises(ConflictError):
        risk_update(actor=world.manager, risk=risk, expected_version=1, title="Stale")
    with pytest.raises(ApplicationError):
        risk_update(actor=world.manager, risk=risk, status=Risk.Status.CLOSED)
    with pytest.raises(ValidationError):
        risk_close(actor=world.manager, risk=risk, resolution="  ")
    assert state() == before
    risk_close(actor=world.manager, risk=risk, resolution="Second vendor")
    before = state()
    with pytest.raises(ApplicationError):
        risk_close(actor=world.manager, risk=risk, resolution="again")
    assert state() == before


def test_internal_risk_owner_must_be_staff_member(world):
    before = state()
    with pytest.raises(ValidationError):
        risk_raise(actor=world.manager, project=world.project, title="x", internal=True, owner=world.client)
    with pytest.raises(ValidationError):
        risk_raise(actor=world.manager, project=world.project, title="x", owner=world.outsider)
    assert state() == before


def test_audit_record_stores_json_safe_values(world):
    import datetime as dt

    from projects.services.audit import audit_record

    event = audit_record(
        actor=world.manager,
        action="project.note",
        obj=world.project,
        project=world.project,
        changes={"owner": {"old": world.team, "new": world.client}, "due": {"old": None, "new": dt.date(2026, 12, 1)}},
    )
    event.refresh_from_db()
    assert event.changes == {"owner": {"old": world.team.pk, "new": world.client.pk}, "due": {"old": None, "new": "2026-12-01"}}
