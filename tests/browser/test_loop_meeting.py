"""The RSVP loop: a weekly meeting series with the client lead attending sends her one invitation (over real SMTP);
its calendar file says when the meeting is, its text says it in her time, and its "Yes" link, pressed in Chromium
with no session, shows on the manager's meeting page."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from engagement.models import Attendance, Meeting
from engagement.services.series import series_create
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import deliver, login
from tests.browser.mailbox import calendar_part, html_part, link_named, text_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _next_thursday(time_zone: str) -> dt.date:
    today = timezone.localdate(timezone=ZoneInfo(time_zone))
    return today + dt.timedelta(days=(3 - today.weekday()) % 7 or 7)


def test_the_client_answers_yes_from_the_invitation_and_the_manager_sees_it(page, new_page, mailbox):
    # given: a weekly series at 10:00 Moscow time; the client lead, in Berlin, attends
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", time_zone="Europe/Moscow")
    acme = f.ClientFactory(name="Acme Logistics")
    lena = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme,
                               language="en", time_zone="Europe/Berlin")
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme tracking portal", slug="acme-tracking")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=lena, role=Role.CLIENT_LEAD)

    # when: the manager schedules it and the outbox sends what it queued
    series = series_create(
        actor=manager, project=project, title="Weekly check-in", rrule="FREQ=WEEKLY;BYDAY=TH",
        first_start_local=dt.datetime.combine(_next_thursday("Europe/Moscow"), dt.time(10)),
        time_zone="Europe/Moscow", duration_minutes=45, attendees=[lena],
    )
    deliver()

    # then: one invitation for the series, to her only
    first = Meeting.objects.filter(series=series).order_by("starts_at").first()
    assert Meeting.objects.filter(series=series).count() >= 4  # occurrences exist for weeks ahead
    assert mailbox.per_person() == Counter({lena.email: 1})
    [mail] = mailbox.wait_for(lena.email)
    assert "Weekly check-in" in mail["Subject"]

    # then: its calendar file starts at the meeting's instant, and its text gives that instant in her zone
    [event] = Calendar.from_ical(calendar_part(mail)).walk("VEVENT")
    assert event.decoded("DTSTART") == first.starts_at
    berlin = first.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert berlin.strftime("%H:%M") in text_part(mail)

    # when: she opens the invitation with no session and answers Yes, then confirms
    client = new_page()
    client.set_content(html_part(mail))
    yes = link_named(mail, "Yes")
    with client.expect_navigation():
        client.get_by_role("link", name="Yes", exact=True).click()
    assert client.url == yes
    assert "Weekly check-in" in client.inner_text("#main")
    assert Attendance.objects.get(meeting=first, user=lena).rsvp == "none"  # opening the link only asks
    with client.expect_navigation():
        client.get_by_role("button", name="Confirm").click()

    # then: recorded, and the manager's meeting page shows her answer
    assert client.locator("h1").inner_text() == "Done, thank you"
    assert Attendance.objects.get(meeting=first, user=lena).rsvp == "yes"
    login(page, manager)
    page.goto(f"/projects/{project.slug}/meetings/{first.pk}/")
    assert "yes" in page.locator(".attendance-list li", has_text="Lena Lead").inner_text()
    deliver()
    assert mailbox.per_person() == Counter({lena.email: 1})  # answering sends nobody anything
