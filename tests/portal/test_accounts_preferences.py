"""Preferences (language, zone, digest time, e-mails) and the private calendar-feed address."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from portal.accounts.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db


def _form(user, **overrides):
    data = {
        "language": user.language,
        "time_zone": user.time_zone,
        "digest_weekday": user.digest_weekday,
        "digest_hour": user.digest_hour,
        "email_digest": "on",
        "email_nudges": "on",
        "email_reminders": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_saving_stores_and_switches_the_language_at_once(client, world):
    client.force_login(world.client)

    response = client.post(
        reverse("accounts:preferences"),
        _form(
            world.client,
            language="ru",
            time_zone="Asia/Yekaterinburg",
            digest_weekday=4,
            digest_hour=17,
            email_reminders=None,
        ),
    )

    assert response.status_code == 302
    user = User.objects.get(pk=world.client.pk)
    assert (user.language, user.time_zone, user.digest_weekday, user.digest_hour) == ("ru", "Asia/Yekaterinburg", 4, 17)
    assert user.email_reminders is False and user.email_digest is True
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(reverse("accounts:preferences"))
    assert '<html lang="ru">' in page.content.decode()


def test_bad_zone_and_hour_are_refused(client, world):
    client.force_login(world.client)

    response = client.post(
        reverse("accounts:preferences"), _form(world.client, time_zone="Nowhere/City", digest_hour=25)
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "not a known time zone" in body and "Select a valid choice" in body
    assert User.objects.get(pk=world.client.pk).time_zone == "Europe/Moscow"


def test_cannot_switch_off_every_reminder_while_owing_answers(client, world):
    f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)

    page = client.get(reverse("accounts:preferences")).content.decode()
    response = client.post(reverse("accounts:preferences"), _form(world.client, email_digest=None, email_nudges=None))

    assert "You still owe reports or answers" in page
    assert response.status_code == 400
    assert "keep either the reminders about them or the weekly digest on" in response.content.decode()
    user = User.objects.get(pk=world.client.pk)
    assert user.email_digest and user.email_nudges


def test_one_of_them_may_go_while_owing(client, world):
    f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)

    response = client.post(reverse("accounts:preferences"), _form(world.client, email_nudges=None))

    assert response.status_code == 302
    assert User.objects.get(pk=world.client.pk).email_nudges is False


def test_all_off_when_nothing_is_owed(client, world):
    client.force_login(world.client)

    response = client.post(
        reverse("accounts:preferences"), _form(world.client, email_digest=None, email_nudges=None, email_reminders=None)
    )

    assert response.status_code == 302
    user = User.objects.get(pk=world.client.pk)
    assert not (user.email_digest or user.email_nudges or user.email_reminders)


def test_a_decision_awaiting_counts_as_owing(client, world):
    f.DecisionFactory(project=world.project, involvement="approval")
    client.force_login(world.client)

    response = client.post(reverse("accounts:preferences"), _form(world.client, email_digest=None, email_nudges=None))

    assert response.status_code == 400
    assert User.objects.get(pk=world.client.pk).email_nudges is True


def test_calendar_address_is_shown_and_revoked(client, world):
    old = world.client.calendar_token
    client.force_login(world.client)

    page = client.get(reverse("accounts:calendar"))
    response = client.post(reverse("accounts:calendar"))

    assert f"/calendar/{old}.ics" in page.content.decode()
    assert response.status_code == 302
    new = User.objects.get(pk=world.client.pk).calendar_token
    assert new != old and len(new) >= 32
    assert f"/calendar/{new}.ics" in client.get(reverse("accounts:calendar")).content.decode()
    client.logout()
    assert client.get(reverse("engagement:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("engagement:calendar-feed", args=[new])).status_code == 200


def test_anonymous_is_sent_to_log_in(client, world):
    for name in ("accounts:preferences", "accounts:calendar"):
        response = client.post(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert User.objects.get(pk=world.client.pk).calendar_token == world.client.calendar_token
