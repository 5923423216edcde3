"""The report-progress page: GET shows form and history; POST stores one report or refuses with the input kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import ProgressReport, TaskStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _url(task):
    return reverse("projects:task-report", args=[task.project.slug, task.pk])


def _post(client, target, **overrides):
    data = {"task": target.pk, "percent": 60, "state": "on_track", "note": "Going well", "blockers": ""}
    data.update(overrides)
    return client.post(_url(target), data)


def test_get_shows_form_and_history(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Send the brand book")
    f.ProgressReportFactory(task=task, author=world.client, percent=30, note="Half of the logos found")
    client.force_login(world.client)

    response = client.get(_url(task))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Send the brand book" in body
    assert "Half of the logos found" in body
    assert 'name="percent"' in body and 'type="range"' in body
    assert body.count('name="state"') == 4


def test_post_stores_the_report_and_moves_the_task(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)

    response = _post(client, task, percent=60, state="at_risk", note="Waiting for legal")

    assert response.status_code == 302 and response["Location"] == _url(task)  # back to the report page
    assert "is saved" in client.get(response["Location"]).content.decode()
    report = ProgressReport.objects.get(task=task)
    assert (report.author, report.percent, report.state, report.note) == (
        world.client,
        60,
        "at_risk",
        "Waiting for legal",
    )
    task.refresh_from_db()
    assert task.last_percent == 60 and task.last_state == "at_risk" and task.status == TaskStatus.IN_PROGRESS


def test_htmx_post_answers_with_the_partial(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)

    response = client.post(_url(task), {"task": task.pk, "percent": 100, "state": "done"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and f'id="report-box-{task.pk}"' in body
    assert "your report is saved" in body
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"percent": 140}, "between 0 and 100"),
        ({"percent": -5}, "between 0 and 100"),
        ({"percent": ""}, "how far along"),
        ({"state": ""}, "Pick a state"),
        ({"state": "sleeping"}, "Select a valid choice"),
        ({"state": "blocked", "blockers": ""}, "what blocks you"),
    ],
)
def test_bad_input_is_refused_with_the_input_kept(client, world, overrides, message):
    task = f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)

    response = _post(client, task, note="Keep this note", **overrides)

    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "Keep this note" in body
    assert not ProgressReport.objects.filter(task=task).exists()


def test_a_foreign_task_id_in_the_form_is_refused(client, world):
    mine = f.TaskFactory(project=world.project, owner=world.client)
    foreign = f.TaskFactory(project=world.other_project, owner=world.other_client)
    client.force_login(world.client)

    response = _post(client, mine, task=foreign.pk, note="Typed with care")

    assert response.status_code == 400
    assert "This form was for another task" in response.content.decode()
    assert "Typed with care" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_client_cannot_report_on_a_colleagues_task(client, world):
    colleague = f.ClientUserFactory(organisation=world.client.organisation)
    f.MembershipFactory(project=world.project, user=colleague, role="client")
    task = f.TaskFactory(project=world.project, owner=colleague)
    client.force_login(world.client)

    response = _post(client, task, note="Not mine")

    assert response.status_code == 403
    assert "Not mine" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_client_lead_reports_on_any_task_of_their_company(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client_lead)

    response = _post(client, task, percent=80)

    assert response.status_code == 302
    assert ProgressReport.objects.get(task=task).author == world.client_lead


def test_a_done_task_takes_no_more_reports(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client, status=TaskStatus.DONE)
    client.force_login(world.client)

    response = _post(client, task)

    assert response.status_code == 400
    assert "takes no more reports" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_internal_task_and_other_project_are_404(client, world):
    internal = f.TaskFactory(project=world.project, owner=world.team, internal=True)
    foreign = f.TaskFactory(project=world.other_project, owner=world.other_client)
    client.force_login(world.client)

    assert client.get(_url(internal)).status_code == 404
    assert _post(client, internal).status_code == 404
    assert client.get(_url(foreign)).status_code == 404
    # the slug of one project with the task of another
    assert client.get(reverse("projects:task-report", args=[world.project.slug, foreign.pk])).status_code == 404
    assert not ProgressReport.objects.exists()


def test_anonymous_is_sent_to_log_in_and_back(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)

    response = client.get(_url(task))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_report_page_queries_do_not_grow_with_history(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    task = f.TaskFactory(project=world.project, owner=world.client)
    client.force_login(world.client)
    counts = []
    for n in (2, 30):
        for _ in range(n - ProgressReport.objects.filter(task=task).count()):
            f.ProgressReportFactory(task=task, author=world.client)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_url(task)).status_code == 200
        counts.append(len(ctx.captured_queries))

    assert counts[0] == counts[1]


def test_the_link_in_an_e_mail_leads_through_log_in_back_to_the_form(client, world):
    task = f.TaskFactory(project=world.project, owner=world.client)

    to_login = client.get(_url(task))
    logged_in = client.post(
        reverse("login"), {"username": world.client.email, "password": "correct-horse-battery", "next": _url(task)}
    )

    assert to_login["Location"] == f"{reverse('login')}?next={_url(task)}"
    assert logged_in.status_code == 302 and logged_in["Location"] == _url(task)
    assert 'name="percent"' in client.get(_url(task)).content.decode()


def test_the_history_dates_reports_as_the_task_page_does(client, world):
    import datetime as dt

    from django.utils import timezone

    task = f.TaskFactory(project=world.project, owner=world.client)
    f.ProgressReportFactory(task=task, author=world.client, created_at=timezone.now())
    f.ProgressReportFactory(task=task, author=world.client, created_at=timezone.now() - dt.timedelta(days=4, hours=22))
    client.force_login(world.client)

    body = client.get(_url(task)).content.decode()

    assert "just now" in body and "4 days ago" in body
    assert "minutes ago" not in body and "22 hours" not in body  # not Django's "4 days, 22 hours"
