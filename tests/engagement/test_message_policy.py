"""The notification policy (docs/notifications.md) held by counting: a fortnight of a small project, people in three
zones, the real periodic jobs run every half hour (`send_due_reminders`, `send_weekly_digests`, `send_nudges`, then the
outbox sweep) and the real services for what people do. Every message sent is counted per person, per local day and
per kind; a flood — the same list twice in a day, one e-mail per escalated item, one invitation per occurrence —
changes a count and fails here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine

from engagement.models import Meeting
from engagement.models.decisions import Involvement, ResponseKind
from engagement.services.decisions import decision_record, decision_respond
from engagement.services.digests import digest_send_due
from engagement.services.meetings import meeting_cancel, meeting_reschedule
from engagement.services.nudges import nudges_send
from engagement.services.plan import (
    plan_get_or_create,
    plan_request_sign_off,
    plan_sign_off,
    plan_update,
    stakeholder_add,
)
from engagement.services.reminders import reminders_send_due
from engagement.services.series import series_create
from portal.core.time import WORKING_HOURS
from portal.outbox.models import MessageKind as K
from portal.outbox.models import MessageStatus, OutboundMessage
from portal.outbox.services import outbox_send_due
from projects.models import Role
from projects.services.reports import report_submit
from projects.services.tasks import task_create
from tests import factories as f

pytestmark = pytest.mark.django_db

MSK, NYC, IST = "Europe/Moscow", "America/New_York", "Asia/Kolkata"
START = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)  # Monday
DAYS = 14
STEP = dt.timedelta(minutes=30)


def at(day: int, hour: int, minute: int = 0, tz: str = MSK) -> dt.datetime:
    """Day 0 is Monday 30 November; the wall time is in `tz`."""
    local = dt.datetime.combine(dt.date(2026, 11, 30) + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.UTC)


class People:
    def __init__(self):
        acme = f.ClientFactory(name="Acme", time_zone=MSK)
        # Anna manages; Dmitri is on the team; Lena is the client lead; Boris owns client tasks and never answers;
        # Kira is Boris's backup, in another zone again.
        self.anna = f.StaffFactory(email="anna@rapport.example", full_name="Anna Petrova", time_zone=MSK,
                                   digest_weekday=0, digest_hour=7)
        self.dmitri = f.StaffFactory(email="dmitri@rapport.example", full_name="Dmitri Ivanov", time_zone=MSK)
        self.lena = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme, time_zone=MSK,
                                        language="ru", digest_weekday=0, digest_hour=8)
        self.boris = f.ClientUserFactory(email="boris@acme.example", full_name="Boris Client", organisation=acme,
                                         time_zone=NYC, digest_weekday=4, digest_hour=16)
        self.kira = f.ClientUserFactory(email="kira@acme.example", full_name="Kira Backup", organisation=acme,
                                        time_zone=IST, digest_weekday=2, digest_hour=9)
        self.project = f.ProjectFactory(client=acme, manager=self.anna, name="Acme portal", slug="acme-portal")
        for person, role in ((self.anna, Role.MANAGER), (self.dmitri, Role.TEAM), (self.lena, Role.CLIENT_LEAD),
                             (self.boris, Role.CLIENT), (self.kira, Role.CLIENT)):
            f.MembershipFactory(project=self.project, user=person, role=role)

    def all(self):
        return [self.anna, self.dmitri, self.lena, self.boris, self.kira]


def _plan(p: People) -> None:
    """Monday 10:00 Moscow: the manager sets up the project and asks for everything at once."""
    plan_update(actor=p.anna, project=p.project, client_response_hours=48, expectations="Answers within two days.")
    plan = plan_get_or_create(project=p.project)
    primary = stakeholder_add(actor=p.anna, plan=plan, side="client", user=p.boris, is_primary=True)
    stakeholder_add(actor=p.anna, plan=plan, side="client", user=p.kira, backup_for=primary)
    stakeholder_add(actor=p.anna, plan=plan, side="client", user=p.lena, responsibility="Signs the plan off")
    series_create(actor=p.anna, project=p.project, title="Weekly sync", rrule="FREQ=WEEKLY;BYDAY=TU,TH",
                  first_start_local=dt.datetime(2026, 12, 1, 11, 0), time_zone=MSK, duration_minutes=60,
                  attendees=p.all())
    p.copy = task_create(actor=p.anna, project=p.project, title="Homepage copy", owner=p.boris,
                         due_date=dt.date(2026, 12, 4), report_cadence_days=3)
    p.brand = task_create(actor=p.anna, project=p.project, title="Brand assets", owner=p.boris,
                          due_date=dt.date(2026, 12, 11), report_cadence_days=7)
    p.legal = task_create(actor=p.anna, project=p.project, title="Legal review", owner=p.lena, report_cadence_days=7)
    p.hosting = decision_record(actor=p.anna, project=p.project, title="Hosting provider", involvement=Involvement.APPROVAL,
                                context="EU or US region", decision="EU region")
    p.analytics = decision_record(actor=p.anna, project=p.project, title="Analytics vendor",
                                  involvement=Involvement.CONSULTED, decision="Matomo")
    plan_request_sign_off(actor=p.anna, plan=plan_get_or_create(project=p.project))


def _occurrence(p: People, day: int) -> Meeting:
    return Meeting.objects.get(project=p.project, original_start=at(day, 11))


def _answer(p: People, person) -> None:
    decision_respond(actor=person, decision=p.hosting, kind=ResponseKind.APPROVED)
    decision_respond(actor=person, decision=p.analytics, kind=ResponseKind.ACKNOWLEDGED)


ACTIONS = {
    at(0, 10): _plan,
    # Tuesday: Lena and Kira answer both decisions (after their morning nudge); Boris never answers.
    at(1, 10): lambda p: _answer(p, p.lena),
    at(1, 11, tz=IST): lambda p: _answer(p, p.kira),
    # Wednesday: Thursday's meeting moves to Friday; Lena signs the plan off and reports on her task.
    at(2, 10): lambda p: meeting_reschedule(actor=p.anna, meeting=_occurrence(p, 3), starts_at=at(4, 11)),
    at(2, 15): lambda p: plan_sign_off(actor=p.lena, plan=plan_get_or_create(project=p.project),
                                      version=plan_get_or_create(project=p.project).version),
    at(2, 16): lambda p: report_submit(actor=p.lena, task=p.legal, percent=50, state="on_track"),
    # Thursday 10:00 New York: Boris reports "Homepage copy" blocked.
    at(3, 10, tz=NYC): lambda p: report_submit(actor=p.boris, task=p.copy, percent=20, state="blocked",
                                               blockers="No access to the CMS"),
    # Next Tuesday: Thursday's meeting of the second week is cancelled; Lena reports again on Wednesday.
    at(8, 9): lambda p: meeting_cancel(actor=p.anna, meeting=_occurrence(p, 10), reason="Public holiday"),
    at(9, 16): lambda p: report_submit(actor=p.lena, task=p.legal, percent=80, state="on_track"),
}


def _run_fortnight(django_capture_on_commit_callbacks, days: int = DAYS) -> People:
    with time_machine.travel(START, tick=False):
        people = People()
    now = START
    while now < START + dt.timedelta(days=days):
        with time_machine.travel(now, tick=False):
            action = ACTIONS.get(now)
            if action is not None:
                with django_capture_on_commit_callbacks(execute=True):
                    action(people)
            reminders_send_due(now=now)  # every minute in production; meetings start on the hour
            digest_send_due(now=now)  # every 15 minutes in production; digest hours are whole hours
            if now.minute == 30:
                nudges_send(now=now)  # hourly at :30 in production
            outbox_send_due(now=now)
        now += STEP
    return people


def _tally() -> Counter:
    """(person, local date, kind) -> messages sent."""
    counts = Counter()
    for row in OutboundMessage.objects.filter(status=MessageStatus.SENT).select_related("recipient"):
        person = row.recipient
        counts[(person.email.split("@")[0], _local(row.sent_at, person.time_zone), row.kind)] += 1
    return counts


def _local(moment: dt.datetime, tz: str) -> dt.date:
    return moment.astimezone(ZoneInfo(tz)).date()


def _totals(tally: Counter) -> dict[str, dict[str, int]]:
    totals: dict[str, Counter] = {}
    for (person, _day, kind), n in tally.items():
        totals.setdefault(person, Counter())[kind] += n
    return {person: dict(kinds) for person, kinds in totals.items()}


def _days(tally: Counter, person: str, kind: str) -> list[dt.date]:
    return sorted(day for (who, day, what), n in tally.items() if who == person and what == kind for _ in range(n))


def d(day: int) -> dt.date:
    return dt.date(2026, 11, 30) + dt.timedelta(days=day)


# The meeting series has occurrences on Tue 1, (Thu 3 moved to) Fri 4, Tue 8 and (Thu 10, cancelled) in the
# fortnight: one invitation to the series, a 24 h and a 1 h reminder for each held one, one update for the move,
# one cancellation.
MEETING_MAIL = {K.MEETING_INVITE: 1, K.REMINDER: 6, K.MEETING_UPDATE: 1, K.CANCELLATION: 1}
EXPECTED = {
    # The manager: two weekly digests; one escalation notice per run that escalated something (Wed 2: the
    # acknowledgement Boris owes; Tue 8: "Homepage copy"; Wed 9: "Brand assets"); Boris's blocked report.
    "anna": {K.MANAGER_DIGEST: 2, K.ESCALATION: 3, K.TASK_BLOCKED: 1, **MEETING_MAIL},
    "dmitri": {**MEETING_MAIL},
    # Lena: one message with Monday's requests (the two decisions, the sign-off, her task); Tuesday's nudge (she
    # answers at 10:00, after it); her Monday digests. No nudge on Monday 30: the requests of that day said it all,
    # and it is her digest day.
    "lena": {K.REQUESTS: 1, K.NUDGE: 1, K.DIGEST: 2, **MEETING_MAIL},
    # Boris never answers: his two tasks and two decisions in one message in his Monday morning, then one nudge each
    # working morning from Tuesday, none on his Friday digest days.
    "boris": {K.REQUESTS: 1, K.NUDGE: 7, K.DIGEST: 2, **MEETING_MAIL},
    # Kira: both decisions in one message; she answers on Tuesday after her nudge; as Boris's backup she gets one
    # bundle per run that escalated something.
    "kira": {K.REQUESTS: 1, K.NUDGE: 1, K.DIGEST: 2, K.ESCALATION: 3, **MEETING_MAIL},
}
BUNDLED = (K.NUDGE, K.ESCALATION, K.DIGEST, K.MANAGER_DIGEST, K.SIGN_OFF_REQUEST, K.TASK_BLOCKED, K.REQUESTS)
IN_WORKING_HOURS = (K.TASK_ASSIGNED, K.SIGN_OFF_REQUEST, K.DECISION_REQUEST, K.TASK_BLOCKED, K.NUDGE, K.ESCALATION,
                    K.REQUESTS)


def test_a_fortnight_of_messages_per_person_day_and_kind(django_capture_on_commit_callbacks):
    p = _run_fortnight(django_capture_on_commit_callbacks)
    tally = _tally()

    totals = _totals(tally)
    assert totals == EXPECTED

    # At most one of each bundled kind per person per local day.
    assert {key: n for key, n in tally.items() if key[2] in BUNDLED and n > 1} == {}
    # Boris: a nudge each working morning but the first (the requests said it) and his Friday digest days.
    assert _days(tally, "boris", K.NUDGE) == [d(1), d(2), d(3), d(7), d(8), d(9), d(10)]
    assert _days(tally, "boris", K.DIGEST) == [d(4), d(11)]
    # No nudge on anyone's digest day.
    for person in p.all():
        name = person.email.split("@")[0]
        assert not set(_days(tally, name, K.NUDGE)) & set(_days(tally, name, K.DIGEST) + _days(tally, name, K.MANAGER_DIGEST))
    # Escalations: Kira hears in her morning (the runs are in Boris's, her evening), one bundle per run.
    assert _days(tally, "kira", K.ESCALATION) == [d(3), d(9), d(10)]
    first = OutboundMessage.objects.filter(kind=K.ESCALATION, recipient=p.kira).order_by("send_after").first()
    # Lena approved the hosting decision on Tuesday: an approval given asks nobody else, so only the
    # acknowledgement Boris still owes is escalated.
    assert first.payload["items"] == [f"decision-{p.analytics.pk}"]
    assert first.subject == "Can you cover for Boris Client? “Analytics vendor” needs an answer"
    # What is not tied to a moment lands in the recipient's working hours, in their own zone.
    start, end = WORKING_HOURS
    for row in OutboundMessage.objects.filter(status=MessageStatus.SENT, kind__in=IN_WORKING_HOURS).select_related("recipient"):
        local = row.sent_at.astimezone(ZoneInfo(row.recipient.time_zone))
        assert local.weekday() < 5 and start <= local.hour < end, (row.kind, row.recipient.email, local)
    # Nothing left behind: every message queued in the fortnight was sent, or dropped for a reason.
    # (A request told within its person's bundle is `bundled`.)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) <= {
        MessageStatus.SENT, MessageStatus.SUPERSEDED, MessageStatus.BUNDLED}


def test_a_fortnight_brings_one_invitation_per_series_and_attendee(django_capture_on_commit_callbacks):
    p = _run_fortnight(django_capture_on_commit_callbacks, days=3)
    invitations = Counter(OutboundMessage.objects.filter(kind=K.MEETING_INVITE, status=MessageStatus.SENT)
                          .values_list("recipient__email", flat=True))
    assert invitations == {person.email: 1 for person in p.all()}


def test_mentions_on_three_threads_in_a_day_are_one_message_per_person(django_capture_on_commit_callbacks):
    """Tuesday: the manager mentions Lena (Moscow) on three threads within minutes and Boris (New York) on three
    threads through the Moscow day, before his working hours begin. Each hears once: one bundled e-mail."""
    from conversations.permissions import thread_access
    from conversations.services import comment_post

    with time_machine.travel(START, tick=False):
        p = People()
        tasks = [task_create(actor=p.anna, project=p.project, title=title, owner=p.dmitri)
                 for title in ("Homepage copy", "Logo files", "Legal pages")]

    def mention(person, task):
        thread = thread_access(user=p.anna, slug=p.project.slug, kind="tasks", pk=task.pk)
        comment_post(actor=p.anna, thread=thread, body=f"@{person.email} a look at {task.title}, please?")

    actions = {at(1, 10): [(p.lena, tasks[0]), (p.boris, tasks[0])], at(1, 10, 5): [(p.lena, tasks[1]), (p.lena, tasks[2])],
               at(1, 12): [(p.boris, tasks[1])], at(1, 14): [(p.boris, tasks[2])]}
    now = at(1, 0)
    while now < at(2, 0):
        with time_machine.travel(now, tick=False):
            for person, task in actions.get(now, []):
                with django_capture_on_commit_callbacks(execute=True):
                    mention(person, task)
            outbox_send_due(now=now)
        now += dt.timedelta(minutes=5)
    tally = {key: n for key, n in _tally().items() if key[2] == K.NOTICE}
    # Lena: the three mentions fall in one bundle window (the first waits COMMENT_MAIL_DELAY_MINUTES); Boris's wait
    # for his morning in New York and go together.
    assert tally == {("lena", d(1), K.NOTICE): 1, ("boris", d(1), K.NOTICE): 1}
    for person in (p.lena, p.boris):
        [row] = OutboundMessage.objects.filter(kind=K.NOTICE, recipient=person)
        assert all(title in row.body_text for title in ("Homepage copy", "Logo files", "Legal pages"))
