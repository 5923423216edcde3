"""Absences in the portal and the API: forms keep what was typed and answer 400, a manager only for the team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from engagement.models import Absence, QuietPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db


def _as(client, user):
    client.force_login(user)
    return client


def test_a_person_declares_and_removes_an_absence_in_preferences(client, world):
    _as(client, world.client)
    url = reverse("accounts:absence-add")
    response = client.post(url, {"absence-starts_on": "2027-01-04", "absence-ends_on": "2027-01-15", "absence-note": "Skiing"})
    assert response.status_code == 302
    absence = Absence.objects.get(user=world.client)
    assert (absence.starts_on, absence.ends_on, absence.note, absence.created_by) == (dt.date(2027, 1, 4), dt.date(2027, 1, 15), "Skiing", world.client)
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "Skiing" in page and "Away from" in page
    assert client.post(reverse("accounts:absence-remove", args=[absence.pk])).status_code == 302
    assert not Absence.objects.exists()


def test_a_refused_absence_answers_400_and_keeps_what_was_typed(client, world):
    _as(client, world.client)
    f.AbsenceFactory(user=world.client, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 1, 10))
    response = client.post(reverse("accounts:absence-add"), {"absence-starts_on": "2027-01-08", "absence-ends_on": "2027-01-20", "absence-note": "Again"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This overlaps the absence from 2027-01-01 to 2027-01-10." in page
    assert 'value="Again"' in page and 'value="2027-01-20"' in page
    response = client.post(reverse("accounts:absence-add"), {"absence-starts_on": "2027-03-08", "absence-ends_on": "2027-03-01"},
                           HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400
    assert Absence.objects.count() == 1


def test_the_russian_page_says_away_in_russian(client, world):
    world.client.language = "ru"
    world.client.save()
    _as(client, world.client)
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("accounts:preferences")).content.decode()
    assert "Отсутствие" in page


def test_nobody_removes_anothers_absence_from_preferences(client, world):
    absence = f.AbsenceFactory(user=world.client)
    _as(client, world.client_lead)
    assert client.post(reverse("accounts:absence-remove", args=[absence.pk])).status_code == 404
    _as(client, world.manager)  # the manager removes it on the team page, not as if it were theirs
    assert client.post(reverse("accounts:absence-remove", args=[absence.pk])).status_code == 404
    assert Absence.objects.filter(pk=absence.pk).exists()


def test_the_manager_enters_an_absence_and_a_quiet_period_for_the_project(client, world):
    _as(client, world.manager)
    url = reverse("engagement:absences", args=[world.project.slug])
    assert client.get(url).status_code == 200
    response = client.post(url, {"absence-person": world.client.pk, "absence-starts_on": "2027-02-01", "absence-ends_on": "2027-02-03"})
    assert response.status_code == 302
    assert Absence.objects.get().user == world.client
    response = client.post(url, {"absence-person": world.other_client.pk, "absence-starts_on": "2027-02-01", "absence-ends_on": "2027-02-03"})
    assert response.status_code == 400  # not a member of this project: not in the choice
    response = client.post(reverse("engagement:quiet-period-add", args=[world.project.slug]),
                           {"quiet-starts_on": "2026-12-28", "quiet-ends_on": "2027-01-08", "quiet-reason": "Holidays"})
    assert response.status_code == 302
    assert QuietPeriod.objects.get().reason == "Holidays"
    assert "Holidays" in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["team", "client_lead", "client"])
def test_other_members_may_not_use_the_team_page(client, world, persona):
    _as(client, getattr(world, persona))
    url = reverse("engagement:absences", args=[world.project.slug])
    assert client.get(url).status_code == 403
    client.post(url, {"absence-person": world.client.pk, "absence-starts_on": "2027-02-01", "absence-ends_on": "2027-02-03"})
    assert not Absence.objects.exists()


def test_the_meeting_page_shows_an_attendee_away_with_the_dates(client, world):
    starts = dt.datetime(2027, 2, 2, 10, 0, tzinfo=dt.UTC)
    meeting = f.MeetingFactory(project=world.project, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.client_lead)
    f.AbsenceFactory(user=world.client, starts_on=dt.date(2027, 2, 1), ends_on=dt.date(2027, 2, 5))
    f.AbsenceFactory(user=world.client_lead, starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 5))
    _as(client, world.manager)
    page = client.get(reverse("engagement:meeting", args=[world.project.slug, meeting.pk])).content.decode()
    assert page.count("away-note") == 1
    assert "away 1 Feb 2027–5 Feb 2027" in page


# --- the API --------------------------------------------------------------------------------------------------


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_refuses_with_field_errors_and_keeps_nothing(world):
    api = _api(world.client)
    url = reverse("api:me-absence-list")
    assert api.post(url, {"starts_on": "2027-01-04", "ends_on": "2027-01-15"}, format="json").status_code == 201
    response = api.post(url, {"starts_on": "2027-01-10", "ends_on": "2027-01-12"}, format="json")
    assert response.status_code == 400
    assert "starts_on" in str(response.json())
    response = api.post(url, {"starts_on": "2027-02-10", "ends_on": "2027-02-01"}, format="json")
    assert response.status_code == 400 and "ends_on" in str(response.json())
    response = api.post(url, {"starts_on": "soon"}, format="json")
    assert response.status_code == 400 and "ends_on" in str(response.json())
    assert [a["starts_on"] for a in api.get(url).json()["results"]] == ["2027-01-04"]


def test_api_manager_only_for_a_member_of_the_project(world):
    api = _api(world.manager)
    url = reverse("api:project-absence-list", args=[world.project.slug])
    response = api.post(url, {"person": world.other_client.pk, "starts_on": "2027-01-04", "ends_on": "2027-01-05"}, format="json")
    assert response.status_code == 400 and "person" in str(response.json())
    response = api.post(url, {"person": world.client.pk, "starts_on": "2027-01-04", "ends_on": "2027-01-05"}, format="json")
    assert response.status_code == 201
    assert [a["person"] for a in api.get(url).json()["results"]] == [world.client.pk]
    # another company's manager sees none of it
    other = _api(world.other_client)
    assert other.get(url).status_code == 404
    assert other.get(reverse("api:quiet-period-list", args=[world.project.slug])).status_code == 404
