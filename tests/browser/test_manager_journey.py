"""The manager's journey in Chromium: create a project for a client, write the plan with primary and backup
contacts, invite a client person, schedule a weekly series, assign a task to the client, record a decision that
needs approval, cancel one meeting with a reason, close a meeting with minutes and an outcome that becomes a task.

The page and the database are checked at each step; screenshots go to var/screenshots/manager-<lang>-*.png;
axe-core must report no serious or critical violation on the dashboard, every tab and the forms.
The journey runs in every language with a compiled catalogue (English always; Russian once `locale/ru` is
compiled) and, outside English, checks that none of the English source strings below are left on the pages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from engagement.models import Decision, Meeting, MeetingSeries, Stakeholder
from portal.outbox.models import OutboundMessage
from projects.models import Invitation, Project, Task
from projects.services.invitations import invitation_accept, invitation_token
from tests import factories as f
from tests.browser.conftest import axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["en"] + (["ru"] if (ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.mo").exists() else [])

# English source strings that must not survive on a translated page (the Russian run checks them).
ENGLISH_SOURCES = [
    "This week needs you",
    "New project",
    "Overview",
    "Decisions",
    "Meetings",
    "Communication plan",
    "Add a stakeholder",
    "Invite someone",
    "Pending invitations",
    "New meeting series",
    "Consistency, last 12 weeks",
    "Record a decision",
    "Close the meeting",
    "Cancel this meeting",
    "Report history",
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


class Journey:
    def __init__(self, page, lang):
        self.page, self.lang = page, lang
        self.dialogs: list[str] = []
        page.on("dialog", self._accept)

    def _accept(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.accept()

    def check(self, name: str) -> None:
        """Screenshot, axe-core, and (outside English) no English source string on the page."""
        screenshot(self.page, f"manager-{self.lang}-{name}")
        violations = axe_check(self.page)
        assert violations == [], f"{name}: {violations}"
        if self.lang != "en":
            text = self.page.inner_text("body")
            leftovers = [s for s in ENGLISH_SOURCES if s in text]
            assert leftovers == [], f"{name}: untranslated {leftovers}"

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_manager_journey(page, live_server, lang, console_errors):
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", language=lang, time_zone="Europe/Moscow")
    acme = f.ClientFactory(name="Acme Logistics")
    page.context.add_cookies([{"name": "rapport_language", "value": lang, "url": live_server.url}])
    j = Journey(page, lang)

    # 1. log in: the dashboard
    login(page, manager)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.is_visible()
    j.check("01-dashboard-empty")

    # 2. create a project for the client
    j.goto("/projects/new/")
    j.check("02-project-form")
    page.select_option("#id_client", str(acme.pk))
    page.fill("#id_name", "Acme tracking portal")
    page.fill("#id_target_launch", (timezone.localdate() + dt.timedelta(days=143)).isoformat())
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    project = Project.objects.get(name="Acme tracking portal")
    assert project.client == acme and project.manager == manager
    assert page.url.endswith(f"/projects/{project.slug}/")
    assert "Acme tracking portal" in page.inner_text("h1")
    j.check("03-overview")
    slug = project.slug

    # 3. the plan: expectations, cadence, primary and backup on the client side, primary on ours
    j.goto(f"/projects/{slug}/plan/edit/")
    j.check("04-plan-form")
    page.fill("#id_expectations", "A status report every Friday; a weekly check-in on Thursdays.")
    page.fill("#id_escalation_path", "Anna Petrova, then the account director.")
    page.select_option("#id_digest_weekday", "4")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert "status report every Friday" in page.inner_text("#main")

    def add_stakeholder(**fields):
        j.goto(f"/projects/{slug}/plan/")
        page.click("details.create-panel > summary")
        form = page.locator("details.create-panel form")
        for name, value in fields.items():
            if name in ("user", "side", "backup_for", "raci", "channel"):
                form.locator(f"[name={name}]").select_option(value)
            elif name == "is_primary":
                form.locator("[name=is_primary]").check()
            else:
                form.locator(f"[name={name}]").fill(value)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()

    add_stakeholder(user=str(manager.pk), responsibility="Delivery", raci="A", is_primary="on")
    add_stakeholder(external_name="Carla Ortiz", external_email="carla@acme.example", side="client", responsibility="Sponsor", raci="A", is_primary="on")
    carla = Stakeholder.objects.get(external_name="Carla Ortiz")
    add_stakeholder(external_name="Ben Okafor", external_email="ben@acme.example", side="client", responsibility="Product owner", raci="R", backup_for=str(carla.pk))
    plan = project.plan
    assert plan.stakeholders.filter(side="client", is_primary=True).get() == carla
    assert Stakeholder.objects.get(external_name="Ben Okafor").backup_for == carla
    assert plan.stakeholders.filter(side="team", is_primary=True, user=manager).exists()
    assert "Ben Okafor" in page.inner_text("#main")
    j.check("05-plan")

    # 4. invite a client person
    j.goto(f"/projects/{slug}/people/")
    j.check("06-people")
    page.fill("#id_email", "lena@acme.example")
    page.select_option("#id_role", "client_lead")
    with page.expect_navigation():
        page.click("#invite-title ~ form button[type=submit]")
    invitation = Invitation.objects.get(project=project, email="lena@acme.example")
    assert invitation.role == "client_lead" and invitation.invited_by == manager
    assert "lena@acme.example" in page.inner_text("#main")
    assert OutboundMessage.objects.filter(to_email="lena@acme.example").exists()
    lena = invitation_accept(token=invitation_token(invitation), full_name="Lena Lead", password="a-long-unusual-passphrase", time_zone="Europe/Berlin")

    # 5. a weekly meeting series
    j.goto(f"/projects/{slug}/meetings/")
    j.check("07-meetings-empty")
    page.click(f"a[href='/projects/{slug}/meetings/series/new/']")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-pattern=monthly]").is_hidden()
    j.check("08-series-form")
    page.fill("#id_title", "Weekly check-in")
    page.check("input[name=weekdays][value=TH]")
    page.fill("#id_first_date", (timezone.localdate() + dt.timedelta(days=2)).isoformat())
    page.fill("#id_start_time", "10:00")
    page.select_option("#id_time_zone", "Europe/Moscow")
    page.check(f"input[name=attendees][value='{manager.pk}']")
    page.check(f"input[name=attendees][value='{lena.pk}']")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    series = MeetingSeries.objects.get(project=project)
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TH" and series.time_zone == "Europe/Moscow"
    assert Meeting.objects.filter(series=series, status="scheduled").count() >= 4
    assert "Weekly check-in" in page.inner_text("#main")
    j.check("09-meetings")

    # 6. a task for the client, created inline
    j.goto(f"/projects/{slug}/tasks/")
    page.click("details.create-panel > summary")
    j.check("10-task-form")
    page.fill("#task-create [name=title]", "Send the shipment data export")
    page.select_option("#task-create [name=owner]", str(lena.pk))
    page.fill("#task-create [name=due_date]", (timezone.localdate() + dt.timedelta(days=10)).isoformat())
    with page.expect_navigation():
        page.click("#task-create button[type=submit]")
    task = Task.objects.get(project=project, title="Send the shipment data export")
    assert task.owner == lena and task.side == "client"
    assert "Send the shipment data export" in page.inner_text("#main")
    j.check("11-tasks")

    # 7. a decision that needs the client's approval; the confirmation names who is asked
    mails_before = OutboundMessage.objects.filter(to_email="lena@acme.example").count()
    j.goto(f"/projects/{slug}/decisions/new/")
    j.check("12-decision-form")
    assert "Lena Lead" in page.inner_text("[data-testid=who-is-asked]")
    page.fill("#id_title", "Launch the tracking page before the app")
    page.fill("#id_context", "The app needs store review; the page does not.")
    page.fill("#id_decision", "Ship the web page first.")
    page.select_option("#id_impact", "high")
    page.check("input[name=involvement][value=approval]")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    assert "Lena Lead" in page.inner_text("[data-testid=decision-recipients]")
    assert not Decision.objects.filter(project=project).exists()
    j.check("12b-decision-confirm")
    with page.expect_navigation():
        page.click("[data-testid=decision-confirm] button[type=submit]:not([name=edit])")
    decision = Decision.objects.get(project=project)
    assert decision.status == "proposed" and decision.involvement == "approval" and decision.requested_at
    assert OutboundMessage.objects.filter(to_email="lena@acme.example").count() > mails_before
    j.check("13-decision")
    j.goto(f"/projects/{slug}/decisions/")
    j.check("14-decisions")

    # 8. cancel one meeting with a reason; the confirmation says who is e-mailed
    first = Meeting.objects.filter(series=series, status="scheduled").order_by("starts_at").first()
    j.goto(f"/projects/{slug}/meetings/{first.pk}/")
    page.click("details.danger-zone > summary")
    assert "Lena Lead" in page.inner_text("[data-testid=cancel-recipients]")
    j.check("15-meeting")
    page.fill("details.danger-zone [name=reason]", "Client team at an offsite")
    j.dialogs.clear()
    mails_before = OutboundMessage.objects.filter(to_email="lena@acme.example").count()
    with page.expect_navigation():
        page.click("details.danger-zone button[type=submit]")
    first.refresh_from_db()
    assert OutboundMessage.objects.filter(to_email="lena@acme.example").count() > mails_before
    assert first.status == "cancelled" and first.cancel_reason == "Client team at an offsite"
    assert j.dialogs and "2" in j.dialogs[0]
    assert "Client team at an offsite" in page.inner_text("#main")

    # 9. close a meeting that took place, with minutes and an outcome that becomes a task
    start = timezone.now() - dt.timedelta(hours=3)
    held = f.MeetingFactory(project=project, title="Kick-off", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    f.AttendanceFactory(meeting=held, user=manager)
    f.AttendanceFactory(meeting=held, user=lena)
    j.goto(f"/projects/{slug}/meetings/{held.pk}/")
    j.check("16-meeting-close-form")
    page.fill("#id_minutes", "Agreed scope and the launch order.")
    page.select_option("#id_outcome-0-kind", "task")
    page.fill("#id_outcome-0-title", "Share the carrier API keys")
    page.select_option("#id_outcome-0-owner", str(lena.pk))
    with page.expect_navigation():
        page.click("#close-title ~ form button[type=submit]")
    held.refresh_from_db()
    assert held.status == "held" and held.minutes == "Agreed scope and the launch order."
    outcome = Task.objects.get(title="Share the carrier API keys")
    assert outcome.owner == lena and held.outcome_tasks.filter(pk=outcome.pk).exists()
    assert "Share the carrier API keys" in page.inner_text("#main")
    j.check("17-meeting-held")

    # the remaining tabs and the dashboard, now with data
    j.goto(f"/projects/{slug}/")
    page.wait_for_selector("#next-meeting-title")
    j.check("18-overview-full")
    for tab in ("risks", "activity", "plan/print"):
        j.goto(f"/projects/{slug}/{tab}/")
        j.check(f"19-{tab.replace('/', '-')}")
    j.goto(f"/projects/{slug}/tasks/?view=board")
    j.check("20-board")
    j.goto(f"/projects/{slug}/tasks/{outcome.pk}/")
    j.check("21-task")
    j.goto("/")
    assert "Acme tracking portal" in page.inner_text("#main")
    j.check("22-dashboard")
    page.set_viewport_size({"width": 375, "height": 812})
    j.goto("/")
    screenshot(page, f"manager-{lang}-23-dashboard-375")
    j.goto(f"/projects/{slug}/meetings/")
    screenshot(page, f"manager-{lang}-24-meetings-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert [e for e in console_errors if "Content Security Policy" in e or "Refused" in e] == []
