"""The admin for engagement models and the outbox: every list and change page renders; failed mail can be requeued."""

import pytest
from django.urls import reverse

from engagement import models as em
from engagement.models import ActionLink
from portal.outbox.models import MessageStatus, OutboundMessage
from tests import factories as f

ENGAGEMENT_MODELS = [
    em.CommunicationPlan, em.PlanVersion, em.Stakeholder, em.MeetingSeries, em.Meeting, em.Attendance, em.Decision,
    em.DecisionResponse, em.Digest, em.HealthSnapshot, em.HealthWarning, em.Absence, em.QuietPeriod, em.HealthOverride,
]


@pytest.fixture
def admin_client(client, db):
    admin = f.StaffFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("model", ENGAGEMENT_MODELS + [OutboundMessage, ActionLink], ids=lambda m: m.__name__)
def test_every_changelist_renders(admin_client, model):
    assert admin_client.get(_url(model, "changelist")).status_code == 200


def test_change_pages_render(admin_client):
    stakeholder = f.StakeholderFactory()
    attendance = f.AttendanceFactory()
    response = f.DecisionResponseFactory()
    for obj in (stakeholder.plan, stakeholder, attendance.meeting, attendance, response.decision, f.MeetingSeriesFactory()):
        assert admin_client.get(_url(type(obj), "change", obj.pk)).status_code == 200


def test_outbox_is_read_only_but_failed_rows_can_be_requeued(admin_client):
    failed = f.OutboundMessageFactory(status=MessageStatus.FAILED, attempts=6, last_error="550 mailbox unavailable")
    sent = f.OutboundMessageFactory(status=MessageStatus.SENT, sent_at=failed.created_at)
    listing = admin_client.get(_url(OutboundMessage, "changelist") + "?status__exact=failed")
    assert b"550 mailbox unavailable" in listing.content
    assert admin_client.get(_url(OutboundMessage, "add")).status_code == 403
    assert admin_client.get(_url(OutboundMessage, "change", failed.pk)).status_code == 200
    response = admin_client.post(
        _url(OutboundMessage, "changelist"), {"action": "requeue", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.PENDING, 0)
    assert sent.status == MessageStatus.SENT
    assert b"1 failed message requeued." in response.content


def test_requeue_needs_a_superuser_or_the_change_right(client, db):
    viewer = f.StaffFactory(email="viewer@example.com", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_outboundmessage"))
    client.force_login(viewer)
    failed = f.OutboundMessageFactory(status=MessageStatus.FAILED)
    listing = client.get(_url(OutboundMessage, "changelist"))
    assert listing.status_code == 200 and b"requeue" not in listing.content
    client.post(_url(OutboundMessage, "changelist"), {"action": "requeue", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
