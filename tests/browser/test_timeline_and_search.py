"""The timeline (a manager sets a milestone; a client sees the client-visible part, as a list on a phone) and the
header search (a word of a report note, Russian text, nothing internal for a client).
Screenshots: var/screenshots/timeline-*.png, search-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "INTERNAL-ONLY-51c2"


@pytest.fixture
def acme(db):
    today = timezone.localdate()
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    team = f.StaffFactory(email="dev@studio.example", full_name="Dmitri Ivanov")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    for user, role in ((manager, Role.MANAGER), (team, Role.TEAM), (lead, Role.CLIENT_LEAD)):
        Membership.objects.create(project=project, user=user, role=role)
    logos = f.TaskFactory(project=project, owner=lead, title="Send the logos", start_date=today - dt.timedelta(days=14),
                          due_date=today - dt.timedelta(days=2))
    f.ProgressReportFactory(task=logos, note="The designer is exporting the vector files")
    f.TaskFactory(project=project, owner=team, title="Согласовать договор поставки", description="Проект договора у юристов",
                  due_date=today + dt.timedelta(days=6))
    f.TaskFactory(project=project, owner=team, title=f"{SECRET} vector budget", internal=True,
                  due_date=today + dt.timedelta(days=3))
    f.MeetingFactory(project=project, title="Weekly check-in", agenda="Vector files")
    return manager, lead, project


def test_a_milestone_set_by_the_manager_shows_on_the_clients_timeline(page, new_page, acme):
    manager, lead, project = acme
    # given the manager sets a milestone that waits on a late task
    login(page, manager)
    page.goto(f"/projects/{project.slug}/timeline/")
    page.click("text=Add a milestone")
    page.fill("#id_name", "Beta for the sales team")
    page.fill("#id_date", (timezone.localdate() + dt.timedelta(days=10)).isoformat())
    page.select_option("#id_tasks", label="Send the logos")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert "Beta for the sales team" in page.inner_text(".timeline-milestones")
    assert "1 task it depends on is late: “Send the logos”." in page.inner_text(".timeline-milestones")
    assert page.locator("svg.timeline-chart .tl-milestone.tl-at_risk").count() == 1
    assert SECRET in page.text_content("svg.timeline-chart")
    screenshot(page, "timeline-manager")
    for zoom in ("Weeks", "Quarters"):
        page.click(f".timeline-scales >> text={zoom}")
        assert page.locator(".timeline-scales .active").inner_text() == zoom
    # when the client lead opens the timeline on a phone
    phone = new_page(width=MOBILE["width"], height=MOBILE["height"])
    login(phone, lead)
    phone.goto(f"/projects/{project.slug}/timeline/")
    # then they see the dated list with the milestone and why it slips, and nothing internal
    assert not phone.locator(".timeline-figure").is_visible()
    listed = phone.inner_text(".timeline-list")
    assert "Beta for the sales team" in listed and "Send the logos" in listed
    assert "is late" in listed
    assert SECRET not in phone.inner_text("body")
    assert "Add a milestone" not in phone.inner_text("body")
    assert phone.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"] + 1
    assert axe_check(phone) == []
    screenshot(phone, "timeline-client-phone")


def test_search_finds_a_report_note_and_russian_text_but_nothing_internal_for_a_client(page, acme):
    _manager, lead, _project = acme
    login(page, lead)
    # a word of a report note, from the header box
    page.fill("#header-search-q", "designer")
    with page.expect_navigation():
        page.press("#header-search-q", "Enter")
    hits = page.inner_text("#results-tasks")
    assert "Send the logos" in hits
    assert page.locator("#results-tasks mark").first.inner_text().lower() == "designer"
    screenshot(page, "search-report-note")
    # Russian text, another form of the word
    page.goto("/search/?q=договор")
    assert "Согласовать договор поставки" in page.inner_text("#results-tasks")
    screenshot(page, "search-russian")
    # the internal task shares a word with visible items: the client never sees it
    page.goto("/search/?q=vector")
    body = page.inner_text("body")
    assert SECRET not in body
    assert "Send the logos" in body and "Weekly check-in" in body
    page.goto("/search/?q=budget")
    assert "Nothing found" in page.inner_text("body")
    assert axe_check(page) == []
