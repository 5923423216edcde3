"""A form whose hidden `version` field was tampered with answers with a clear error on the page, keeps what was
typed and changes nothing (it used to be a server error: `int("abc")`)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from engagement.models import Meeting
from projects.models import Risk, Task
from tests import factories as f

MESSAGE = "This form was altered before it was sent"
MESSAGE_RU = "Форму изменили перед отправкой"


def _url(name, world, *args):
    return reverse(name, args=[world.project.slug, *args])


@pytest.mark.parametrize("version", ["abc", "1x", "-3", "9" * 40])
def test_a_risk_edit_with_a_malformed_version_shows_an_error_and_keeps_the_input(client, world, version):
    risk = f.RiskFactory(project=world.project, raised_by=world.manager, title="Late assets")
    client.force_login(world.manager)

    response = client.post(
        _url("projects:risk", world, risk.pk),
        {"title": "Late brand assets", "kind": "risk", "severity": "high", "status": "open", "version": version},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert 'value="Late brand assets"' in page
    risk.refresh_from_db()
    assert (risk.title, risk.version) == ("Late assets", 1)


def test_a_risk_edit_with_the_version_read_still_saves(client, world):
    risk = f.RiskFactory(project=world.project, raised_by=world.manager, title="Late assets")
    client.force_login(world.manager)
    page = client.get(_url("projects:risk", world, risk.pk)).content.decode()
    assert f'name="version" value="{risk.version}"' in page

    response = client.post(
        _url("projects:risk", world, risk.pk),
        {"title": "Late brand assets", "kind": "risk", "severity": "high", "status": "open", "version": risk.version},
    )

    assert response.status_code == 302
    assert Risk.objects.get(pk=risk.pk).title == "Late brand assets"


def test_a_stale_risk_version_is_still_a_conflict(client, world):
    risk = f.RiskFactory(project=world.project, raised_by=world.manager, title="Late assets")
    Risk.objects.filter(pk=risk.pk).update(version=5)
    client.force_login(world.manager)

    response = client.post(
        _url("projects:risk", world, risk.pk),
        {"title": "Late brand assets", "kind": "risk", "severity": "high", "status": "open", "version": 1},
    )

    assert response.status_code in (400, 409)
    assert Risk.objects.get(pk=risk.pk).title == "Late assets"


def test_a_task_edit_with_a_malformed_version_shows_an_error_and_keeps_the_input(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team, title="Upload logo")
    client.force_login(world.manager)

    response = client.post(
        _url("projects:task-edit", world, task.pk),
        {"title": "Upload the new logo", "priority": "normal", "report_cadence_days": 7, "version": "1x"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE in page
    assert 'value="Upload the new logo"' in page
    assert Task.objects.get(pk=task.pk).title == "Upload logo"


def test_a_task_edit_with_the_version_read_saves(client, world):
    task = f.TaskFactory(project=world.project, owner=world.team, title="Upload logo")
    client.force_login(world.manager)
    assert f'name="version" value="{task.version}"' in client.get(_url("projects:task-edit", world, task.pk)).content.decode()

    response = client.post(
        _url("projects:task-edit", world, task.pk),
        {"title": "Upload the new logo", "priority": "normal", "report_cadence_days": 7, "version": task.version},
    )

    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).title == "Upload the new logo"


def test_a_meeting_agenda_with_a_malformed_version_shows_an_error_in_the_readers_language(client, world):
    meeting = f.MeetingFactory(project=world.project, agenda="Old agenda")
    world.manager.language = "ru"
    world.manager.save(update_fields=["language"])
    client.force_login(world.manager)

    with translation.override("ru"):
        response = client.post(
            _url("engagement:meeting-agenda", world, meeting.pk), {"agenda": "1. New logo", "version": "1x"},
            HTTP_ACCEPT_LANGUAGE="ru",
        )

    assert response.status_code == 400
    page = response.content.decode()
    assert MESSAGE_RU in page
    assert "1. New logo" in page
    assert Meeting.objects.get(pk=meeting.pk).agenda == "Old agenda"


def test_a_meeting_agenda_with_the_version_read_saves(client, world):
    meeting = f.MeetingFactory(project=world.project, agenda="Old agenda")
    client.force_login(world.manager)
    page = client.get(_url("engagement:meeting", world, meeting.pk)).content.decode()
    assert f'name="version" value="{meeting.version}"' in page

    response = client.post(
        _url("engagement:meeting-agenda", world, meeting.pk), {"agenda": "1. New logo", "version": meeting.version}
    )

    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).agenda == "1. New logo"


def test_a_plan_edit_with_a_malformed_version_shows_the_error(client, world):
    f.CommunicationPlanFactory(project=world.project)
    client.force_login(world.manager)
    page = client.get(_url("engagement:plan-edit", world)).content.decode()
    assert 'name="expected_version"' in page

    response = client.post(_url("engagement:plan-edit", world), {"expected_version": "abc"})

    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
