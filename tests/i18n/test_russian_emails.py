"""Every kind of e-mail, and the meeting calendar files, for a Russian reader: no English source text."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from engagement.emails.decisions import queue_decision_request
from engagement.emails.meetings import queue_itip, queue_recap
from engagement.models import MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.digests import digest_send_batch
from engagement.services.nudges import nudges_send
from engagement.services.reminders import reminders_send_due
from portal.outbox import services
from projects.emails import queue_invitation_email, queue_membership_added_email
from projects.models import Membership
from projects.services.invitations import invitation_token
from tests import factories as f
from tests.i18n.catalogue import english_left, visible_text

pytestmark = pytest.mark.django_db

MONDAY_8_MSK = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)
TUESDAY_0930_MSK = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)
KINDS = {
    "invitation",
    "notice",
    "decision_request",
    "meeting_invite",
    "meeting_update",
    "cancellation",
    "reminder",
    "recap",
    "digest",
    "manager_digest",
    "nudge",
    "escalation",
}


@pytest.fixture(autouse=True)
def _the_week_before():
    """The e-mails are queued "now" and sent at the fixed instants below: now is the Thursday before them."""
    with time_machine.travel(MONDAY_8_MSK - dt.timedelta(days=4), tick=True):
        yield


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("portal.outbox.tasks.send_message.apply_async", lambda args, retry: None)


def _every_kind(w):
    w.project.client.language = "ru"
    w.project.client.save()
    w.manager.digest_hour = 8
    w.manager.save()
    start = MONDAY_8_MSK + dt.timedelta(days=1)
    meeting = f.MeetingFactory(
        project=w.project,
        title="Сверка",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        agenda="Сроки и тексты",
        location="https://meet.example/acme",
    )
    f.AttendanceFactory(meeting=meeting, user=w.client)
    f.AttendanceFactory(meeting=meeting, user=w.manager)
    f.TaskFactory(project=w.project, owner=w.client, title="Тексты", due_date=dt.date(2026, 11, 25))
    f.DecisionFactory(
        project=w.project,
        title="Хостинг",
        involvement=Involvement.CONSULTED,
        status=DecisionStatus.APPROVED,
        requested_at=TUESDAY_0930_MSK - dt.timedelta(hours=72),
    )
    approval = f.DecisionFactory(
        project=w.project,
        title="Бюджет",
        involvement=Involvement.APPROVAL,
        status=DecisionStatus.PROPOSED,
        requested_at=MONDAY_8_MSK,
    )
    invitation = f.InvitationFactory(project=w.project, email="new@acme.example", invited_by=w.manager)

    queue_invitation_email(invitation_id=invitation.pk, token=invitation_token(invitation), send_no=1)
    queue_membership_added_email(membership_id=Membership.objects.get(project=w.project, user=w.team).pk)
    queue_decision_request(decision_id=approval.pk)
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    digest_send_batch(kind="client", person_ids=[w.client.pk], now=MONDAY_8_MSK)
    digest_send_batch(kind="manager", person_ids=[w.manager.pk], now=MONDAY_8_MSK + dt.timedelta(hours=3))
    services.outbox_send_due(now=MONDAY_8_MSK + dt.timedelta(hours=3))
    meeting.sequence, meeting.starts_at = 1, meeting.starts_at + dt.timedelta(hours=1)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=1)
    meeting.save()
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    services.outbox_send_due(now=MONDAY_8_MSK + dt.timedelta(hours=4))
    reminders_send_due(now=meeting.starts_at - dt.timedelta(hours=1))
    services.outbox_send_due(now=meeting.starts_at - dt.timedelta(hours=1))
    meeting.status, meeting.minutes, meeting.minutes_shared = MeetingStatus.HELD, "Обсудили сроки.", True
    meeting.held_at = meeting.ends_at
    meeting.save()
    queue_recap(meeting_id=meeting.pk)
    other = f.MeetingFactory(
        project=w.project,
        title="Отменённая",
        starts_at=start + dt.timedelta(days=2),
        ends_at=start + dt.timedelta(days=2, hours=1),
    )
    f.AttendanceFactory(meeting=other, user=w.client)
    other.status, other.sequence, other.cancel_reason = MeetingStatus.CANCELLED, 1, "Праздник"
    other.save()
    queue_itip(meeting_id=other.pk, method="CANCEL")
    w.project.plan.client_response_hours = 48  # the client primary's backup is asked after two days
    w.project.plan.save()
    nudges_send(now=TUESDAY_0930_MSK)
    services.outbox_send_due(now=TUESDAY_0930_MSK)
    return meeting


def _html(mail) -> str:
    return next(content for content, mimetype in mail.alternatives if mimetype == "text/html")


def _calendars(mail) -> list[Calendar]:
    parts = [mail.message()]
    found = []
    while parts:
        part = parts.pop()
        if part.is_multipart():
            parts.extend(part.get_payload())
        elif part.get_content_type() == "text/calendar":
            found.append(Calendar.from_ical(part.get_payload(decode=True)))
    return found


def test_every_email_kind_is_in_russian(russian, mailoutbox):
    _every_kind(russian)
    kinds = {m.extra_headers["X-Rapport-Kind"] for m in mailoutbox}
    assert kinds >= KINDS, KINDS - kinds
    for mail in mailoutbox:
        kind = mail.extra_headers["X-Rapport-Kind"]
        html = _html(mail)
        assert '<html lang="ru"' in html, kind
        assert english_left(mail.subject) == [], kind
        assert english_left(mail.body) == [], kind
        assert english_left(visible_text(html)) == [], kind
        assert mail.extra_headers.get("Content-Language", "ru") == "ru", kind


def test_calendar_invitations_keep_the_title_and_have_no_english(russian, mailoutbox):
    _every_kind(russian)
    events = [cal.walk("VEVENT")[0] for mail in mailoutbox for cal in _calendars(mail)]
    assert len(events) >= 3
    for event in events:
        assert str(event["SUMMARY"]) in {"Сверка", "Отменённая"}
        assert english_left(str(event.get("DESCRIPTION", ""))) == []
        assert english_left(str(event.get("COMMENT", ""))) == []


def test_meeting_ics_download_has_no_english(client, russian):
    meeting = russian.objects["meeting"]
    client.force_login(russian.client)
    response = client.get(reverse("engagement:meeting-ics", kwargs={"slug": russian.project.slug, "pk": meeting.pk}))
    assert response.status_code == 200
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Сверка"
    assert english_left(str(event.get("DESCRIPTION", ""))) == []


def test_invitation_description_labels_are_russian(russian, mailoutbox):
    _every_kind(russian)
    invite = next(
        m
        for m in mailoutbox
        if m.extra_headers["X-Rapport-Kind"] == "meeting_invite" and m.to == [russian.client.email]
    )
    description = str(_calendars(invite)[0].walk("VEVENT")[0]["DESCRIPTION"])
    assert description.startswith("Повестка:\nСроки и тексты")
    assert "Подключиться: https://meet.example/acme" in description and "Открыть встречу в Rapport: http" in description


def test_a_moved_meeting_says_when_it_is_now_in_russian(russian, mailoutbox):
    """The update's subject gives the new time as «теперь …» ("from now on"); «сейчас …» read as "it is on right now"."""
    _every_kind(russian)
    [update] = [m for m in mailoutbox if m.extra_headers["X-Rapport-Kind"] == "meeting_update" and m.to == [russian.client.email]]
    assert update.subject.startswith("Изменено: Сверка · теперь "), update.subject
    assert "сейчас" not in update.subject
