"""Every e-mail kind, in English and Russian, with project data full of ' " & <b> and Cyrillic:
subjects, text parts and calendar text carry the data as typed (never an HTML entity), the HTML part escapes it,
and meeting times name the zone ("Yekaterinburg"), never "+05"."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from icalendar import Calendar

from conversations.emails import queue_mention_email
from conversations.inbound.refusals import queue_refusal
from conversations.permissions import thread_access
from conversations.services import comment_post
from engagement.emails.decisions import queue_decision_request
from engagement.emails.meetings import queue_itip, queue_recap
from engagement.emails.plan import queue_sign_off_request
from engagement.emails.series import queue_series_itip
from engagement.models import MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.digests import digest_send_batch
from engagement.services.nudges import nudges_send
from engagement.services.reminders import reminders_send_due
from portal.outbox import services
from portal.outbox.password_reset import password_reset_request
from projects.emails import (
    queue_invitation_email,
    queue_membership_added_email,
    queue_task_assigned_email,
    queue_task_blocked_email,
)
from projects.models import Membership, ReportState
from projects.services.invitations import invitation_token
from tests import factories as f

pytestmark = pytest.mark.django_db

ZONE = "Asia/Yekaterinburg"  # its abbreviation is "+05"
MONDAY_8 = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # 08:00 in Yekaterinburg
TUESDAY_0930 = dt.datetime(2026, 12, 1, 4, 30, tzinfo=dt.UTC)

PROJECT = "O'Brien & \"Сыновья\" <b>портал</b>"
MEETING = "Use the provider's \"hosted\" page & <b>оплата</b>"
CANCELLED = "Q&A <i>отменена</i> 'today'"
DECISION = "Use the provider's hosted payment page & <b>3-D Secure</b>"
TASK = "Тексты \"для\" <b>главной</b> & FAQ's"
PERSON = "Anna O'Neil & <b>Co</b>"
DATA = (PROJECT, MEETING, CANCELLED, DECISION, TASK, PERSON)

ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
TAG = re.compile(r"</?[a-zA-Z][^>@]*>")  # "<pm@example.com>" is an address, not a tag

# The template folder of each kind -> the X-Rapport-Kind of the mail it makes.
TEMPLATE_KINDS = {
    "invitation": "invitation",
    "membership_added": "notice",
    "decision_request": "decision_request",
    "meeting_invite": "meeting_invite",
    "meeting_update": "meeting_update",
    "meeting_cancel": "cancellation",
    "meeting_reminder": "reminder",
    "meeting_recap": "recap",
    "client_digest": "digest",
    "manager_digest": "manager_digest",
    "nudge": "nudge",
    "escalation_backup": "escalation",
    "escalation_manager": "escalation",
    "series_invite": "meeting_invite",
    "series_update": "meeting_update",
    "series_cancel": "cancellation",
    "task_assigned": "task_assigned",
    "sign_off_request": "sign_off_request",
    "task_blocked": "task_blocked",
    "password_reset": "password_reset",
    "comment_mention": "notice",
    "reply_refused": "notice",
    "requests": "requests",
}


@pytest.fixture(autouse=True)
def _the_week_before():
    with time_machine.travel(MONDAY_8 - dt.timedelta(days=4), tick=True):
        yield


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("portal.outbox.tasks.send_message.apply_async", lambda args, retry: None)


def _every_kind(w, language: str):
    """Each kind of e-mail the product sends, through the real builders and the outbox."""
    for person in (w.manager, w.team, w.client_lead, w.client):
        person.language, person.time_zone = language, ZONE
        person.save()
    w.manager.full_name, w.manager.digest_hour = PERSON, 8
    w.manager.save()
    w.client.full_name = PERSON
    w.client.save()
    w.project.client.language, w.project.client.time_zone = language, ZONE
    w.project.client.save()
    w.project.name = PROJECT
    w.project.save()
    plan = f.CommunicationPlanFactory(project=w.project, client_response_hours=48)
    primary = f.StakeholderFactory(plan=plan, user=w.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=w.client_lead, side="client", backup_for=primary)
    start = MONDAY_8 + dt.timedelta(days=1)
    meeting = f.MeetingFactory(project=w.project, title=MEETING, starts_at=start, ends_at=start + dt.timedelta(hours=1),
                               time_zone=ZONE, agenda=f"{TASK}\n{DECISION}", location="https://meet.example/a?b=1&c=2")
    f.AttendanceFactory(meeting=meeting, user=w.client)
    f.AttendanceFactory(meeting=meeting, user=w.manager)
    f.TaskFactory(project=w.project, owner=w.client, title=TASK, due_date=dt.date(2026, 11, 25))
    f.DecisionFactory(project=w.project, title=DECISION, involvement=Involvement.CONSULTED,
                      status=DecisionStatus.APPROVED, requested_at=TUESDAY_0930 - dt.timedelta(hours=72))
    approval = f.DecisionFactory(project=w.project, title=DECISION, involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.PROPOSED, requested_at=MONDAY_8)
    invitation = f.InvitationFactory(project=w.project, email="new@acme.example", invited_by=w.manager)

    queue_invitation_email(invitation_id=invitation.pk, token=invitation_token(invitation), send_no=1)
    queue_membership_added_email(membership_id=Membership.objects.get(project=w.project, user=w.team).pk)
    queue_decision_request(decision_id=approval.pk)
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    digest_send_batch(kind="client", person_ids=[w.client.pk], now=MONDAY_8)
    digest_send_batch(kind="manager", person_ids=[w.manager.pk], now=MONDAY_8 + dt.timedelta(hours=3))
    services.outbox_send_due(now=MONDAY_8 + dt.timedelta(hours=3))
    meeting.sequence, meeting.starts_at = 1, meeting.starts_at + dt.timedelta(hours=1)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=1)
    meeting.save()
    queue_itip(meeting_id=meeting.pk, method="REQUEST")
    services.outbox_send_due(now=MONDAY_8 + dt.timedelta(hours=4))
    reminders_send_due(now=meeting.starts_at - dt.timedelta(hours=1))
    services.outbox_send_due(now=meeting.starts_at - dt.timedelta(hours=1))
    meeting.status, meeting.minutes, meeting.minutes_shared = MeetingStatus.HELD, f"{DECISION} — ok", True
    meeting.held_at = meeting.ends_at
    meeting.save()
    queue_recap(meeting_id=meeting.pk)
    other = f.MeetingFactory(project=w.project, title=CANCELLED, starts_at=start + dt.timedelta(days=2),
                             ends_at=start + dt.timedelta(days=2, hours=1), time_zone=ZONE)
    f.AttendanceFactory(meeting=other, user=w.client)
    other.status, other.sequence, other.cancel_reason = MeetingStatus.CANCELLED, 1, CANCELLED
    other.save()
    queue_itip(meeting_id=other.pk, method="CANCEL")
    # A series: its invitation, an update after a change, its cancellation.
    series = f.MeetingSeriesFactory(project=w.project, title=MEETING, time_zone=ZONE, first_start=start,
                                    location="https://meet.example/s?b=1&c=2", purpose=f"{TASK} & {DECISION}")
    series.attendees.add(w.client)
    queue_series_itip(series_id=series.pk)
    series.sequence += 1
    series.save()
    queue_series_itip(series_id=series.pk)
    queue_series_itip(series_id=series.pk, method="CANCEL", reason=CANCELLED)
    # A task given to a client person, the plan's sign-off asked, a task reported blocked.
    given = f.TaskFactory(project=w.project, owner=w.client, title=TASK, due_date=dt.date(2026, 12, 11))
    queue_task_assigned_email(task_id=given.pk, owner_id=w.client.pk, version=given.version, assigned_by_id=w.manager.pk)
    # Two tasks for one more client person in one bundle window: one message listing both (portal/outbox/bundles.py).
    newcomer = f.ClientUserFactory(email="nina@acme.example", organisation=w.project.client, language=language, time_zone=ZONE)
    f.MembershipFactory(project=w.project, user=newcomer, role="client")
    for title in (TASK, DECISION):
        task = f.TaskFactory(project=w.project, owner=newcomer, title=title, due_date=dt.date(2026, 12, 11))
        queue_task_assigned_email(task_id=task.pk, owner_id=newcomer.pk, version=task.version, assigned_by_id=w.manager.pk)
    plan.sign_off_requested_at = MONDAY_8 - dt.timedelta(days=4)
    plan.save()
    queue_sign_off_request(plan_id=plan.pk)
    blocked = f.ProgressReportFactory(task=given, author=w.client, state=ReportState.BLOCKED, percent=10,
                                      blockers=f"{DECISION} & {TASK}")
    queue_task_blocked_email(report_id=blocked.pk)
    # A comment that mentions the client (the e-mail is queued after the commit; here by hand).
    thread = thread_access(user=w.manager, slug=w.project.slug, kind="tasks", pk=given.pk)
    comment = comment_post(actor=w.manager, thread=thread, body=f"@{w.client.email} {DECISION} & {TASK}")
    queue_mention_email(notification_id=comment.notifications.get(recipient=w.client, kind="mention").pk)
    nudges_send(now=TUESDAY_0930)
    password_reset_request(email=w.client.email, address="203.0.113.7")
    queue_refusal(sender=w.client.email, reason="sender")  # a reply by e-mail that could not be posted
    services.outbox_send_due(now=TUESDAY_0930)


def _html(mail) -> str:
    return next(content for content, mimetype in mail.alternatives if mimetype == "text/html")


def _calendars(mail) -> list[Calendar]:
    parts, found = [mail.message()], []
    while parts:
        part = parts.pop()
        if part.is_multipart():
            parts.extend(part.get_payload())
        elif part.get_content_type() == "text/calendar":
            found.append(Calendar.from_ical(part.get_payload(decode=True)))
    return found


def _plain_problems(text: str) -> list[str]:
    """HTML entities anywhere, and tags other than those the data itself holds."""
    rest = text
    for value in DATA:
        rest = rest.replace(value, "")
    return ENTITY.findall(text) + TAG.findall(rest)


def test_the_walk_covers_every_kind_the_product_sends():
    folders = {p.parent.name for p in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*/subject.txt")}
    assert folders == set(TEMPLATE_KINDS)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_subjects_and_text_parts_carry_the_data_as_typed(world, mailoutbox, language):
    _every_kind(world, language)

    kinds = [m.extra_headers["X-Rapport-Kind"] for m in mailoutbox]
    assert set(kinds) == set(TEMPLATE_KINDS.values())
    assert kinds.count("escalation") == 2  # the backup's request and the manager's notice
    for mail in mailoutbox:
        kind = mail.extra_headers["X-Rapport-Kind"]
        assert mail.extra_headers["Content-Language"] == language, kind
        assert _plain_problems(mail.subject) == [], (kind, mail.subject)
        assert _plain_problems(mail.body) == [], (kind, mail.body)
        html = _html(mail)
        for value in DATA:
            assert value not in html, (kind, value)  # every <b> of the data is escaped in HTML
    subjects = {}
    for m in mailoutbox:  # the first of each kind: the one-off meeting's mail comes before the series'
        subjects.setdefault(m.extra_headers["X-Rapport-Kind"], m.subject)
    assert MEETING in subjects["meeting_invite"] and MEETING in subjects["reminder"]
    assert CANCELLED in subjects["cancellation"]
    assert DECISION in subjects["decision_request"] and PROJECT in subjects["decision_request"]
    invite = next(m for m in mailoutbox if m.extra_headers["X-Rapport-Kind"] == "meeting_invite")
    assert MEETING in invite.body and "&lt;b&gt;оплата&lt;/b&gt;" in _html(invite)


@pytest.mark.parametrize(("language", "zone_name"), [("en", "Yekaterinburg"), ("ru", "Екатеринбург")])
def test_meeting_mail_names_the_zone_not_its_abbreviation(world, mailoutbox, language, zone_name):
    _every_kind(world, language)

    meeting_kinds = {"meeting_invite", "meeting_update", "cancellation", "reminder", "recap"}
    mails = [m for m in mailoutbox if m.extra_headers["X-Rapport-Kind"] in meeting_kinds]
    assert {m.extra_headers["X-Rapport-Kind"] for m in mails} == meeting_kinds
    for mail in mails:
        for text in (mail.subject, mail.body, _html(mail)):
            assert "+05" not in text, (mail.extra_headers["X-Rapport-Kind"], text)
        if re.search(r"\d\d:\d\d", mail.body):  # a time is always followed by its zone (a series' cancel has none)
            assert zone_name in mail.body, (mail.extra_headers["X-Rapport-Kind"], mail.body)
    update = next(m for m in mails if m.extra_headers["X-Rapport-Kind"] == "meeting_update")
    assert zone_name in update.subject


@pytest.mark.parametrize("language", ["en", "ru"])
def test_calendar_text_has_no_html_entities(world, mailoutbox, language):
    _every_kind(world, language)

    events = [cal.walk("VEVENT")[0] for mail in mailoutbox for cal in _calendars(mail)]
    assert len(events) >= 4
    for event in events:
        assert str(event["SUMMARY"]) in {MEETING, CANCELLED}
        for name in ("SUMMARY", "DESCRIPTION", "COMMENT"):
            assert ENTITY.findall(str(event.get(name, ""))) == [], name
