"""Accepting an invitation: set name, password, zone and language, then land in the portal; bad links get a clear page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from projects.models import Invitation, Membership
from projects.services.invitations import invitation_token
from tests import factories as f

pytestmark = pytest.mark.django_db


def _invitation(world, **kwargs):
    kwargs.setdefault("email", "new.person@acme.example")
    return f.InvitationFactory(project=world.project, invited_by=world.manager, role="client", **kwargs)


def _form(**overrides):
    data = {
        "full_name": "Nina New",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "a-long-and-unusual-passphrase",
        "time_zone": "Europe/Berlin",
        "language": "ru",
    }
    data.update(overrides)
    return data


def test_the_page_greets_with_project_and_inviter(client, world):
    invitation = _invitation(world)

    response = client.get(reverse("accounts:invite-accept", args=[invitation_token(invitation)]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Acme portal" in body and "Anna Petrova" in body and "new.person@acme.example" in body
    assert 'list="time-zones"' in body and '<option value="Europe/Moscow">' in body
    assert 'value="Europe/Moscow"' in body  # the client's zone is the default


def test_accepting_creates_the_account_logs_in_and_lands_home(client, world):
    invitation = _invitation(world)

    response = client.post(reverse("accounts:invite-accept", args=[invitation_token(invitation)]), _form())

    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="new.person@acme.example")
    assert (user.full_name, user.time_zone, user.language, user.kind) == ("Nina New", "Europe/Berlin", "ru", "client")
    assert user.organisation == world.project.client
    assert user.check_password("a-long-and-unusual-passphrase")
    assert Membership.objects.get(project=world.project, user=user).role == "client"
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert int(client.session["_auth_user_id"]) == user.pk
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert client.get("/").status_code == 200  # signed in through a configured backend: home, not the log-in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-entirely"}, "The two passwords differ"),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"time_zone": "Mars/Olympus"}, "not a known time zone"),
        ({"full_name": ""}, "This field is required"),
    ],
)
def test_bad_input_keeps_the_form_and_creates_nothing(client, world, overrides, message):
    invitation = _invitation(world)

    response = client.post(reverse("accounts:invite-accept", args=[invitation_token(invitation)]), _form(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(email="new.person@acme.example").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_reused_link_gets_a_clear_page(client, world):
    invitation = _invitation(world)
    token = invitation_token(invitation)
    client.post(reverse("accounts:invite-accept", args=[token]), _form())
    client.logout()
    users = User.objects.count()

    response = client.post(reverse("accounts:invite-accept", args=[token]), _form(full_name="Intruder"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "already been accepted" in body and "Ask Anna Petrova for a new invitation" in body
    assert User.objects.count() == users
    assert User.objects.get(email="new.person@acme.example").full_name == "Nina New"


def test_an_expired_link_names_the_inviter(client, world):
    invitation = _invitation(world, expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = client.get(reverse("accounts:invite-accept", args=[invitation_token(invitation)]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "expired" in body and "Ask Anna Petrova for a new invitation" in body


def test_a_revoked_link_gets_a_clear_page(client, world):
    invitation = _invitation(world, revoked_at=timezone.now())

    response = client.post(reverse("accounts:invite-accept", args=[invitation_token(invitation)]), _form())

    assert "withdrawn" in response.content.decode()
    assert not User.objects.filter(email="new.person@acme.example").exists()


def test_a_tampered_link_gets_a_clear_page_without_detail(client, world):
    invitation = _invitation(world)
    token = invitation_token(invitation)

    response = client.get(reverse("accounts:invite-accept", args=[token[:-3] + ("abd" if token.endswith("abc") else "abc")]))

    body = response.content.decode()
    assert response.status_code == 404
    assert "not valid" in body and "ask the project manager who invited you" in body.lower()
    assert "Anna Petrova" not in body


def test_an_existing_account_signs_in_then_joins(client, world):
    person = f.ClientUserFactory(email="known@acme.example", organisation=world.project.client)
    invitation = _invitation(world, email="known@acme.example")
    url = reverse("accounts:invite-accept", args=[invitation_token(invitation)])

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert not Membership.objects.filter(user=person).exists()

    client.force_login(person)
    page = client.get(url)
    joined = client.post(url)

    assert page.status_code == 200 and "Join the project" in page.content.decode()
    assert joined.status_code == 302
    assert Membership.objects.get(project=world.project, user=person).role == "client"


def test_someone_else_signed_in_cannot_use_the_link(client, world):
    f.ClientUserFactory(email="known@acme.example", organisation=world.project.client)
    invitation = _invitation(world, email="known@acme.example")
    client.force_login(world.client)

    response = client.post(reverse("accounts:invite-accept", args=[invitation_token(invitation)]))

    assert response.status_code == 403
    assert "sent to another address" in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
