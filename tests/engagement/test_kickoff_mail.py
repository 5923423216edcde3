"""A client's kick-off day, counted: e-mails per person per local day (portal/outbox/bundles.py).

Monday 30 November, Moscow. At 09:30 the manager invites Ivan, a new contact; he accepts at 09:50. At 10:00 she adds
Lena, who already has an account from another project, as the client lead, schedules a weekly meeting for both,
gives Lena three tasks and Ivan one, asks two decisions and the plan's sign-off; at 10:05 one more task for Lena.
Every "please act" e-mail of that burst is a request that waits for the bundle window: each person gets one message
listing what waits for them (plus the portal invitation and the meeting's calendar invitation, which are messages
of their own). Before bundling, Lena got nine e-mails that morning and Ivan five.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend
from django.utils import translation

from engagement.models import DecisionResponse
from engagement.models.decisions import Involvement, ResponseKind
from engagement.services.decisions import decision_record, decision_respond
from engagement.services.plan import plan_get_or_create, plan_request_sign_off
from engagement.services.series import series_create
from portal.outbox.bundles import _summary
from portal.outbox.models import MessageKind as K
from portal.outbox.models import MessageStatus, OutboundMessage
from portal.outbox.services import outbox_send_due
from projects.models import Role
from projects.services.invitations import invitation_accept, invitation_create, invitation_token
from projects.services.tasks import task_assign, task_create
from tests import factories as f

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 30, hour, minute, tzinfo=MSK).astimezone(dt.UTC)


class Kickoff:
    def __init__(self):
        acme = f.ClientFactory(name="Acme", time_zone="Europe/Moscow")
        self.anna = f.StaffFactory(email="anna@rapport.example", full_name="Anna Petrova", time_zone="Europe/Moscow")
        # Lena already works with the team on another project: inviting her adds her at once.
        self.lena = f.ClientUserFactory(email="lena@acme.example", full_name="Lena Lead", organisation=acme,
                                        time_zone="Europe/Moscow", digest_weekday=3)
        intranet = f.ProjectFactory(client=acme, manager=self.anna, name="Acme intranet", slug="acme-intranet")
        f.MembershipFactory(project=intranet, user=self.anna, role=Role.MANAGER)
        f.MembershipFactory(project=intranet, user=self.lena, role=Role.CLIENT)
        self.project = f.ProjectFactory(client=acme, manager=self.anna, name="Acme portal", slug="acme-portal")
        f.MembershipFactory(project=self.project, user=self.anna, role=Role.MANAGER)
        self.ivan = None

    def invite_ivan(self):
        self.invitation = invitation_create(actor=self.anna, project=self.project, email="ivan@acme.example", role=Role.CLIENT)

    def ivan_accepts(self):
        self.ivan = invitation_accept(token=invitation_token(self.invitation), full_name="Ivan Petrov", password="a-long-passphrase-42",
                                      time_zone="Europe/Moscow", language="ru")

    def set_up(self):
        invitation_create(actor=self.anna, project=self.project, email=self.lena.email, role=Role.CLIENT_LEAD)
        series_create(actor=self.anna, project=self.project, title="Weekly sync", rrule="FREQ=WEEKLY;BYDAY=TU",
                      first_start_local=dt.datetime(2026, 12, 1, 11, 0), time_zone="Europe/Moscow", duration_minutes=60,
                      attendees=[self.anna, self.lena, self.ivan])
        self.tasks = [task_create(actor=self.anna, project=self.project, title=title, owner=self.lena,
                                  due_date=dt.date(2026, 12, 11)) for title in ("Homepage copy", "Brand assets", "Legal review")]
        task_create(actor=self.anna, project=self.project, title="Content inventory", owner=self.ivan)
        self.hosting = decision_record(actor=self.anna, project=self.project, title="Hosting provider",
                                       involvement=Involvement.APPROVAL, decision="EU region")
        self.analytics = decision_record(actor=self.anna, project=self.project, title="Analytics vendor",
                                         involvement=Involvement.CONSULTED, decision="Matomo")
        plan_request_sign_off(actor=self.anna, plan=plan_get_or_create(project=self.project))

    def one_more_task(self):
        self.tasks.append(task_create(actor=self.anna, project=self.project, title="Sitemap", owner=self.lena))


def _run_day(capture, actions: dict) -> None:
    now = at(9)
    while now < at(20):
        with time_machine.travel(now, tick=False):
            for action in actions.get(now, []):
                with capture(execute=True):
                    action()
            outbox_send_due(now=now)
        now += dt.timedelta(minutes=5)


def _kickoff(capture, extra: dict | None = None) -> Kickoff:
    with time_machine.travel(at(8), tick=False):
        k = Kickoff()
    actions = {at(9, 30): [k.invite_ivan], at(9, 50): [k.ivan_accepts], at(10): [k.set_up], at(10, 5): [k.one_more_task]}
    for moment, more in (extra or {}).items():
        actions.setdefault(moment, []).append(more(k))
    _run_day(capture, actions)
    return k


def _per_person_day() -> Counter:
    sent = OutboundMessage.objects.filter(status=MessageStatus.SENT)
    return Counter((row.to_email.split("@")[0], row.sent_at.astimezone(MSK).date().isoformat(), row.kind) for row in sent)


def test_a_kickoff_day_is_one_message_of_requests_per_person(django_capture_on_commit_callbacks, mailoutbox):
    k = _kickoff(django_capture_on_commit_callbacks)

    day = "2026-11-30"
    assert _per_person_day() == {
        ("ivan", day, K.INVITATION): 1, ("ivan", day, K.MEETING_INVITE): 1, ("ivan", day, K.REQUESTS): 1,
        ("lena", day, K.MEETING_INVITE): 1, ("lena", day, K.REQUESTS): 1,
        ("anna", day, K.MEETING_INVITE): 1,
    }
    # Each request is still its own row, told by the one message: nothing waits, nothing is lost.
    [bundle] = OutboundMessage.objects.filter(recipient=k.lena, kind=K.REQUESTS)
    told = OutboundMessage.objects.filter(recipient=k.lena, status=MessageStatus.BUNDLED)
    # The first request queued ("added to the project") carried the message; the others were told in it.
    assert bundle.dedupe_key.startswith("member:")
    assert Counter(told.values_list("kind", flat=True)) == {K.DECISION_REQUEST: 2, K.TASK_ASSIGNED: 4, K.SIGN_OFF_REQUEST: 1}
    assert {row.payload["told_by"] for row in told} == {bundle.pk}
    assert not OutboundMessage.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).exists()
    # Working hours, and the bundle window after the 10:05 task: it went at 10:10.
    assert bundle.sent_at.astimezone(MSK).time() == dt.time(10, 10)

    [message] = [m for m in mailoutbox if m.to == [k.lena.email] and m.extra_headers["X-Rapport-Kind"] == K.REQUESTS]
    assert message.subject == ("You were added to “Acme portal” on Rapport · Waiting for you: 4 tasks, 2 decisions, "
                               "the communication plan to sign off")
    html = message.alternatives[0][0]
    for title in ("Homepage copy", "Brand assets", "Legal review", "Sitemap", "Hosting provider", "Analytics vendor"):
        assert title in message.body and title in html
    assert "Read and sign off: http" in message.body and "version 1" in message.body
    assert message.reply_to == [k.anna.email]
    # Every link of the HTML part is in the text part too.
    hrefs = set(re.findall(r'href="([^"]+)"', html)) - {m for m in re.findall(r'href="([^"]+)"', html) if m.startswith("mailto:")}
    assert hrefs and all(href.replace("&amp;", "&") in message.body for href in hrefs)


def test_the_one_click_links_of_a_bundle_work_as_in_a_single_request(django_capture_on_commit_callbacks, mailoutbox, client):
    k = _kickoff(django_capture_on_commit_callbacks)
    [message] = [m for m in mailoutbox if m.to == [k.lena.email] and m.extra_headers["X-Rapport-Kind"] == K.REQUESTS]
    approve = re.search(r"Approve: (\S+)", message.body).group(1)
    assert "/e/a/" in approve
    with time_machine.travel(at(11), tick=False):
        assert client.get(approve).status_code == 200
        assert not DecisionResponse.objects.filter(decision=k.hosting).exists()  # a GET changes nothing
        assert client.post(approve).status_code == 200
    assert DecisionResponse.objects.get(decision=k.hosting).kind == ResponseKind.APPROVED
    assert DecisionResponse.objects.get(decision=k.hosting).user == k.lena


def test_what_was_bundled_is_on_the_persons_my_work_page(django_capture_on_commit_callbacks, client):
    k = _kickoff(django_capture_on_commit_callbacks)
    client.force_login(k.lena)
    with time_machine.travel(at(11), tick=False):
        page = client.get("/").content.decode()
    for title in ("Homepage copy", "Brand assets", "Legal review", "Sitemap", "Hosting provider", "Analytics vendor"):
        assert title in page
    assert "/projects/acme-portal/plan/" in page


def test_a_decision_answered_before_the_bundle_goes_is_not_asked_in_it(django_capture_on_commit_callbacks, mailoutbox):
    def lena_approves(k):
        return lambda: decision_respond(actor=k.lena, decision=k.hosting, kind=ResponseKind.APPROVED)

    k = _kickoff(django_capture_on_commit_callbacks, extra={at(10, 5): lena_approves})
    [message] = [m for m in mailoutbox if m.to == [k.lena.email] and m.extra_headers["X-Rapport-Kind"] == K.REQUESTS]
    assert "Hosting provider" not in message.body and "Analytics vendor" in message.body
    assert "1 decision" in message.subject
    row = OutboundMessage.objects.get(recipient=k.lena, kind=K.DECISION_REQUEST, payload__decision=k.hosting.pk)
    assert (row.status, row.last_error) == (MessageStatus.SKIPPED, "no longer waiting")


def test_a_lone_request_that_stopped_waiting_is_not_sent(world, django_capture_on_commit_callbacks, mailoutbox):
    with time_machine.travel(at(10), tick=False), django_capture_on_commit_callbacks(execute=True):
        task = task_create(actor=world.manager, project=world.project, title="Homepage copy", owner=world.client)
    with time_machine.travel(at(10, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        task_create(actor=world.manager, project=world.project, title="Other", owner=world.client_lead)
        task_assign(actor=world.manager, task=task, owner=world.client_lead)
    outbox_send_due(now=at(12))
    assert [m.to[0] for m in mailoutbox] == [world.client_lead.email]  # Boris's request went with the task
    assert mailoutbox[0].extra_headers["X-Rapport-Kind"] == K.REQUESTS  # Lena's two tasks: one message


def test_a_request_told_this_morning_is_not_nudged_again_the_same_morning(world, django_capture_on_commit_callbacks):
    """A decision asked at 22:00 reaches the lead at 08:00 the next morning; the 09:00 nudge does not repeat it."""
    from engagement.services.nudges import nudges_send

    tuesday = dt.datetime(2026, 12, 1, 9, 30, tzinfo=MSK).astimezone(dt.UTC)
    with time_machine.travel(tuesday - dt.timedelta(hours=11, minutes=30), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        decision_record(actor=world.manager, project=world.project, title="Hosting provider",
                        involvement=Involvement.CONSULTED, decision="EU region")
    with time_machine.travel(tuesday - dt.timedelta(hours=1, minutes=30), tick=False):
        assert outbox_send_due() == {"sent": 2}  # Lena's and Boris's requests, at 08:00
    with time_machine.travel(tuesday, tick=False):
        nudges_send(now=tuesday)
        nudges_send(now=tuesday + dt.timedelta(days=1))
    nudged = OutboundMessage.objects.filter(kind=K.NUDGE, recipient=world.client_lead)
    assert [row.dedupe_key for row in nudged] == [f"nudge:{world.client_lead.pk}:2026-12-02"]  # Wednesday's, not Tuesday's


class FlakyBackend(EmailBackend):
    """The SMTP server refuses the first message (a 4xx), then accepts."""

    failed = False

    def send_messages(self, messages):
        if not FlakyBackend.failed:
            FlakyBackend.failed = True
            raise smtplib.SMTPResponseException(451, b"try again later")
        return super().send_messages(messages)


def test_a_bundle_retried_after_a_refusal_loses_nothing(world, django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failed = False
    with time_machine.travel(at(10), tick=False), django_capture_on_commit_callbacks(execute=True):
        for title in ("One", "Two", "Three"):
            task_create(actor=world.manager, project=world.project, title=title, owner=world.client)
    assert outbox_send_due(now=at(10, 15)) == {"retry": 1, "not-claimed": 2}
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}
    outbox_send_due(now=at(12))
    [message] = mailoutbox
    assert all(title in message.body for title in ("One", "Two", "Three"))
    assert Counter(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT: 1, MessageStatus.BUNDLED: 2}


def test_the_russian_bundle(django_capture_on_commit_callbacks, mailoutbox):
    k = _kickoff(django_capture_on_commit_callbacks)
    [message] = [m for m in mailoutbox if m.to == [k.ivan.email] and m.extra_headers["X-Rapport-Kind"] == K.REQUESTS]
    assert message.extra_headers["Content-Language"] == "ru"
    assert message.subject.startswith("Ждут вас: 1 задача, ")
    assert "Content inventory" in message.body and "Здравствуйте, Ivan" in message.body
    assert "Всё, что ждёт вас" in message.body


@pytest.mark.parametrize(("n", "tasks", "decisions"), [
    (1, "1 задача", "1 решение"), (2, "2 задачи", "2 решения"), (5, "5 задач", "5 решений"), (11, "11 задач", "11 решений"),
    (21, "21 задача", "21 решение"), (22, "22 задачи", "22 решения"), (25, "25 задач", "25 решений"),
])
def test_russian_counts(n, tasks, decisions):
    with translation.override("ru"):
        summary = _summary({"tasks": [{}] * n, "decisions": [{}] * n, "sign_offs": [{}]})
    assert summary == f"{tasks}, {decisions}, план коммуникаций на подпись"

