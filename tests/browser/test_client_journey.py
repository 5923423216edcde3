"""The client's journey in Chromium at phone width: accept the invitation from the e-mail, see my work,
report progress (then the manager sees it), approve a decision, RSVP, download the .ics, sign off the plan,
switch to Russian. The database is checked at every step; screenshots go to var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from engagement.models import Attendance, DecisionResponse, Involvement
from portal.accounts.models import User
from portal.core.time import zone
from projects.models import Membership, ProgressReport, Role
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": MOBILE, "accept_downloads": True, "locale": "en-GB"}


def _shot(page, name: str) -> None:
    screenshot(page, f"client-{name}")


def _axe_clean(page) -> None:
    """No serious or critical axe violation; then reload, because axe leaves `style=""` on the elements it
    measured and htmx would copy that attribute onto swapped-in elements (a CSP violation of the test's making)."""
    assert axe_check(page) == []
    page.reload()


def _invitation_link(invitation, base_url: str, mailoutbox) -> str:
    """The link of the invitation e-mail actually sent (through the outbox); rebuilt on the live server's address."""
    from portal.outbox.models import OutboundMessage
    from portal.outbox.services import outbox_send

    for message in OutboundMessage.objects.filter(to_email=invitation.email, status="pending"):
        outbox_send(message_id=message.pk)
    [mail] = [m for m in mailoutbox if invitation.email in m.to]
    match = re.search(r"https?://[^\s\"<>]+(/invite/[^\s\"<>/]+/)", mail.body)
    assert match, mail.body
    return base_url + match.group(1)


def test_client_journey(page, browser, live_server, mailoutbox, console_errors):
    from projects.services.invitations import invitation_create

    base = live_server.url
    manager = f.StaffFactory(email="pm@example.com", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme", time_zone="Europe/Moscow")
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    Membership.objects.create(project=project, user=manager, role=Role.MANAGER)

    # -- the manager invites; the e-mail goes through the outbox (autocommit here: on_commit runs at once)
    invitation = invitation_create(actor=manager, project=project, email="lena@acme.example", role=Role.CLIENT_LEAD)
    link = _invitation_link(invitation, base, mailoutbox)

    # -- accept the invitation
    page.goto(link)
    page.fill("#id_full_name", "Lena Lead")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_time_zone", "Europe/Berlin")
    page.select_option("#id_language", "en")
    _shot(page, "01-invitation")
    assert axe_check(page) == []
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{base}/")
    lena = User.objects.get(email="lena@acme.example")
    assert lena.check_password(PASSWORD) and lena.time_zone == "Europe/Berlin"
    assert Membership.objects.get(project=project, user=lena).role == Role.CLIENT_LEAD

    # -- the team gives her work
    today = timezone.localdate(timezone=zone(lena.time_zone))  # "overdue" is by her calendar
    task = f.TaskFactory(
        project=project, owner=lena, title="Send the brand book", due_date=today - dt.timedelta(days=1)
    )
    f.TaskFactory(project=project, owner=manager, title="Build the header", due_date=today + dt.timedelta(days=3))
    decision = f.DecisionFactory(
        project=project,
        title="Approve the colour palette",
        context="Brand refresh",
        options="Blue or green",
        involvement=Involvement.APPROVAL,
        recorded_by=manager,
    )
    meeting = f.MeetingFactory(project=project, title="Weekly check-in", time_zone="Europe/Moscow")
    Attendance.objects.create(meeting=meeting, user=lena)
    plan = f.CommunicationPlanFactory(project=project, expectations="Reports every Friday.")

    # -- my work
    page.goto(f"{base}/")
    for text in ("Send the brand book", "overdue", "Approve the colour palette", "Weekly check-in", "Build the header"):
        assert page.get_by_text(text).first.is_visible(), text
    _shot(page, "02-my-work")
    assert axe_check(page) == []

    # -- report progress: the slider and the number stay in step
    page.click(f"a.work-action[href$='/tasks/{task.pk}/report/']")
    page.wait_for_url(f"**/tasks/{task.pk}/report/")
    page.fill(f"input[data-percent-sync='report-{task.pk}-percent']", "75")
    assert page.input_value(f"#report-{task.pk}-percent") == "75"
    page.click(f"label[for='report-{task.pk}-at_risk']")
    page.fill(f"#report-{task.pk}-note", "Waiting for the designer's files")
    _shot(page, "03-report")
    assert axe_check(page) == []
    page.click("button:has-text('Send report')")
    page.wait_for_selector(".alert-success")
    report = ProgressReport.objects.get(task=task)
    assert (report.author, report.percent, report.state) == (lena, 75, "at_risk")
    _shot(page, "04-report-saved")

    # -- answer the decision: context and options, then approve
    page.goto(f"{base}/")
    page.click(f"a.work-action[href$='/decisions/{decision.pk}/respond/']")
    assert page.get_by_text("Blue or green").is_visible()
    _shot(page, "05-decision")
    _axe_clean(page)
    page.click("button[value=objected]")  # no comment: refused in place, nothing stored
    page.wait_for_selector(f"#decision-respond-{decision.pk} .errorlist")
    assert "Say why you object" in page.inner_text(f"#decision-respond-{decision.pk}")
    assert not DecisionResponse.objects.filter(decision=decision).exists()
    page.click("button[value=approved]")
    page.wait_for_selector(f"#decision-respond-{decision.pk} .alert-success")
    answer = DecisionResponse.objects.get(decision=decision)
    assert (answer.user, answer.kind) == (lena, "approved")

    # -- RSVP in place (htmx) and the .ics
    page.goto(f"{base}/")
    page.click(f"#rsvp-{meeting.pk} button[value=yes]")
    page.wait_for_selector(f"#rsvp-{meeting.pk} button[value=yes][aria-pressed=true]")
    assert Attendance.objects.get(meeting=meeting, user=lena).rsvp == "yes"
    _shot(page, "06-rsvp")
    with page.expect_download() as download:
        page.click(f"#rsvp-{meeting.pk} a.btn-calendar")
    [event] = Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == str(meeting.uid) and str(event["SUMMARY"]) == "Weekly check-in"
    assert event.decoded("DTSTART") == meeting.starts_at

    # -- sign off the plan from its page
    page.goto(f"{base}{reverse('engagement:plan', args=[project.slug])}")
    page.check("#plan-signoff-confirm")
    page.click("#plan-signoff button[type=submit]")
    page.wait_for_selector("#plan-signoff .chip-done")
    plan.refresh_from_db()
    assert (plan.signed_off_by, plan.signed_off_version) == (lena, plan.version)
    _shot(page, "07-plan-signed")

    # -- the manager sees the report
    manager_page = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900}).new_page()
    login(manager_page, manager)
    manager_page.goto(f"{base}{reverse('projects:task', args=[project.slug, task.pk])}")
    assert manager_page.get_by_text("Waiting for the designer's files").first.is_visible()
    screenshot(manager_page, "client-08-manager-sees-report")
    manager_page.context.close()

    # -- the weekly digest, then its page in the archive
    from engagement.services.digests import digest_build, digest_slot

    now = timezone.now()
    lena.refresh_from_db()
    slot = digest_slot(now=now, time_zone=lena.time_zone, weekday=lena.digest_weekday, hour=lena.digest_hour)
    digest = digest_build(person=lena, slot=slot, now=now)
    page.goto(f"{base}{reverse('engagement:digests')}")
    page.click(f"a[href='{reverse('engagement:digest', args=[digest.pk])}']")
    assert page.get_by_text("Send the brand book").first.is_visible()
    _shot(page, "09-digest")
    assert axe_check(page) == []

    # -- preferences: Russian, at once
    page.goto(f"{base}{reverse('accounts:preferences')}")
    _shot(page, "10-preferences")
    assert axe_check(page) == []
    page.select_option("#id_language", "ru")
    page.click("form.rp-form button[type=submit].btn-primary")
    page.wait_for_url(f"**{reverse('accounts:preferences')}")
    assert page.get_attribute("html", "lang") == "ru"
    assert User.objects.get(pk=lena.pk).language == "ru"
    page.goto(f"{base}/")
    assert page.get_attribute("html", "lang") == "ru"
    _shot(page, "11-my-work-ru")

    # -- calendar address and digests pass axe too
    for name, url in (("12-calendar", reverse("accounts:calendar")), ("13-digests", reverse("engagement:digests"))):
        page.goto(f"{base}{url}")
        _shot(page, name)
        assert axe_check(page) == [], url
    # the one refused objection above answers 400 on purpose; nothing else may reach the console
    expected = ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    assert console_errors == expected, console_errors


def test_a_used_invitation_link_gets_a_clear_page(page, live_server):
    from projects.services.invitations import invitation_token

    manager = f.StaffFactory(email="pm@example.com", full_name="Anna Petrova")
    project = f.ProjectFactory(manager=manager, name="Acme portal")
    invitation = f.InvitationFactory(project=project, invited_by=manager, accepted_at=timezone.now())

    page.goto(reverse("accounts:invite-accept", args=[invitation_token(invitation)]))

    assert page.get_by_text("already been accepted").is_visible()
    assert page.get_by_text("Ask Anna Petrova for a new invitation").is_visible()
    screenshot(page, "client-00-invitation-used")
    assert axe_check(page) == []
