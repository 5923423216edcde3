"""A manager adds a one-off meeting and edits a weekly series; the edit is confirmed on a page that says which
meetings move and who gets updated invitations. Screenshots: var/screenshots/manager-meetings-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from engagement.models import Meeting, MeetingSeries
from engagement.services.series import series_create
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def test_manager_adds_a_one_off_meeting_and_moves_a_series(page, live_server, console_errors):
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", time_zone="Europe/Moscow")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=lead, role=Role.CLIENT_LEAD)
    first = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=7), dt.time(10, 0))
    series = series_create(
        actor=manager, project=project, title="Weekly check-in", rrule="FREQ=WEEKLY;BYDAY=TH",
        first_start_local=first, time_zone="Europe/Moscow", duration_minutes=30, attendees=[manager, lead],
    )

    login(page, manager)
    page.goto("/projects/acme-portal/meetings/")
    with page.expect_navigation():
        page.click("a[href$='/meetings/new/']")
    page.fill("#id_title", "Design review")
    page.fill("#id_date", (timezone.localdate() + dt.timedelta(days=2)).isoformat())
    page.fill("#id_time", "14:00")
    page.check(f"input[name=attendees][value='{lead.pk}']")
    screenshot(page, "manager-meetings-one-off-form")
    assert axe_check(page) == []
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    meeting = Meeting.objects.get(project=project, series__isnull=True)
    assert meeting.title == "Design review" and "Design review" in page.inner_text("#main")

    page.goto("/projects/acme-portal/meetings/")
    with page.expect_navigation():
        page.click(f"a[href$='/meetings/series/{series.pk}/edit/']")
    page.fill("#id_start_time", "11:30")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert "Lena Lead" in page.inner_text("[data-testid=series-recipients]")
    screenshot(page, "manager-meetings-series-confirm")
    assert axe_check(page) == []
    series.refresh_from_db()
    assert series.first_start.astimezone(dt.timezone(dt.timedelta(hours=3))).hour == 10
    with page.expect_navigation():
        page.click("[data-testid=series-confirm] button[type=submit]:not([name=edit])")
    series = MeetingSeries.objects.get(pk=series.pk)
    local = series.first_start.astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert (local.hour, local.minute) == (11, 30)
    assert console_errors == []
