"""Series that end, through the API: the response and the database."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from engagement.models import MeetingSeries, MeetingStatus


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def _create(client, world, **extra):
    first = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0, second=0, minute=0)
    data = {
        "title": "Weekly check-in", "rrule": "FREQ=WEEKLY", "time_zone": "UTC",
        "first_start_local": first.strftime("%Y-%m-%dT%H:%M:%S"), "attendees": [world.manager.pk, world.client.pk],
    }
    data.update(extra)
    return client.post(url("series-list", slug="acme-portal"), data, format="json")


def test_a_series_ending_after_n_meetings_is_created_and_read_back(api, world):
    response = _create(api.as_(world.manager), world, end_count=3)

    assert response.status_code == 201
    assert (response.json()["end_count"], response.json()["end_date"]) == (3, None)
    series = MeetingSeries.objects.get(pk=response.json()["id"])
    assert series.rrule == "FREQ=WEEKLY;COUNT=3" and series.meetings.count() == 3


def test_changing_the_end_through_the_api_cancels_what_lies_beyond(api, world):
    client = api.as_(world.manager)
    series = MeetingSeries.objects.get(pk=_create(client, world).json()["id"])
    second = series.meetings.order_by("starts_at")[1]

    response = client.patch(
        url("series-detail", slug="acme-portal", pk=series.pk), {"end_date": second.starts_at.date().isoformat()}, format="json"
    )

    assert response.status_code == 200 and response.json()["end_date"] == second.starts_at.date().isoformat()
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 2
    # and null takes the end away again
    response = client.patch(url("series-detail", slug="acme-portal", pk=series.pk), {"end_date": None}, format="json")
    assert response.status_code == 200 and response.json()["end_date"] is None
    series.refresh_from_db()
    assert "UNTIL" not in series.rrule


def test_bad_ends_are_field_errors_and_create_nothing(api, world):
    client = api.as_(world.manager)
    past = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
    cases = [({"end_count": 0}, "end_count"), ({"end_date": past}, "end_date"),
             ({"end_date": "2099-01-01", "end_count": 3}, "end_count")]
    for extra, field in cases:
        response = _create(client, world, **extra)
        assert response.status_code == 400, extra
        assert field in response.json()["fields"], response.json()
    assert not MeetingSeries.objects.exists()
