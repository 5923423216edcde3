""""Request client sign-off" e-mails the client leads, with a link to the plan's sign-off page."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from engagement import notifications
from engagement.services.plan import plan_get_or_create, plan_request_sign_off, plan_sign_off
from portal.outbox import services as outbox
from portal.outbox.models import MessageKind, OutboundMessage
from tests import factories as f

pytestmark = pytest.mark.django_db
TUESDAY_NOON_MSK = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _working_hours():
    with time_machine.travel(TUESDAY_NOON_MSK, tick=False):
        yield


def test_the_client_leads_are_asked_by_email_once_a_day(world, mailoutbox, settings, django_capture_on_commit_callbacks):
    second_lead = f.ClientUserFactory(email="kira@acme.example", full_name="Kira Lead", organisation=world.client.organisation,
                                      language="ru")
    f.MembershipFactory(project=world.project, user=second_lead, role="client_lead")
    plan = plan_get_or_create(project=world.project)
    with django_capture_on_commit_callbacks(execute=True):
        plan_request_sign_off(actor=world.manager, plan=plan)
    with django_capture_on_commit_callbacks(execute=True):
        plan_request_sign_off(actor=world.manager, plan=plan)  # asked again the same day: no second e-mail

    outbox.outbox_send_due(now=TUESDAY_NOON_MSK + dt.timedelta(minutes=10))  # after the requests' bundle window
    assert Counter((m.to[0], m.extra_headers["X-Rapport-Kind"]) for m in mailoutbox) == {
        (world.client_lead.email, MessageKind.SIGN_OFF_REQUEST): 1,
        (second_lead.email, MessageKind.SIGN_OFF_REQUEST): 1,
    }
    english = next(m for m in mailoutbox if m.to == [world.client_lead.email])
    assert english.subject == "Please sign off the communication plan · Acme portal (version 1)"
    assert f"Read and sign off: {settings.SITE_URL}/projects/acme-portal/plan/" in english.body
    assert english.reply_to == [world.manager.email]
    russian = next(m for m in mailoutbox if m.to == [second_lead.email])
    assert russian.subject == "Подпишите план коммуникаций · Acme portal (версия 1)"


def test_asked_again_on_a_later_day_and_never_for_a_signed_off_version(world, django_capture_on_commit_callbacks):
    plan = plan_get_or_create(project=world.project)
    with django_capture_on_commit_callbacks(execute=True):
        plan_request_sign_off(actor=world.manager, plan=plan)
    with time_machine.travel(TUESDAY_NOON_MSK + dt.timedelta(days=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        plan_request_sign_off(actor=world.manager, plan=plan)
    assert OutboundMessage.objects.filter(recipient=world.client_lead, kind=MessageKind.SIGN_OFF_REQUEST).count() == 2
    plan_sign_off(actor=world.client_lead, plan=plan, version=plan.version)
    notifications.plan_sign_off_requested(plan.pk)
    assert OutboundMessage.objects.filter(kind=MessageKind.SIGN_OFF_REQUEST).count() == 2
    assert not OutboundMessage.objects.filter(recipient__in=[world.client, world.manager, world.team]).exists()
