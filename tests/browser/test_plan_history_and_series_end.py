"""Two journeys: a manager schedules a meeting series that ends after N meetings (each attendee gets one invitation
whose rule stops there), and a client lead reads what changed in the plan since she signed it, then compares any
two versions. Screenshots: var/screenshots/series-ends-*.png and plan-history-*.png (1280 and 375 px, en and ru)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from engagement.models import MeetingSeries, MeetingStatus
from engagement.services.plan import plan_get_or_create, plan_sign_off, plan_update, stakeholder_add, stakeholder_update
from projects.models import Membership, Role, TaskSide
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, deliver, login, screenshot
from tests.browser.mailbox import calendar_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _project():
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", time_zone="Europe/Moscow")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme,
                               time_zone="Europe/Moscow")
    contact = f.ClientUserFactory(email="boris@acme.example", full_name="Boris Client", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    for user, role in ((manager, Role.MANAGER), (lead, Role.CLIENT_LEAD), (contact, Role.CLIENT)):
        Membership.objects.create(project=project, user=user, role=role)
    return project, manager, lead, contact


def test_a_series_that_ends_after_four_meetings(page, live_server, mailbox, console_errors):
    project, manager, lead, _contact = _project()
    login(page, manager)
    page.goto("/projects/acme-portal/meetings/series/new/")

    # the end fields appear with the choice that needs them
    assert not page.is_visible("#id_end_count") and not page.is_visible("#id_end_date")
    page.fill("#id_title", "Design sprint check-in")
    page.fill("#id_first_date", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.check("input[name=weekdays][value=MO]")
    page.check("input[name=weekdays][value=TH]")
    page.check(f"input[name=attendees][value='{manager.pk}']")
    page.check(f"input[name=attendees][value='{lead.pk}']")
    page.check("input[name=ends][value=after]")
    assert page.is_visible("#id_end_count") and not page.is_visible("#id_end_date")

    # a number below one is refused with the reason, and what was typed stays
    page.fill("#id_end_count", "0")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert "greater than or equal to 1" in page.inner_text("#main")
    assert page.input_value("#id_title") == "Design sprint check-in"
    assert not MeetingSeries.objects.exists()

    page.fill("#id_end_count", "4")
    screenshot(page, "series-ends-form")
    assert axe_check(page) == []
    with page.expect_navigation():
        page.click("#main form button[type=submit]")

    series = MeetingSeries.objects.get(project=project)
    assert series.rrule.endswith("COUNT=4")
    assert series.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 4
    assert "4 times" in page.inner_text("#main")
    screenshot(page, "series-ends-meetings")
    page.set_viewport_size(MOBILE)
    screenshot(page, "series-ends-meetings-375")

    # one invitation each, whose rule stops after four meetings
    deliver()
    assert mailbox.per_person() == {manager.email: 1, lead.email: 1}
    [invitation] = mailbox.messages(to=lead.email)
    [event] = Calendar.from_ical(calendar_part(invitation)).walk("VEVENT")
    assert event["RRULE"]["COUNT"] == [4]
    # the refused form answered 400, as a refused form does; nothing else went wrong
    assert [e for e in console_errors if "status of 400" not in e] == []


def _history(project, manager, lead, contact):
    plan = plan_get_or_create(project=project)
    primary = stakeholder_add(actor=manager, plan=plan, side=TaskSide.CLIENT, user=lead, is_primary=True,
                              responsibility="Approves scope", raci="A")
    plan = plan_update(actor=manager, project=project, client_response_hours=48, status_update_cadence_days=7,
                       escalation_path="Anna Petrova, then the studio director")
    plan_sign_off(actor=lead, plan=plan, version=plan.version)
    stakeholder_update(actor=manager, stakeholder=primary, responsibility="Approves scope and budget", channel="phone")
    stakeholder_add(actor=manager, plan=plan, side=TaskSide.CLIENT, user=contact, backup_for=primary, raci="R")
    return plan_update(actor=manager, project=project, client_response_hours=24, channels="Slack for quick questions")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_client_lead_reads_what_changed_in_the_plan(page, live_server, console_errors, language):
    project, manager, lead, contact = _project()
    lead.language = language
    lead.save(update_fields=["language"])
    plan = _history(project, manager, lead, contact)
    words = {
        "en": ("What changed since version 3", "Contacts", "48 hours", "24 hours", "What changed from version 1 to version 2"),
        "ru": ("Что изменилось с версии 3", "Контакты", "48 часов", "24 часа", "Что изменилось от версии 1 к версии 2"),
    }[language]

    login(page, lead)
    page.goto("/projects/acme-portal/plan/")
    page.click("[data-testid=changed-since-sign-off] summary")
    banner = page.inner_text("[data-testid=changed-since-sign-off]")
    assert words[0] in banner and words[2] in banner and words[3] in banner
    screenshot(page, f"plan-history-banner-{language}")

    with page.expect_navigation():
        page.click("a[href$='/plan/versions/']")
    diff = page.inner_text("[data-testid=plan-diff]")
    assert words[1] in diff and "Boris Client" in diff and "Slack for quick questions" in diff
    assert "Lena Lead" in page.inner_text(f"[data-testid=plan-version-{plan.version - 3}]")
    assert axe_check(page) == []
    screenshot(page, f"plan-history-diff-{language}")

    page.select_option("#id_from", "1")
    page.select_option("#id_to", "2")
    with page.expect_navigation():
        page.click("[data-testid=plan-compare] button[type=submit]")
    assert words[4] in page.inner_text("#main")
    page.set_viewport_size(MOBILE)
    page.goto(f"/projects/acme-portal/plan/versions/?from=3&to={plan.version}")
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, f"plan-history-diff-375-{language}")
    assert console_errors == []
