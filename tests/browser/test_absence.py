"""A client lead declares an absence in her preferences; the nudge job sends what she owes to her backup at once,
saying until when she is away, and she gets none of it; the meeting page shows her away. Screenshots:
var/screenshots/absence-*.png (preferences and meeting page, 1280 and 375 px, en and ru)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from engagement.models import Absence, Attendance, Involvement
from engagement.services.nudges import nudges_send
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, deliver, login, screenshot
from tests.browser.mailbox import text_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _project():
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", time_zone="Europe/Moscow")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme, time_zone="Europe/Moscow")
    backup = f.ClientUserFactory(email="boris@acme.example", full_name="Boris Client", organisation=acme, time_zone="Europe/Moscow")
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    for user, role in ((manager, Role.MANAGER), (lead, Role.CLIENT_LEAD), (backup, Role.CLIENT)):
        Membership.objects.create(project=project, user=user, role=role)
    plan = f.CommunicationPlanFactory(project=project, client_response_hours=48)
    primary = f.StakeholderFactory(plan=plan, user=lead, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=backup, side="client", backup_for=primary)
    return project, manager, lead, backup


def _shots(page, name):
    screenshot(page, name)
    page.set_viewport_size(MOBILE)
    screenshot(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_absence_declared_in_preferences_sends_the_nudge_to_the_backup_at_once(page, live_server, mailbox, console_errors):
    project, manager, lead, backup = _project()
    today = timezone.localdate()
    f.DecisionFactory(project=project, title="Hosting provider", involvement=Involvement.CONSULTED, status="approved",
                      requested_at=timezone.now() - dt.timedelta(hours=3))  # well within the 48-hour target
    meeting = f.MeetingFactory(project=project, title="Weekly check-in", starts_at=timezone.now() + dt.timedelta(days=2),
                               ends_at=timezone.now() + dt.timedelta(days=2, hours=1))
    for person in (manager, lead, backup):
        Attendance.objects.create(meeting=meeting, user=person)

    login(page, lead)
    page.goto("/accounts/preferences/#away")
    assert "You have declared no absence." in page.inner_text("#away")

    # the last day before the first is refused with the reason, and what was typed stays
    page.fill("#id_absence-starts_on", (today + dt.timedelta(days=7)).isoformat())
    page.fill("#id_absence-ends_on", today.isoformat())
    page.fill("#id_absence-note", "Family holiday")
    with page.expect_navigation():
        page.click("#away button[type=submit]")
    assert "The last day cannot be before the first day." in page.inner_text("#away")
    assert page.input_value("#id_absence-note") == "Family holiday"
    assert not Absence.objects.exists()

    page.fill("#id_absence-starts_on", today.isoformat())
    page.fill("#id_absence-ends_on", (today + dt.timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.click("#away button[type=submit]")
    assert "Your absence is saved." in page.inner_text("#main")
    assert "Family holiday" in page.inner_text("#away")
    assert "Acme portal: Boris Client covers for you." in page.inner_text("#away")
    page.locator("#away").scroll_into_view_if_needed()
    _shots(page, "absence-preferences")
    assert axe_check(page) == []

    # the nudge job, run now: her backup hears at once (not after the 48-hour target), she hears nothing
    nudges_send(now=timezone.now())
    deliver()
    per_person = mailbox.per_person()
    assert per_person[backup.email] == 1 and per_person[manager.email] == 1
    assert per_person[lead.email] == 0
    cover = mailbox.messages(to=backup.email)[0]
    until = (today + dt.timedelta(days=7)).strftime("%-d %b %Y")
    assert f"Lena Lead is away until {until}, so it comes to you at once." in text_part(cover)
    assert "Hosting provider" in text_part(cover)

    # the meeting page shows her away, with the dates
    page.goto(f"/projects/acme-portal/meetings/{meeting.pk}/")
    assert "away" in page.inner_text(".attendance-list")
    _shots(page, "absence-meeting")

    # the same pages in Russian
    lead.language = "ru"
    lead.save()
    page.goto("/accounts/preferences/#away")
    assert "Отсутствие" in page.inner_text("#away")
    _shots(page, "absence-preferences-ru")
    page.goto(f"/projects/acme-portal/meetings/{meeting.pk}/")
    assert "нет на месте" in page.inner_text(".attendance-list")
    _shots(page, "absence-meeting-ru")
    assert [e for e in console_errors if "status of 400" not in e] == []  # the refused form answers 400
