import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from portal.core.exceptions import ApplicationError
from projects import notifications
from projects.models import AuditEvent, Membership, Role
from projects.services.memberships import membership_add, membership_change, membership_remove
from tests import factories as f
from tests.projects.helpers import state

pytestmark = pytest.mark.django_db


def test_manager_adds_client_person_and_notifies_on_commit(world, django_capture_on_commit_callbacks):
    person = f.ClientUserFactory(organisation=world.project.client)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership = membership_add(actor=world.manager, project=world.project, user=person, role=Role.CLIENT)

    assert Membership.objects.get(pk=membership.pk).role == Role.CLIENT
    assert AuditEvent.objects.get(action="membership.add").changes["role"] == {"old": None, "new": "client"}
    assert len(callbacks) == 1
    assert callbacks[0].func is notifications.membership_added_notify
    assert callbacks[0].args == (membership.pk,)


@pytest.mark.parametrize(
    ("actor", "who", "role", "error"),
    [
        ("team", "staff", Role.TEAM, PermissionDenied),
        ("client_lead", "acme", Role.CLIENT, PermissionDenied),
        ("outsider", "staff", Role.TEAM, Http404),
        ("manager", "globex", Role.CLIENT, ValidationError),  # another company's person
        ("manager", "acme", Role.TEAM, ValidationError),  # a client person in a staff role
        ("manager", "staff", Role.CLIENT_LEAD, ValidationError),  # staff in a client role
        ("manager", "member", Role.TEAM, ApplicationError),  # already a member
    ],
)
def test_membership_add_refusals(world, django_capture_on_commit_callbacks, actor, who, role, error):
    people = {
        "staff": f.StaffFactory(),
        "acme": f.ClientUserFactory(organisation=world.project.client),
        "globex": world.other_client,
        "member": world.team,
    }
    before = state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(error):
        membership_add(actor=world.persona(actor), project=world.project, user=people[who], role=role)
    assert state() == before
    assert callbacks == []


def test_change_role_audits(world):
    membership = Membership.objects.get(project=world.project, user=world.client)
    membership_change(actor=world.manager, membership=membership, role=Role.CLIENT_LEAD)
    assert Membership.objects.get(pk=membership.pk).role == Role.CLIENT_LEAD
    assert AuditEvent.objects.get(action="membership.change").changes == {"role": {"old": "client", "new": "client_lead"}}


def test_last_manager_cannot_be_demoted_or_removed(world):
    membership = Membership.objects.get(project=world.project, user=world.manager)
    before = state()
    with pytest.raises(ApplicationError) as err:
        membership_change(actor=world.manager, membership=membership, role=Role.TEAM)
    assert err.value.code == "last_manager"
    with pytest.raises(ApplicationError):
        membership_remove(actor=world.manager, membership=membership)
    assert state() == before


def test_second_manager_allows_stepping_down_and_takes_over(world):
    team_membership = Membership.objects.get(project=world.project, user=world.team)
    membership_change(actor=world.manager, membership=team_membership, role=Role.MANAGER)
    mine = Membership.objects.get(project=world.project, user=world.manager)

    membership_remove(actor=world.manager, membership=mine)

    world.project.refresh_from_db()
    assert not Membership.objects.filter(pk=mine.pk).exists()
    assert world.project.manager == world.team
    assert AuditEvent.objects.filter(action="membership.remove").count() == 1


def test_team_cannot_remove_members(world):
    membership = Membership.objects.get(project=world.project, user=world.client)
    before = state()
    with pytest.raises(PermissionDenied):
        membership_remove(actor=world.team, membership=membership)
    assert state() == before


def test_client_role_change_checks_kind(world):
    membership = Membership.objects.get(project=world.project, user=world.client)
    before = state()
    with pytest.raises(ValidationError):
        membership_change(actor=world.manager, membership=membership, role=Role.TEAM)
    assert state() == before
