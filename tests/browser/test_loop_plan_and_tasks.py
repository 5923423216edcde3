"""The promised e-mails, followed the way people follow them: a plan sign-off request, a task assigned to a client
person, and a blocked report reaching the manager. Mail goes over real SMTP; links are opened in Chromium by a
person who is not signed in, who signs in where the portal asks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from engagement.models import CommunicationPlan
from projects.models import Membership, ProgressReport, Role, Task
from tests import factories as f
from tests.browser.conftest import PASSWORD, deliver, login
from tests.browser.mailbox import button_links, text_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "Send the shipment data export"
BLOCKER = "Waiting for the carrier's API keys"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _project():
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", time_zone="Europe/Berlin")
    acme = f.ClientFactory(name="Acme Logistics")
    lena = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme,
                               language="en", time_zone="Europe/Berlin")
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme tracking portal", slug="acme-tracking")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)
    Membership.objects.create(project=project, user=lena, role=Role.CLIENT_LEAD)
    return manager, lena, project


def _call_to_action(mail) -> str:
    """The e-mail's button: what its reader presses."""
    buttons = button_links(mail)
    assert len(buttons) == 1, f"one button expected: {buttons}"
    href = buttons[0][0]
    assert href in text_part(mail), f"{href} is in the HTML part but not in the text part"
    return href


def _follow_and_sign_in(new_page, href: str, user):
    """Open the link on a computer where `user` is not signed in; sign in on the log-in page it leads to."""
    page = new_page()
    page.goto(href)
    assert "/accounts/login/" in page.url, page.url
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    return page


def test_the_client_lead_signs_off_the_plan_from_the_request_email(page, new_page, live_server, mailbox):
    # given: a plan not signed off yet
    manager, lena, project = _project()
    plan = f.CommunicationPlanFactory(project=project)
    page.on("dialog", lambda dialog: dialog.accept())

    # when: the manager presses "Request client sign-off" on the plan page
    login(page, manager)
    page.goto(f"/projects/{project.slug}/plan/")
    with page.expect_navigation():
        page.get_by_role("button", name="Request client sign-off").click()
    assert "waiting for the client lead" in page.inner_text("#main")
    deliver()

    # then: the client lead gets one e-mail asking for it
    [mail] = mailbox.wait_for(lena.email)
    assert "Acme tracking portal" in mail["Subject"] + text_part(mail)

    # when: she follows it, signs in and signs the plan off
    client = _follow_and_sign_in(new_page, _call_to_action(mail), lena)
    assert client.url == f"{live_server.url}/projects/{project.slug}/plan/"
    client.check("#plan-signoff-confirm")
    client.click("#plan-signoff button[type=submit]")
    client.wait_for_selector("#plan-signoff .chip-done")

    # then: signed off, and the manager's plan page says so and waits for nobody
    plan = CommunicationPlan.objects.get(pk=plan.pk)
    assert (plan.signed_off_by, plan.signed_off_version) == (lena, plan.version)
    page.goto(f"/projects/{project.slug}/plan/")
    banner = page.locator(".signoff-banner").inner_text()
    assert "signed off by Lena Lead" in banner
    assert "waiting for the client lead" not in page.inner_text("#main")
    deliver()
    assert mailbox.per_person() == Counter({lena.email: 1})


def test_a_task_assigned_to_the_client_reaches_her_and_she_reports_from_it(page, new_page, mailbox):
    # given
    manager, lena, project = _project()

    # when: the manager creates a task for her in the portal
    login(page, manager)
    page.goto(f"/projects/{project.slug}/tasks/")
    page.click("details.create-panel > summary")
    page.fill("#task-create [name=title]", TASK)
    page.select_option("#task-create [name=owner]", str(lena.pk))
    page.fill("#task-create [name=due_date]", (timezone.localdate() + dt.timedelta(days=10)).isoformat())
    with page.expect_navigation():
        page.click("#task-create button[type=submit]")
    task = Task.objects.get(project=project, title=TASK)
    assert task.owner == lena
    deliver()

    # then: she gets one e-mail naming the task
    [mail] = mailbox.wait_for(lena.email)
    assert TASK in mail["Subject"] and TASK in text_part(mail)

    # when: she follows it, signs in and reports progress
    client = _follow_and_sign_in(new_page, _call_to_action(mail), lena)
    client.fill(f"#report-{task.pk}-percent", "30")
    client.fill(f"#report-{task.pk}-note", "Export script written; running it on Monday.")
    client.click("button:has-text('Send report')")
    client.wait_for_selector(".alert-success")

    # then: the report is stored, and an ordinary report e-mails nobody
    report = ProgressReport.objects.get(task=task)
    assert (report.author, report.percent, report.state) == (lena, 30, "on_track")
    deliver()
    assert mailbox.per_person() == Counter({lena.email: 1})


def test_a_blocked_report_reaches_the_manager_with_the_blocker(page, mailbox):
    # given: a task of hers
    manager, lena, project = _project()
    task = f.TaskFactory(project=project, owner=lena, title=TASK)

    # when: she reports it blocked, in the portal
    login(page, lena)
    page.goto(f"/projects/{project.slug}/tasks/{task.pk}/report/")
    page.fill(f"#report-{task.pk}-percent", "40")
    page.click(f"label[for='report-{task.pk}-blocked']")
    page.fill(f"#report-{task.pk}-blockers", BLOCKER)
    page.click("button:has-text('Send report')")
    page.wait_for_selector(".alert-success")
    assert ProgressReport.objects.get(task=task).state == "blocked"
    deliver()

    # then: the manager gets one e-mail naming the task and the blocker; nobody else gets anything
    [mail] = mailbox.wait_for(manager.email)
    assert TASK in mail["Subject"] + text_part(mail)
    assert BLOCKER in text_part(mail)
    assert mailbox.per_person() == Counter({manager.email: 1})
