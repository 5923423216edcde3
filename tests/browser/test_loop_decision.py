"""The approval loop as people live it: the manager asks for an approval in the portal, the client lead reads the
e-mail (received over real SMTP), presses its Approve button in Chromium with no session, confirms, and from then
on the decision is approved everywhere: the client's pages, the manager's log, the next digest, and no nudge or
escalation about it to her or her backup.

Screenshots of the e-mail, the confirm page and the result page, in English and Russian at 1280 px and 375 px,
go to var/screenshots/e2e/.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from engagement.models import Decision, DecisionResponse, Digest
from engagement.models.decisions import DecisionStatus, ResponseKind
from engagement.services.digests import digest_build, digest_slot
from engagement.services.nudges import nudges_send
from portal.accounts.models import User
from portal.core.time import zone
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, deliver, login
from tests.browser.mailbox import button_links, html_links, html_part, link_named, text_part

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 375)
TITLE = "Launch the tracking page before the app"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _shots(page, name: str) -> None:
    """The page as it is now, at each width, under var/screenshots/e2e/."""
    folder = SCREENSHOTS / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _said(language: str, text: str) -> str:
    """What the portal says for `text` in `language` (the catalogue's translation)."""
    with translation.override(language):
        return gettext(text)


def _next_working_morning(after: dt.datetime, time_zone: str, days: int) -> dt.datetime:
    """`days` or more days after `after`, on a weekday, an hour into the local nudge morning."""
    local = (after + dt.timedelta(days=days)).astimezone(zone(time_zone))
    while local.weekday() >= 5:
        local += dt.timedelta(days=1)
    return local.replace(hour=settings.NUDGE_LOCAL_HOUR + 1, minute=0, second=0, microsecond=0)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_client_approves_from_the_email_and_the_decision_is_approved_everywhere(page, new_page, mailbox, language):
    # given: a project with a client lead (primary contact) whose backup is a client colleague
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova", language="en", time_zone="Europe/Berlin")
    acme = f.ClientFactory(name="Acme Logistics")
    lena = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme,
                               language=language, time_zone="Europe/Berlin")
    bob = f.ClientUserFactory(email="bob@acme.example", full_name="Boris Backup", organisation=acme,
                              language="en", time_zone="Europe/Berlin")
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme tracking portal", slug="acme-tracking")
    for user, role in ((manager, Role.MANAGER), (lena, Role.CLIENT_LEAD), (bob, Role.CLIENT)):
        Membership.objects.create(project=project, user=user, role=role)
    plan = f.CommunicationPlanFactory(project=project)
    primary = f.StakeholderFactory(plan=plan, user=lena, side="client", is_primary=True, responsibility="Sponsor")
    f.StakeholderFactory(plan=plan, user=bob, side="client", backup_for=primary, responsibility="Product owner")

    # when: the manager records a decision that needs the client's approval, in the portal
    login(page, manager)
    page.goto(f"/projects/{project.slug}/decisions/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_context", "The app needs store review; the page does not.")
    page.fill("#id_decision", "Ship the web page first.")
    page.check("input[name=involvement][value=approval]")
    with page.expect_navigation():
        page.click("#main form button[type=submit]")
    with page.expect_navigation():
        page.click("[data-testid=decision-confirm] button[type=submit]:not([name=edit])")
    decision = Decision.objects.get(project=project)
    assert decision.status == DecisionStatus.PROPOSED and decision.requested_at is not None
    deliver()

    # then: the client lead has one e-mail about it, in her language, with an Approve button
    [mail] = mailbox.wait_for(lena.email)
    assert TITLE in mail["Subject"] and TITLE in text_part(mail)
    assert mail["Content-Language"] == language
    approve = link_named(mail, _said(language, "Approve"))
    assert [href for href, _label in button_links(mail)] == [approve]
    assert mailbox.per_person() == Counter({lena.email: 1, bob.email: 1})  # both client people are asked, once

    # when: she opens the e-mail on another computer (no session) and presses Approve
    client = new_page()
    client.set_content(html_part(mail))
    _shots(client, f"approval-{language}-1-email")
    with client.expect_navigation():
        client.get_by_role("link", name=_said(language, "Approve"), exact=True).click()
    assert client.url == approve

    # then: a page that only asks; nothing is recorded yet
    assert client.locator("h1").inner_text() == _said(language, "Please confirm")
    assert TITLE in client.inner_text("#main")
    assert client.get_attribute("html", "lang") == language
    assert not DecisionResponse.objects.filter(decision=decision).exists()
    _shots(client, f"approval-{language}-2-confirm")

    # when: she confirms
    with client.expect_navigation():
        client.get_by_role("button", name=_said(language, "Confirm")).click()

    # then: done, recorded once, and the decision is approved (she is the only client lead)
    assert client.locator("h1").inner_text() == _said(language, "Done, thank you")
    _shots(client, f"approval-{language}-3-done")
    answer = DecisionResponse.objects.get(decision=decision)
    assert (answer.user, answer.kind) == (lena, "approved")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert "sessionid" not in {c["name"] for c in client.context.cookies()}

    # then: her pages show it approved and no longer ask her
    login(client, lena)
    with translation.override(language):
        approved, her_answer = str(DecisionStatus.APPROVED.label), str(ResponseKind.APPROVED.label)
    assert client.locator(f"a.work-action[href$='/decisions/{decision.pk}/respond/']").count() == 0  # my work: not asked
    assert her_answer in client.locator(".my-answers .work-item", has_text=TITLE).text_content()  # among her answers (folded)
    client.goto(f"/projects/{project.slug}/decisions/")
    assert approved in client.locator(".decision-item", has_text=TITLE).inner_text()

    # then: the manager's log says who approved it
    page.goto(f"/projects/{project.slug}/decisions/")
    logged = page.locator(".decision-item", has_text=TITLE).inner_text()
    assert "Lena Lead: approved" in logged

    # when: this week's digests are built for both client people and sent
    now = timezone.now()
    for person in (lena, bob):
        slot = digest_slot(now=now, time_zone=person.time_zone, weekday=person.digest_weekday, hour=person.digest_hour)
        digest_build(person=person, slot=slot, now=now)
    deliver()

    # then: neither digest asks about the decision any more
    for person in (lena, bob):
        digest = Digest.objects.get(recipient=person)
        assert decision.pk not in digest.content["decisions_awaiting"], person
        [sent] = [m for m in mailbox.messages(person.email) if m["X-Rapport-Kind"] == "digest"]
        assert [href for href, _text in html_links(sent) if "/e/a/" in href] == [], person  # no one-click ask left

    # when: the nudges and escalations run on a later working morning, past the plan's response target
    # (and not on anyone's digest day, when the digest stands in for the nudge)
    morning = _next_working_morning(now, lena.time_zone, days=3)
    User.objects.filter(pk__in=[lena.pk, bob.pk]).update(digest_weekday=(morning.weekday() + 2) % 7)
    before = mailbox.per_person()
    nudges_send(now=morning)
    deliver()

    # then: nobody is nudged or escalated to about an approved decision
    assert mailbox.per_person() == before
    assert before == Counter({lena.email: 2, bob.email: 2})  # the request and the digest, each
