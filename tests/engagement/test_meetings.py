import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import override

from engagement import notifications
from engagement.models import Attendance, Decision, Meeting, MeetingStatus, Rsvp
from engagement.models.decisions import DecisionStatus
from engagement.services.meetings import (
    agenda_draft,
    meeting_cancel,
    meeting_create,
    meeting_hold,
    meeting_reschedule,
    meeting_update_agenda,
    rsvp_set,
)
from portal.core.exceptions import ApplicationError, ConflictError
from projects.models import AuditEvent, Risk, Task
from tests import factories as f


def calls(callbacks, func):
    return sorted(cb.args[0] for cb in callbacks if getattr(cb, "func", None) is func)


def state():
    return (
        list(Meeting.objects.order_by("pk").values_list("pk", "starts_at", "status", "sequence", "version", "agenda", "minutes")),
        list(Attendance.objects.order_by("pk").values_list("pk", "rsvp", "attended")),
        AuditEvent.objects.count(), Task.objects.count(), Decision.objects.count(),
    )


def a_meeting(world, *, hours=48, people=("manager", "client_lead", "client")):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)
    meeting = f.MeetingFactory(project=world.project, starts_at=start, ends_at=start + dt.timedelta(minutes=30))
    for name in people:
        f.AttendanceFactory(meeting=meeting, user=getattr(world, name))
    return meeting


# --- one-off meetings ---------------------------------------------------------

def test_meeting_create_one_off_in_local_time(world, django_capture_on_commit_callbacks):
    day = timezone.localdate() + dt.timedelta(days=5)
    with django_capture_on_commit_callbacks() as callbacks:
        meeting = meeting_create(
            actor=world.team, project=world.project, title="Kick-off", starts_at=dt.datetime.combine(day, dt.time(10, 0)),
            duration_minutes=60, time_zone="Europe/Moscow", attendees=[world.client_lead.pk, world.team.pk],
        )
    assert meeting.series is None and meeting.original_start is None
    assert meeting.starts_at == dt.datetime.combine(day, dt.time(7, 0), tzinfo=dt.UTC)
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(hours=1)
    assert set(meeting.attendance.values_list("user_id", flat=True)) == {world.client_lead.pk, world.team.pk}
    assert calls(callbacks, notifications.meeting_scheduled) == [meeting.pk]
    assert AuditEvent.objects.filter(action="meeting.create", object_id=str(meeting.pk), actor=world.team).exists()


@pytest.mark.parametrize(("persona", "error"), [("client_lead", PermissionDenied), ("outsider", Http404)])
def test_meeting_create_refused_changes_nothing(world, persona, error, django_capture_on_commit_callbacks):
    before = state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(error):
        meeting_create(actor=world.persona(persona), project=world.project, title="x",
                       starts_at=timezone.now() + dt.timedelta(days=1))
    assert state() == before and callbacks == []


def test_meeting_create_in_the_past_or_with_strangers_is_invalid(world, django_capture_on_commit_callbacks):
    before = state()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError):
            meeting_create(actor=world.manager, project=world.project, title="x", starts_at=timezone.now() - dt.timedelta(hours=1))
        with pytest.raises(ValidationError):
            meeting_create(actor=world.manager, project=world.project, title="x",
                           starts_at=timezone.now() + dt.timedelta(days=1), attendees=[world.outsider])
    assert state() == before and callbacks == []


# --- reschedule and cancel -----------------------------------------------------

def test_reschedule_raises_sequence_and_remembers_the_old_time(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world)
    old_start, uid = meeting.starts_at, meeting.uid
    new_start = old_start + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks() as callbacks:
        meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=new_start, reason="Client holiday", expected_version=1)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at) == (new_start, new_start + dt.timedelta(minutes=30))
    assert meeting.rescheduled_from == old_start
    assert (meeting.sequence, meeting.version, meeting.uid) == (1, 2, uid)
    assert calls(callbacks, notifications.meeting_updated) == [meeting.pk]
    event = AuditEvent.objects.get(action="meeting.reschedule")
    assert event.changes["reason"] == "Client holiday" and event.changes["sequence"] == {"old": 0, "new": 1}


def test_reschedule_refusals_change_nothing(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world)
    cancelled = a_meeting(world)
    Meeting.objects.filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED, cancel_reason="x")
    before = state()
    later = meeting.starts_at + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(PermissionDenied):
            meeting_reschedule(actor=world.client_lead, meeting=meeting, starts_at=later)
        with pytest.raises(Http404):
            meeting_reschedule(actor=world.other_client, meeting=meeting, starts_at=later)
        with pytest.raises(ConflictError):
            meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=later, expected_version=7)
        with pytest.raises(ValidationError):
            meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=timezone.now() - dt.timedelta(hours=2))
        with pytest.raises(ApplicationError):
            meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=meeting.starts_at)
        with pytest.raises(ApplicationError):
            meeting_reschedule(actor=world.manager, meeting=cancelled, starts_at=later)
    assert state() == before and callbacks == []


def test_cancel_needs_a_reason_and_raises_sequence(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world)
    before = state()
    with django_capture_on_commit_callbacks() as refused, pytest.raises(ValidationError):
        meeting_cancel(actor=world.manager, meeting=meeting, reason="   ")
    assert state() == before and refused == []
    with django_capture_on_commit_callbacks() as callbacks:
        meeting_cancel(actor=world.team, meeting=meeting, reason="Public holiday")
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == (MeetingStatus.CANCELLED, "Public holiday", 1)
    assert meeting.cancelled_at is not None
    assert calls(callbacks, notifications.meeting_cancelled) == [meeting.pk]
    with pytest.raises(ApplicationError):
        meeting_cancel(actor=world.manager, meeting=meeting, reason="twice")


def test_cancel_refused_for_client(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world)
    before = state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        meeting_cancel(actor=world.client, meeting=meeting, reason="busy")
    assert state() == before and callbacks == []


def test_agenda_update_does_not_touch_the_sequence(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world)
    with django_capture_on_commit_callbacks() as callbacks:
        meeting_update_agenda(actor=world.team, meeting=meeting, agenda="- Demo\n- Budget", expected_version=1)
    meeting.refresh_from_db()
    assert (meeting.agenda, meeting.sequence, meeting.version) == ("- Demo\n- Budget", 0, 2)
    assert callbacks == []
    before = state()
    with pytest.raises(PermissionDenied):
        meeting_update_agenda(actor=world.client_lead, meeting=meeting, agenda="mine")
    with pytest.raises(ConflictError):
        meeting_update_agenda(actor=world.manager, meeting=meeting, agenda="stale", expected_version=1)
    assert state() == before


# --- the agenda that writes itself ---------------------------------------------

def test_agenda_draft_lists_what_the_client_owes_and_last_actions(world):
    today = timezone.localdate()
    f.TaskFactory(project=world.project, owner=world.client, title="Send the logo", due_date=today - dt.timedelta(days=3))
    f.TaskFactory(project=world.project, owner=world.client, title="Not due yet", due_date=today + dt.timedelta(days=3))
    f.TaskFactory(project=world.project, owner=world.team, title="Team overdue", due_date=today - dt.timedelta(days=3))
    f.DecisionFactory(project=world.project, title="Pick the CMS", involvement="approval", status=DecisionStatus.PROPOSED)
    answered = f.DecisionFactory(project=world.project, title="Answered already", status=DecisionStatus.APPROVED)
    f.DecisionResponseFactory(decision=answered, user=world.client_lead)
    f.DecisionFactory(project=world.project, title="Internal call", internal=True, status=DecisionStatus.APPROVED)
    f.RiskFactory(project=world.project, title="Hosting contract expires", severity="high")
    f.RiskFactory(project=world.project, title="Closed risk", status=Risk.Status.CLOSED, closed_at=timezone.now())
    f.RiskFactory(project=world.project, title="Internal risk", internal=True)
    previous = a_meeting(world, hours=-24 * 7)
    Meeting.objects.filter(pk=previous.pk).update(status=MeetingStatus.HELD)
    previous.outcome_tasks.add(f.TaskFactory(project=world.project, owner=world.client_lead, title="Review wireframes"))
    meeting = a_meeting(world)
    with override("en"):
        text = agenda_draft(meeting)
    assert "Overdue client tasks\n- Send the logo — Boris Client" in text
    assert "Decisions awaiting the client\n- Pick the CMS" in text
    assert "Open risks and issues\n- Hosting contract expires (high)" in text
    assert "Actions from the last meeting\n- Review wireframes — Lena Lead (to do)" in text
    for hidden in ("Not due yet", "Team overdue", "Answered already", "Internal call", "Closed risk", "Internal risk"):
        assert hidden not in text


def test_agenda_draft_is_empty_when_nothing_is_pending(world):
    assert agenda_draft(a_meeting(world)) == ""


# --- holding a meeting ---------------------------------------------------------

def test_hold_records_minutes_attendance_and_outcomes(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world, hours=-1)
    due = timezone.localdate() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks() as callbacks:
        meeting_hold(
            actor=world.manager, meeting=meeting, minutes="We agreed the sitemap.",
            attended_user_ids=[world.manager.pk, world.client_lead.pk, world.team.pk],
            outcomes=[
                {"kind": "task", "title": "Send copy for the home page", "owner_id": world.client_lead.pk, "due_date": due},
                {"kind": "decision", "title": "Sitemap v2", "decision": "Go with v2", "involvement": "informed"},
            ],
            share_minutes=False,
        )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes, meeting.minutes_shared, meeting.sequence) == (
        MeetingStatus.HELD, "We agreed the sitemap.", False, 0)
    assert meeting.held_at is not None
    attended = dict(meeting.attendance.values_list("user__email", "attended"))
    assert attended == {"pm@example.com": True, "lead@acme.example": True, "bob@acme.example": False, "dev@example.com": True}
    task = meeting.outcome_tasks.get()
    assert (task.title, task.owner, task.due_date) == ("Send copy for the home page", world.client_lead, due)
    decision = Decision.objects.get(meeting=meeting)
    assert (decision.title, decision.status) == ("Sitemap v2", DecisionStatus.APPROVED)
    assert calls(callbacks, notifications.meeting_recap) == [meeting.pk]
    assert calls(callbacks, notifications.decision_requested) == [decision.pk]
    assert AuditEvent.objects.filter(action="meeting.hold").count() == 1
    assert AuditEvent.objects.filter(action="task.create").count() == 1


def test_team_member_outcome_decision_is_a_proposal(world):
    meeting = a_meeting(world, hours=-1)
    meeting_hold(actor=world.team, meeting=meeting, minutes="m", attended_user_ids=[],
                 outcomes=[{"kind": "decision", "title": "Use Postgres", "decision": "yes", "involvement": "approval"}])
    assert Decision.objects.get(meeting=meeting).status == DecisionStatus.PROPOSED


def test_hold_refusals_change_nothing(world, django_capture_on_commit_callbacks):
    past = a_meeting(world, hours=-1)
    future = a_meeting(world, hours=5)
    before = state()
    good = {"minutes": "m", "attended_user_ids": [world.manager.pk]}
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(PermissionDenied):
            meeting_hold(actor=world.client_lead, meeting=past, **good)
        with pytest.raises(ApplicationError):
            meeting_hold(actor=world.manager, meeting=future, **good)
        with pytest.raises(ValidationError):
            meeting_hold(actor=world.manager, meeting=past, minutes="m", attended_user_ids=[world.outsider.pk])
        with pytest.raises(ValidationError):
            meeting_hold(actor=world.manager, meeting=past, outcomes=[{"kind": "wish", "title": "x"}], **good)
        # A bad outcome after a good one rolls the good one back too.
        with pytest.raises(ValidationError):
            meeting_hold(actor=world.manager, meeting=past, **good, outcomes=[
                {"kind": "task", "title": "ok", "owner_id": world.client.pk},
                {"kind": "task", "title": "no owner", "owner_id": None},
            ])
    assert state() == before and callbacks == []


# --- RSVP ----------------------------------------------------------------------

def test_rsvp_by_an_attendee(world, django_capture_on_commit_callbacks):
    meeting = a_meeting(world)
    with django_capture_on_commit_callbacks() as callbacks:
        attendance = rsvp_set(actor=world.client, meeting=meeting, answer=Rsvp.MAYBE)
    attendance.refresh_from_db()
    assert (attendance.rsvp, attendance.user) == (Rsvp.MAYBE, world.client)
    assert attendance.rsvp_at is not None
    meeting.refresh_from_db()
    assert meeting.sequence == 0 and callbacks == []
    assert AuditEvent.objects.get(action="meeting.rsvp").changes["rsvp"] == {"old": "none", "new": "maybe"}


def test_rsvp_refusals_change_nothing(world):
    meeting = a_meeting(world)
    cancelled = a_meeting(world)
    Meeting.objects.filter(pk=cancelled.pk).update(status=MeetingStatus.CANCELLED, cancel_reason="x")
    past = a_meeting(world, hours=-2)
    before = state()
    with pytest.raises(PermissionDenied):
        rsvp_set(actor=world.team, meeting=meeting, answer=Rsvp.YES)  # a member, but not invited
    with pytest.raises(Http404):
        rsvp_set(actor=world.other_client, meeting=meeting, answer=Rsvp.YES)
    with pytest.raises(ValidationError):
        rsvp_set(actor=world.client, meeting=meeting, answer="perhaps")
    with pytest.raises(ApplicationError):
        rsvp_set(actor=world.client, meeting=cancelled, answer=Rsvp.YES)
    with pytest.raises(ApplicationError):
        rsvp_set(actor=world.client, meeting=past, answer=Rsvp.YES)
    assert state() == before


def test_the_update_after_a_move_says_when_the_meeting_was(world, smtp_sink, django_capture_on_commit_callbacks):
    """Read at a real SMTP server: the update of a moved meeting tells each reader the old time in their own zone
    (the portal's meeting page does), not only "it was changed"."""
    from portal.outbox.services import outbox_send_due

    world.client.time_zone, world.client.language = "Europe/Moscow", "ru"
    world.client.save(update_fields=["time_zone", "language"])
    world.client_lead.time_zone = "America/New_York"
    world.client_lead.save(update_fields=["time_zone"])
    start = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)
    meeting = f.MeetingFactory(project=world.project, title="Sync", starts_at=start, ends_at=start + dt.timedelta(minutes=30))
    for person in (world.client, world.client_lead):
        f.AttendanceFactory(meeting=meeting, user=person)
    with time_machine.travel(dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=start + dt.timedelta(hours=3), reason="Clash")
        outbox_send_due()
    texts = {m["To"]: (m.get_body(("plain",)).get_content(), m.get_body(("html",)).get_content()) for m in smtp_sink.messages}
    lead_text, lead_html = texts[world.client_lead.email]
    assert "This meeting moved. It was Tue 8 Dec, 07:00 New York; the new time is below." in lead_text
    assert "<del>Tue 8 Dec, 07:00 New York</del>" in lead_html
    client_text, client_html = texts[world.client.email]
    assert "Встреча перенесена. Было: Вт 8 декабря, 15:00 Москва; новое время — ниже." in client_text
    assert "<del>Вт 8 декабря, 15:00 Москва</del>" in client_html
    # The reason the manager gave for the move reaches the attendees too, in both parts.
    assert "Why: Clash" in lead_text and "Why: Clash" in lead_html
    assert "Почему: Clash" in client_text and "Почему: Clash" in client_html


def test_the_update_of_a_move_without_a_reason_has_no_why_line(world, smtp_sink, django_capture_on_commit_callbacks):
    from portal.outbox.services import outbox_send_due

    start = dt.datetime(2026, 12, 8, 12, 0, tzinfo=dt.UTC)
    meeting = f.MeetingFactory(project=world.project, title="Sync", starts_at=start, ends_at=start + dt.timedelta(minutes=30))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    with time_machine.travel(dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting_reschedule(actor=world.manager, meeting=meeting, starts_at=start + dt.timedelta(hours=3), reason="  ")
        outbox_send_due()
    [message] = [m for m in smtp_sink.messages if m["To"] == world.client.email]
    assert "This meeting moved." in message.get_body(("plain",)).get_content()
    assert "Why:" not in message.get_body(("plain",)).get_content()
