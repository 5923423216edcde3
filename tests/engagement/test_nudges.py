"""Nudges: one bundle per person per local morning, back-off, backup fail-over with the manager told."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.management import call_command

from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.nudges import nudges_send
from portal.outbox import services
from portal.outbox.models import MessageKind, OutboundMessage
from tests import factories as f

pytestmark = pytest.mark.django_db
# Tuesday 1 Dec 2026, 09:30 in Moscow (the clients' zone).
TUESDAY_0930_MSK = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _the_day_before():
    """Rows are written "now" and the nudges run at the fixed instants: now is the Monday before them."""
    with time_machine.travel(TUESDAY_0930_MSK - dt.timedelta(days=1), tick=True):
        yield


def _owes(world, now=TUESDAY_0930_MSK):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy", due_date=dt.date(2026, 11, 25))
    decision = f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.CONSULTED,
                                 status=DecisionStatus.APPROVED, requested_at=now - dt.timedelta(hours=72))
    return task, decision


def test_one_bundle_per_person_per_local_day(world, mailoutbox):
    task, decision = _owes(world)
    assert nudges_send(now=TUESDAY_0930_MSK) >= 1
    assert nudges_send(now=TUESDAY_0930_MSK + dt.timedelta(hours=1)) == 0  # same local day: nothing more
    nudges = OutboundMessage.objects.filter(kind=MessageKind.NUDGE)
    assert list(nudges.values_list("dedupe_key", flat=True).order_by("dedupe_key")) == sorted(
        [f"nudge:{world.client.pk}:2026-12-01", f"nudge:{world.client_lead.pk}:2026-12-01"]
    )
    services.outbox_send_due(now=TUESDAY_0930_MSK)
    mail = next(m for m in mailoutbox if m.to == [world.client.email])
    assert "Homepage copy" in mail.body and "Hosting provider" in mail.body
    assert "/e/a/" in mail.body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # next working day: nudged again
    assert nudges_send(now=TUESDAY_0930_MSK + dt.timedelta(days=1)) >= 1


def test_not_outside_the_local_morning_or_at_weekends(world):
    _owes(world)
    assert nudges_send(now=TUESDAY_0930_MSK - dt.timedelta(hours=2)) == 0
    assert nudges_send(now=TUESDAY_0930_MSK + dt.timedelta(hours=5)) == 0
    saturday = TUESDAY_0930_MSK + dt.timedelta(days=4)
    assert nudges_send(now=saturday) == 0
    assert OutboundMessage.objects.count() == 0


def test_opted_out_or_nothing_owed_gets_no_nudge(world):
    world.client.email_nudges = False
    world.client.save()
    _owes(world)
    nudges_send(now=TUESDAY_0930_MSK)
    assert not OutboundMessage.objects.filter(recipient=world.client).exists()
    assert not OutboundMessage.objects.filter(recipient=world.other_client).exists()


def test_backup_gets_escalation_and_manager_is_told(world, mailoutbox):
    plan = f.CommunicationPlanFactory(project=world.project, client_response_hours=48)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)
    task, decision = _owes(world)

    nudges_send(now=TUESDAY_0930_MSK)
    nudges_send(now=TUESDAY_0930_MSK)
    nudges_send(now=TUESDAY_0930_MSK + dt.timedelta(days=1))  # escalated once: never again

    escalations = OutboundMessage.objects.filter(kind=MessageKind.ESCALATION)
    assert sorted(e.recipient.email for e in escalations) == sorted([world.client_lead.email, world.manager.email])
    to_backup_row = escalations.get(recipient=world.client_lead)
    assert to_backup_row.payload["items"] == [f"decision-{decision.pk}"]
    # the manager (UTC) hears at 08:00 their time, not at 06:30
    assert escalations.get(recipient=world.manager).send_after == dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    services.outbox_send_due(now=TUESDAY_0930_MSK + dt.timedelta(hours=2))
    to_backup = next(m for m in mailoutbox if m.extra_headers["X-Rapport-Kind"] == "escalation" and m.to == [world.client_lead.email])
    assert "Can you cover for Boris Client?" in to_backup.subject
    assert "/e/a/" in to_backup.body
    to_manager = next(m for m in mailoutbox if m.to == [world.manager.email])
    assert "Boris Client → Lena Lead" in to_manager.subject


def test_escalations_of_one_run_are_one_bundle_for_the_backup_and_one_for_the_manager(world, mailoutbox):
    plan = f.CommunicationPlanFactory(project=world.project, client_response_hours=48)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)
    decisions = [
        f.DecisionFactory(project=world.project, title=f"Question {n}", involvement=Involvement.CONSULTED,
                          status=DecisionStatus.APPROVED, requested_at=TUESDAY_0930_MSK - dt.timedelta(hours=72 + n))
        for n in range(7)
    ]

    nudges_send(now=TUESDAY_0930_MSK)
    services.outbox_send_due(now=TUESDAY_0930_MSK + dt.timedelta(hours=2))

    escalations = [m for m in mailoutbox if m.extra_headers["X-Rapport-Kind"] == "escalation"]
    assert sorted(m.to[0] for m in escalations) == sorted([world.client_lead.email, world.manager.email])
    to_backup = next(m for m in escalations if m.to == [world.client_lead.email])
    assert to_backup.subject == "Can you cover? 7 items are waiting for their primary contacts"
    assert all(d.title in to_backup.body for d in decisions)
    assert to_backup.body.count("I'll handle it: ") == 7
    to_manager = next(m for m in escalations if m.to == [world.manager.email])
    assert to_manager.subject == "Escalated to backups: 7 items"
    assert all(d.title in to_manager.body for d in decisions)


def test_no_nudge_on_the_day_of_the_weekly_digest(world):
    _owes(world)
    world.client.digest_weekday = 1  # Tuesday, like TUESDAY_0930_MSK
    world.client.save()
    nudges_send(now=TUESDAY_0930_MSK)
    assert not OutboundMessage.objects.filter(recipient=world.client, kind=MessageKind.NUDGE).exists()
    assert OutboundMessage.objects.filter(recipient=world.client_lead, kind=MessageKind.NUDGE).exists()
    world.client.email_digest = False  # no digest that day: the nudge goes
    world.client.save()
    nudges_send(now=TUESDAY_0930_MSK)
    assert OutboundMessage.objects.filter(recipient=world.client, kind=MessageKind.NUDGE).count() == 1


def test_no_escalation_within_the_response_target(world):
    plan = f.CommunicationPlanFactory(project=world.project, client_response_hours=96)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)
    f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, requested_at=TUESDAY_0930_MSK - dt.timedelta(hours=72))
    nudges_send(now=TUESDAY_0930_MSK)
    assert not OutboundMessage.objects.filter(kind=MessageKind.ESCALATION).exists()


def test_command_twice_is_safe(world, capsys):
    _owes(world)
    call_command("send_nudges", "--now", TUESDAY_0930_MSK.isoformat())
    count = OutboundMessage.objects.count()
    call_command("send_nudges", "--now", TUESDAY_0930_MSK.isoformat())
    assert OutboundMessage.objects.count() == count > 0


def test_closed_decisions_are_neither_nudged_nor_escalated(world):
    # given: the client lead has a backup, and owes nothing but answers on decisions that no longer ask
    now = TUESDAY_0930_MSK
    plan = f.CommunicationPlanFactory(project=world.project)
    primary = f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client, side="client", backup_for=primary)
    approved = f.DecisionFactory(project=world.project, title="Use SSO", involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.APPROVED, requested_at=now - dt.timedelta(days=9))
    f.DecisionFactory(project=world.project, title="Drop the blog", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.REJECTED, requested_at=now - dt.timedelta(days=27))
    f.DecisionFactory(project=world.project, title="Old hosting", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.SUPERSEDED, superseded_by=approved, requested_at=now - dt.timedelta(days=20))

    # when
    queued = nudges_send(now=now)

    # then
    assert queued == 0
    assert not OutboundMessage.objects.filter(kind__in=[MessageKind.NUDGE, MessageKind.ESCALATION]).exists()

def test_an_item_escalated_before_bundling_is_not_escalated_again(world):
    plan = f.CommunicationPlanFactory(project=world.project, client_response_hours=48)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)
    _task, decision = _owes(world)
    f.OutboundMessageFactory(kind=MessageKind.ESCALATION, recipient=world.client_lead,
                             dedupe_key=f"escalate:decision-{decision.pk}:{world.client_lead.pk}:1")
    nudges_send(now=TUESDAY_0930_MSK)
    assert OutboundMessage.objects.filter(kind=MessageKind.ESCALATION).count() == 1


def test_a_nudge_says_how_late_a_report_is(world, mailoutbox):
    """"report due, 55 days" could be read as due in 55 days: the line now says the report is late by that long."""
    _owes(world)
    with time_machine.travel(TUESDAY_0930_MSK - dt.timedelta(days=6), tick=False):
        f.TaskFactory(project=world.project, owner=world.client, title="Sitemap", due_date=dt.date(2026, 12, 31),
                      report_cadence_days=1)
    nudges_send(now=TUESDAY_0930_MSK)
    services.outbox_send_due(now=TUESDAY_0930_MSK)
    mail = next(m for m in mailoutbox if m.to == [world.client.email])
    assert "Sitemap (Acme portal) — report late by 5 days" in mail.body
    assert re.search(r"Homepage copy \(Acme portal\) — overdue\s", mail.body)  # its report is not late yet
    html = next(content for content, mimetype in mail.alternatives if mimetype == "text/html")
    assert "report late by 5 days" in html
