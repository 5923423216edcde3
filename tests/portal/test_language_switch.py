"""The header's language switch: a signed-in person's choice becomes their saved preference, so their e-mails follow it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from portal.accounts.models import User
from portal.outbox.models import OutboundMessage
from projects.emails import queue_membership_added_email
from projects.models import Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_signed_in_switch_to_russian_saves_the_preference_and_later_mail_is_russian(client, world):
    # given an English-speaking client who switches the header to Russian
    person = world.client
    assert person.language == "en"
    client.force_login(person)

    # when
    response = client.post(reverse("accounts:language"), {"language": "ru", "next": "/"})

    # then the page turns Russian, the preference is saved, and the next e-mail is in Russian
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert User.objects.get(pk=person.pk).language == "ru"
    assert '<html lang="ru">' in client.get(reverse("accounts:preferences")).content.decode()
    membership = Membership.objects.create(project=world.other_project, user=person, role=Role.CLIENT)
    assert queue_membership_added_email(membership_id=membership.pk)
    rows = OutboundMessage.objects.filter(to_email=person.email)
    assert rows.count() == 1
    assert rows.get().subject == f"Вас добавили в «{world.other_project.name}» в Rapport"


def test_switching_back_to_english_saves_english(client):
    person = f.ClientUserFactory(language="ru")
    client.force_login(person)

    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})

    assert User.objects.get(pk=person.pk).language == "en"


def test_an_unknown_language_changes_nothing(client):
    person = f.ClientUserFactory(language="en")
    client.force_login(person)

    response = client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})

    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).language == "en"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_an_anonymous_switch_sets_only_the_cookie(client):
    before = list(User.objects.values_list("pk", "language"))

    response = client.post(reverse("accounts:language"), {"language": "ru", "next": reverse("login")})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert list(User.objects.values_list("pk", "language")) == before


def test_a_get_is_refused_and_saves_nothing(client):
    person = f.ClientUserFactory(language="en")
    client.force_login(person)

    response = client.get(reverse("accounts:language"), {"language": "ru"})

    assert response.status_code == 405
    assert User.objects.get(pk=person.pk).language == "en"
