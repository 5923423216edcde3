"""One zone label everywhere: pages, e-mails and the one-click confirmation page name the zone's city
("Yekaterinburg", "Екатеринбург") or its offset ("UTC+05:00"), never the abbreviation "+05"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from engagement.services.links import A, action_link_create
from portal.core.time import zone_label
from tests import factories as f

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 12, 9, 5, 0, tzinfo=dt.UTC)  # 10:00 in Yekaterinburg


def test_zone_label_names_the_city_or_the_offset():
    with translation.override("en"):
        assert zone_label("Asia/Yekaterinburg") == "Yekaterinburg"
        assert zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires"
        assert zone_label("Etc/GMT-5") == "UTC+05:00"
        assert zone_label("Etc/GMT+3") == "UTC-03:00"
    with translation.override("ru"):
        assert zone_label("Asia/Yekaterinburg") == "Екатеринбург"


@pytest.mark.parametrize(("language", "expected"), [("en", "Wed 9 Dec, 10:00–11:00 Yekaterinburg (08:00–09:00 Moscow)"),
                                                    ("ru", "Ср 9 декабря, 10:00–11:00 Екатеринбург (08:00–09:00 Москва)")])
def test_the_rsvp_confirmation_page_shows_the_meeting_in_the_link_owners_zone(world, client, language, expected):
    world.client.language, world.client.time_zone = language, "Asia/Yekaterinburg"
    world.client.save()
    meeting = f.MeetingFactory(project=world.project, title="Kick-off", starts_at=START,
                               ends_at=START + dt.timedelta(hours=1))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    token = action_link_create(person=world.client, action=A.RSVP_YES, obj=meeting)

    page = client.get(reverse("engagement:action-link", args=[token])).content.decode()

    assert f"<strong>Kick-off</strong><br>{expected}" in page
    assert "+05" not in page and "UTC" not in page


@pytest.mark.parametrize(("language", "expected"), [("en", "Wed 9 Dec, 10:00 Yekaterinburg"),
                                                    ("ru", "Ср 9 декабря, 10:00 Екатеринбург")])
def test_the_meeting_page_names_the_zone(world, client, language, expected):
    world.client.language, world.client.time_zone = language, "Asia/Yekaterinburg"
    world.client.save()
    meeting = f.MeetingFactory(project=world.project, title="Kick-off", starts_at=START,
                               ends_at=START + dt.timedelta(hours=1), time_zone="Asia/Yekaterinburg")
    f.AttendanceFactory(meeting=meeting, user=world.client)
    client.force_login(world.client)

    page = client.get(reverse("engagement:meeting", kwargs={"slug": world.project.slug, "pk": meeting.pk})).content.decode()

    assert expected in page
    assert "+05" not in page
