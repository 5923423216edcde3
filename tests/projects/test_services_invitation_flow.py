"""Invitation end to end through the outbox: invite → one e-mail row → its link accepted once."""

import re

import pytest
from django.urls import reverse

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


def test_a_resent_invitation_revokes_the_earlier_link(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=world.manager, project=world.project, email="nina@acme.example", role=Role.CLIENT)
    first = re.search(r"/invite/([^/\s]+)/", OutboundMessage.objects.get(dedupe_key=f"invite:{invitation.pk}:1").body_text).group(1)
    client.force_login(world.manager)

    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(reverse("projects:invitation-resend", args=[world.project.slug, invitation.pk]))
    client.logout()

    assert resent.status_code == 302
    second = re.search(r"/invite/([^/\s]+)/", OutboundMessage.objects.get(dedupe_key=f"invite:{invitation.pk}:2").body_text).group(1)
    assert first != second
    old_page = client.get(reverse("accounts:invite-accept", args=[first]))
    assert "This invitation link is not valid." in old_page.content.decode()
    with pytest.raises(ApplicationError):
        invitation_accept(token=first, full_name="Nina", password="a-long-pass-phrase-42")
    user = invitation_accept(token=second, full_name="Nina", password="a-long-pass-phrase-42")
    assert Membership.objects.get(project=world.project, user=user).role == Role.CLIENT
