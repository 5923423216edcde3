import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from engagement.models import CommunicationPlan, PlanVersion, Stakeholder
from engagement.services.plan import (
    plan_completeness,
    plan_get_or_create,
    plan_request_sign_off,
    plan_sign_off,
    plan_update,
    stakeholder_add,
    stakeholder_remove,
    stakeholder_update,
)
from portal.core.exceptions import ApplicationError, ConflictError
from projects.models import AuditEvent
from tests import factories as f


def state():
    return (
        list(CommunicationPlan.objects.values_list("pk", "version", "expectations", "signed_off_version", "sign_off_requested_at")),
        list(Stakeholder.objects.order_by("pk").values_list("pk", "user", "side", "is_primary", "backup_for")),
        PlanVersion.objects.count(),
        AuditEvent.objects.count(),
    )


def test_get_or_create_starts_at_version_one_with_a_snapshot(world):
    plan = plan_get_or_create(project=world.project)
    again = plan_get_or_create(project=world.project)
    assert plan.pk == again.pk and plan.version == 1
    assert list(plan.versions.values_list("version", flat=True)) == [1]


def test_update_raises_version_and_stores_snapshot(world):
    plan = plan_update(actor=world.manager, project=world.project, expected_version=1, expectations="Reports on Fridays",
                       client_response_hours=24)
    assert (plan.version, plan.expectations, plan.client_response_hours) == (2, "Reports on Fridays", 24)
    snapshot = plan.versions.get(version=2)
    assert snapshot.content["expectations"] == "Reports on Fridays" and snapshot.created_by == world.manager
    event = AuditEvent.objects.get(action="plan.update")
    assert event.changes["expectations"] == {"old": "", "new": "Reports on Fridays"}
    assert event.changes["version"] == {"old": 1, "new": 2}


def test_update_without_change_keeps_the_version(world):
    plan_update(actor=world.manager, project=world.project, escalation_path="PM, then CTO")
    before = state()
    plan = plan_update(actor=world.manager, project=world.project, escalation_path="PM, then CTO")
    assert plan.version == 2 and state() == before


@pytest.mark.parametrize(("persona", "error"), [
    ("team", PermissionDenied), ("client_lead", PermissionDenied), ("client", PermissionDenied), ("other_client", Http404),
])
def test_update_refused_changes_nothing(world, persona, error):
    plan_get_or_create(project=world.project)
    before = state()
    with pytest.raises(error):
        plan_update(actor=world.persona(persona), project=world.project, expectations="mine")
    assert state() == before


def test_update_invalid_or_stale_changes_nothing(world):
    plan_update(actor=world.manager, project=world.project, expectations="v2")
    before = state()
    with pytest.raises(ConflictError):
        plan_update(actor=world.manager, project=world.project, expected_version=1, expectations="stale")
    with pytest.raises(ValidationError):
        plan_update(actor=world.manager, project=world.project, digest_hour=25)
    with pytest.raises(ApplicationError):
        plan_update(actor=world.manager, project=world.project, signed_off_version=2)
    assert state() == before


def test_sign_off_flow_and_change_since_sign_off(world):
    plan = plan_update(actor=world.manager, project=world.project, expectations="v2")
    plan_request_sign_off(actor=world.manager, plan=plan)
    plan = plan_sign_off(actor=world.client_lead, plan=plan, version=2)
    assert (plan.signed_off_by, plan.signed_off_version, plan.is_signed_off, plan.changed_since_sign_off) == (
        world.client_lead, 2, True, False)
    assert plan.signed_off_at is not None and plan.sign_off_requested_at is not None
    assert AuditEvent.objects.get(action="plan.sign_off").actor == world.client_lead
    plan = plan_update(actor=world.manager, project=world.project, expectations="v3")
    assert plan.changed_since_sign_off and plan.signed_off_version == 2


def test_sign_off_refusals_change_nothing(world):
    plan = plan_update(actor=world.manager, project=world.project, expectations="v2")
    before = state()
    with pytest.raises(ApplicationError) as err:
        plan_sign_off(actor=world.client_lead, plan=plan, version=1)
    assert "changed since you read it" in err.value.message
    for persona in ("client", "manager", "team"):
        with pytest.raises(PermissionDenied):
            plan_sign_off(actor=getattr(world, persona), plan=plan, version=2)
    with pytest.raises(Http404):
        plan_sign_off(actor=world.other_client, plan=plan, version=2)
    with pytest.raises(PermissionDenied):
        plan_request_sign_off(actor=world.client_lead, plan=plan)
    assert state() == before
    plan_sign_off(actor=world.client_lead, plan=plan, version=2)
    before = state()
    with pytest.raises(ApplicationError):
        plan_sign_off(actor=world.client_lead, plan=plan, version=2)
    with pytest.raises(ApplicationError):
        plan_request_sign_off(actor=world.manager, plan=plan)
    assert state() == before


def test_stakeholders_primary_backup_and_versions(world):
    plan = plan_get_or_create(project=world.project)
    pm = stakeholder_add(actor=world.manager, plan=plan, side="team", user=world.manager, is_primary=True, raci="A")
    dev = stakeholder_add(actor=world.manager, plan=plan, side="team", user=world.team, backup_for=pm)
    lead = stakeholder_add(actor=world.manager, plan=plan, side="client", user=world.client_lead, is_primary=True)
    cfo = stakeholder_add(actor=world.manager, plan=plan, side="client", external_name="Carla CFO",
                          external_email="cfo@acme.example", backup_for=lead, channel="phone", phone="+7 900")
    plan.refresh_from_db()
    assert plan.version == 5
    assert (cfo.name, cfo.email) == ("Carla CFO", "cfo@acme.example")
    assert dev.backup_for == pm
    stakeholder_update(actor=world.manager, stakeholder=cfo, responsibility="Budget")
    plan.refresh_from_db()
    assert plan.version == 6
    assert [s["name"] for s in plan.versions.get(version=6).content["stakeholders"]] == [
        "Lena Lead", "Carla CFO", "Anna Petrova", "Dmitri Ivanov"]
    stakeholder_remove(actor=world.manager, stakeholder=pm)
    dev.refresh_from_db()
    assert dev.backup_for is None
    plan.refresh_from_db()
    assert plan.version == 7
    assert AuditEvent.objects.filter(action__startswith="stakeholder.").count() == 6


def test_stakeholder_rules_refuse_and_change_nothing(world):
    plan = plan_get_or_create(project=world.project)
    pm = stakeholder_add(actor=world.manager, plan=plan, side="team", user=world.manager, is_primary=True)
    other_plan = plan_get_or_create(project=world.other_project)
    foreign = stakeholder_add(actor=world.manager, plan=other_plan, side="team", user=world.manager)
    before = state()
    cases = [
        dict(side="team", user=world.outsider),  # not a member
        dict(side="team", user=world.client),  # wrong side for a client person
        dict(side="client", user=world.team),  # wrong side for staff
        dict(side="team", user=world.team, is_primary=True),  # second primary on a side
        dict(side="client", external_name="No Mail"),  # external needs an e-mail
        dict(side="client", user=world.client, backup_for=pm),  # backup across sides
        dict(side="team", user=world.team, backup_for=foreign),  # backup from another plan
        dict(side="team", user=world.manager),  # already on the plan
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            stakeholder_add(actor=world.manager, plan=plan, **case)
    with pytest.raises(PermissionDenied):
        stakeholder_add(actor=world.team, plan=plan, side="team", user=world.team)
    with pytest.raises(PermissionDenied):
        stakeholder_update(actor=world.client_lead, stakeholder=pm, responsibility="x")
    with pytest.raises(ValidationError):
        stakeholder_update(actor=world.manager, stakeholder=pm, backup_for=pm)
    with pytest.raises(ApplicationError):
        stakeholder_update(actor=world.manager, stakeholder=pm, plan=other_plan)
    with pytest.raises(PermissionDenied):
        stakeholder_remove(actor=world.client_lead, stakeholder=pm)
    assert state() == before


def test_completeness_checklist(world):
    plan = plan_get_or_create(project=world.project)
    items = {item.key: item.ok for item in plan_completeness(plan)}
    assert list(items) == ["team_primary", "team_backup", "client_primary", "client_backup", "cadence",
                           "response_targets", "escalation", "meetings", "signed_off"]
    assert items == {**dict.fromkeys(items, False), "cadence": True, "response_targets": True}
    pm = stakeholder_add(actor=world.manager, plan=plan, side="team", user=world.manager, is_primary=True)
    stakeholder_add(actor=world.manager, plan=plan, side="team", user=world.team, backup_for=pm)
    lead = stakeholder_add(actor=world.manager, plan=plan, side="client", user=world.client_lead, is_primary=True)
    stakeholder_add(actor=world.manager, plan=plan, side="client", user=world.client, backup_for=lead)
    plan = plan_update(actor=world.manager, project=world.project, escalation_path="PM → Director")
    f.MeetingSeriesFactory(project=world.project)
    plan_sign_off(actor=world.client_lead, plan=plan, version=plan.version)
    plan.refresh_from_db()
    assert all(item.ok for item in plan_completeness(plan))
    plan = plan_update(actor=world.manager, project=world.project, escalation_path="PM → CEO")
    assert {i.key for i in plan_completeness(plan) if not i.ok} == {"signed_off"}


def test_completeness_of_an_unsaved_plan(world):
    assert not any(item.ok for item in plan_completeness(CommunicationPlan(project=world.project)))
