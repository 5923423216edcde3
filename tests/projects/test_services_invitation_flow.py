"""Invitation end to end through the outbox: invite → one e-mail row → its link accepted once."""

import re

import pytest

from portal.core.exceptions import ApplicationError
from portal.outbox.models import OutboundMessage
from projects.models import Membership, Role
from projects.services.invitations import invitation_accept, invitation_create
from projects.services.memberships import membership_add
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_invitation_email_link_is_accepted_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=world.manager, project=world.project, email="nina@acme.example", role=Role.CLIENT)

    message = OutboundMessage.objects.get(dedupe_key=f"invite:{invitation.pk}:1")
    assert message.to_email == "nina@acme.example"
    token = re.search(r"/invite/([^/\s]+)/", message.body_text).group(1)

    user = invitation_accept(token=token, full_name="Nina", password="a-long-pass-phrase-42")

    assert Membership.objects.get(project=world.project, user=user).role == Role.CLIENT
    with pytest.raises(ApplicationError):
        invitation_accept(token=token, full_name="Nina", password="a-long-pass-phrase-42")
    assert Membership.objects.filter(user=user).count() == 1


def test_membership_add_emails_the_person_once(world, django_capture_on_commit_callbacks):
    person = f.StaffFactory(email="new.dev@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        membership = membership_add(actor=world.manager, project=world.project, user=person, role=Role.TEAM)

    assert list(OutboundMessage.objects.filter(dedupe_key=f"member:{membership.pk}").values_list("to_email", flat=True)) == [
        "new.dev@example.com"
    ]
