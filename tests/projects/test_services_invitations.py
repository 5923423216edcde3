import datetime as dt
import re

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.accounts.models import User
from portal.core.exceptions import ApplicationError
from projects import notifications
from projects.models import AuditEvent, Invitation, Membership, Role
from projects.services.invitations import (
    SALT,
    invitation_accept,
    invitation_create,
    invitation_from_token,
    invitation_resend,
    invitation_revoke,
    invitation_token,
)
from tests import factories as f
from tests.projects.helpers import state

pytestmark = pytest.mark.django_db


def _invite(world, email="new.person@acme.example", role=Role.CLIENT):
    return invitation_create(actor=world.manager, project=world.project, email=email, role=role)


def test_invite_new_address_sends_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = _invite(world, email="New.Person@Acme.example")

    invitation.refresh_from_db()
    assert invitation.email == "new.person@acme.example"
    assert invitation.accepted_at is None
    assert invitation.sent_count == 1
    assert timezone.now() + dt.timedelta(days=6) < invitation.expires_at <= timezone.now() + dt.timedelta(days=7)
    assert [(c.func, c.args[0], c.args[2]) for c in callbacks] == [(notifications.invitation_send, invitation.pk, 1)]
    assert invitation_from_token(callbacks[0].args[1]) == invitation  # the e-mail receives the accept link's token
    assert AuditEvent.objects.filter(action="invitation.create").count() == 1


def test_invite_existing_account_adds_membership_directly(world, django_capture_on_commit_callbacks):
    person = f.ClientUserFactory(organisation=world.project.client, email="known@acme.example")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = _invite(world, email="KNOWN@acme.example")

    membership = Membership.objects.get(project=world.project, user=person)
    assert membership.role == Role.CLIENT
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == person
    assert [(c.func, c.args) for c in callbacks] == [(notifications.membership_added_notify, (membership.pk,))]


@pytest.mark.parametrize("actor", ["team", "client_lead", "client"])
def test_only_managers_invite(world, django_capture_on_commit_callbacks, actor):
    before = state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(PermissionDenied):
        invitation_create(actor=world.persona(actor), project=world.project, email="x@acme.example", role=Role.CLIENT)
    assert state() == before
    assert callbacks == []


def test_second_pending_invitation_refused(world, django_capture_on_commit_callbacks):
    _invite(world)
    before = state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ApplicationError):
        _invite(world)
    assert state() == before
    assert callbacks == []


def test_accept_creates_client_user_and_membership(world):
    invitation = _invite(world)

    user = invitation_accept(
        token=invitation_token(invitation), full_name="Nina New", password="a-long-pass-phrase-42", time_zone="Europe/Moscow", language="ru"
    )

    user.refresh_from_db()
    assert user.email == "new.person@acme.example"
    assert user.kind == User.Kind.CLIENT
    assert user.organisation == world.project.client
    assert user.language == "ru"
    assert user.check_password("a-long-pass-phrase-42")
    assert Membership.objects.get(project=world.project, user=user).role == Role.CLIENT
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert AuditEvent.objects.filter(action="invitation.accept").count() == 1


def test_accept_staff_invitation_makes_staff(world):
    invitation = _invite(world, email="dev2@example.com", role=Role.TEAM)
    user = invitation_accept(token=invitation_token(invitation), full_name="Dev Two", password="a-long-pass-phrase-42")
    assert User.objects.get(pk=user.pk).kind == User.Kind.STAFF
    assert user.organisation is None


def test_accepting_twice_fails_cleanly(world):
    invitation = _invite(world)
    token = invitation_token(invitation)
    invitation_accept(token=token, full_name="Nina", password="a-long-pass-phrase-42")
    before = state()

    with pytest.raises(ApplicationError) as err:
        invitation_accept(token=token, full_name="Nina again", password="another-long-pass-99")

    assert err.value.code == "used"
    assert state() == before


def test_expired_token_refused(world, settings):
    invitation = _invite(world)
    token = invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = state()
    with pytest.raises(ApplicationError) as err:
        invitation_accept(token=token, full_name="Late", password="a-long-pass-phrase-42")
    assert err.value.code == "expired"
    assert state() == before


def test_old_signature_refused_even_if_row_is_pending(world):
    invitation = _invite(world)
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    signer = signing.TimestampSigner(salt=SALT)
    signer.timestamp = lambda: signing.b62_encode(int(eight_days_ago.timestamp()))
    old = signer.sign_object({"i": invitation.pk, "n": invitation.nonce}, compress=True)
    with pytest.raises(ApplicationError) as err:
        invitation_from_token(old)
    assert err.value.code == "expired"


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + ("yy" if t.endswith("xx") else "xx"), lambda t: "garbage", lambda t: t.replace(":", ";", 1)])
def test_tampered_token_refused(world, mangle):
    invitation = _invite(world)
    before = state()
    with pytest.raises(ApplicationError) as err:
        invitation_accept(token=mangle(invitation_token(invitation)), full_name="X", password="a-long-pass-phrase-42")
    assert err.value.code == "invalid"
    assert state() == before


def test_token_with_wrong_nonce_refused(world):
    invitation = _invite(world)
    forged = signing.dumps({"i": invitation.pk, "n": "guessed"}, salt=SALT, compress=True)
    with pytest.raises(ApplicationError) as err:
        invitation_from_token(forged)
    assert err.value.code == "invalid"


def test_weak_password_refused_and_nothing_created(world):
    invitation = _invite(world)
    before = state()
    with pytest.raises(ValidationError):
        invitation_accept(token=invitation_token(invitation), full_name="X", password="123")
    assert state() == before


def test_revoke_then_accept_refused(world):
    invitation = _invite(world)
    invitation_revoke(actor=world.manager, invitation=invitation)
    before = state()
    with pytest.raises(ApplicationError) as err:
        invitation_accept(token=invitation_token(invitation), full_name="X", password="a-long-pass-phrase-42")
    assert err.value.code == "revoked"
    assert state() == before


def test_resend_extends_and_queues_next_send(world, django_capture_on_commit_callbacks):
    invitation = _invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation_resend(actor=world.manager, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=6)
    assert [(c.func, c.args[0], c.args[2]) for c in callbacks] == [(notifications.invitation_send, invitation.pk, 2)]
    assert invitation_from_token(callbacks[0].args[1]) == invitation  # the e-mail receives the accept link's token


def test_team_cannot_resend_or_revoke(world, django_capture_on_commit_callbacks):
    invitation = _invite(world)
    before = state()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with pytest.raises(PermissionDenied):
            invitation_resend(actor=world.team, invitation=invitation)
        with pytest.raises(PermissionDenied):
            invitation_revoke(actor=world.team, invitation=invitation)
    assert state() == before
    assert callbacks == []


def test_expired_invitation_can_be_reissued(world):
    old = _invite(world)
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    new = _invite(world)
    assert Invitation.objects.get(pk=old.pk).revoked_at is not None
    assert new.pk != old.pk


def test_a_resend_stops_the_earlier_email_still_queued_and_a_revoke_stops_the_last(world, django_capture_on_commit_callbacks, mailoutbox):
    """The first e-mail's link dies with the resend: if it has not gone out yet, it never does; only the new one is
    delivered. Withdrawing the invitation stops a queued e-mail as well."""
    from portal.outbox import services
    from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage

    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(world)
    first = OutboundMessage.objects.get(kind=MessageKind.INVITATION)
    assert first.status == MessageStatus.PENDING  # not sent yet (the broker is slow, SMTP down, ...)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=world.manager, invitation=invitation)
    first.refresh_from_db()
    assert first.status == MessageStatus.SUPERSEDED
    services.outbox_send_due()
    invitation.refresh_from_db()
    assert len(mailoutbox) == 1
    # The delivered e-mail's link (signed when it was written, so its timestamp is that second's) opens the invitation.
    [sent_token] = re.findall(r"/invite/([^/\s]+)/", mailoutbox[0].body)
    assert invitation_from_token(sent_token).pk == invitation.pk

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=world.manager, invitation=invitation)
    third = OutboundMessage.objects.get(dedupe_key=f"invite:{invitation.pk}:3")
    invitation_revoke(actor=world.manager, invitation=invitation)
    third.refresh_from_db()
    assert third.status == MessageStatus.SUPERSEDED
    services.outbox_send_due()
    assert len(mailoutbox) == 1
