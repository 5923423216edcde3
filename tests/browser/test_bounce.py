"""A client's address bounces: the DSN comes back for a message Rapport sent; the manager opens the plan on a phone
(375 px), reads who cannot be reached, why and who covers, and clears it once the client has fixed the mailbox; mail
reaches the client again. Screenshots: var/screenshots/bounce-*.png."""

from __future__ import annotations

import email
import email.policy

import pytest

from portal.outbox import services
from portal.outbox.bounces import handle_dsn
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage, Suppression
from projects.models import Membership, Role
from tests import factories as f
from tests.browser.conftest import MOBILE, axe_check, deliver, login, screenshot
from tests.engagement.dsn_samples import POSTFIX_HARD, dsn_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_manager_sees_a_bounced_client_on_the_plan_and_clears_it(new_page, mailbox):
    manager = f.StaffFactory(email="pm@studio.example", full_name="Anna Petrova")
    acme = f.ClientFactory(name="Acme")
    lead = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme)
    bob = f.ClientUserFactory(email="boris@acme.example", full_name="Boris Client", organisation=acme)
    project = f.ProjectFactory(client=acme, manager=manager, name="Acme portal", slug="acme-portal")
    for user, role in ((manager, Role.MANAGER), (lead, Role.CLIENT_LEAD), (bob, Role.CLIENT)):
        Membership.objects.create(project=project, user=user, role=role)
    plan = f.CommunicationPlanFactory(project=project)
    primary = f.StakeholderFactory(plan=plan, user=bob, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=lead, side="client", backup_for=primary)

    sent, _ = services.outbox_enqueue(kind=MessageKind.NOTICE, recipient=bob, dedupe_key="notice:welcome",
                                      subject="Welcome", body_text="Hello Boris.")
    deliver()
    mailbox.wait_for(bob.email)
    sent.refresh_from_db()
    report = email.message_from_bytes(dsn_bytes(POSTFIX_HARD, message_id=sent.message_id, rcpt=bob.email),
                                      policy=email.policy.default)
    assert handle_dsn(report)

    page = new_page(**MOBILE)
    login(page, manager)
    page.goto(f"/projects/{project.slug}/plan/")
    panel = page.get_by_test_id("unreachable")
    assert "Boris Client" in panel.inner_text() and "hard bounce" in panel.inner_text()
    assert "goes to Lena Lead (backup)" in panel.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert axe_check(page) == []
    screenshot(page, "bounce-plan-375")

    page.on("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Boris Client’s address works again").click()
    page.wait_for_load_state()
    assert "e-mail goes to this address again" in page.inner_text("body")
    assert page.get_by_test_id("unreachable").count() == 0
    assert Suppression.objects.get().cleared_by == manager

    services.outbox_enqueue(kind=MessageKind.NOTICE, recipient=bob, dedupe_key="notice:back", subject="Back",
                            body_text="Your mailbox works again.")
    deliver()
    assert len(mailbox.wait_for(bob.email, count=2)) == 2
    assert not OutboundMessage.objects.filter(status=MessageStatus.SUPPRESSED).exists()
