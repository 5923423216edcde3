"""Weekly digests: who is due when, what a client digest holds (and never holds), the manager digest, reruns."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from engagement.models import ActionLink, Digest
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.selectors.digests import client_digest_contexts, manager_digest_context
from engagement.services import digests as digest_service
from engagement.services.digests import (
    digest_build_many,
    digest_due,
    digest_due_batches,
    digest_send_batch,
    digest_send_due,
    digest_slot,
)
from portal.outbox import services
from portal.outbox.models import MessageKind, OutboundMessage
from projects.models import Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db
# Monday 30 Nov 2026, 08:00 in Moscow (the client's zone) is 05:00 UTC.
MONDAY_8_MSK = dt.datetime(2026, 11, 30, 5, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _an_hour_before_the_digests():
    """The tests' data exists shortly before the Monday they build digests for, whatever today's date is
    (the outbox sends nothing queued after the `now` it is given)."""
    with time_machine.travel(MONDAY_8_MSK - dt.timedelta(hours=1)):
        yield


def _silence_staff(world):
    for person in (world.manager, world.team, world.outsider):
        person.email_digest = False
        person.save()


def test_slot_is_local_weekday_and_hour():
    slot = digest_slot(now=MONDAY_8_MSK, time_zone="Europe/Moscow", weekday=0, hour=8)
    assert slot.at == MONDAY_8_MSK and slot.iso_week == "2026-W49"


def test_due_only_from_the_slot_and_only_once(world):
    _silence_staff(world)
    assert digest_due(now=MONDAY_8_MSK - dt.timedelta(minutes=15))["client"] == []
    due = digest_due(now=MONDAY_8_MSK)["client"]
    assert set(due) == {world.client.pk, world.client_lead.pk, world.other_client.pk}
    assert digest_send_due(now=MONDAY_8_MSK) == 3
    assert digest_send_due(now=MONDAY_8_MSK) == 0
    assert digest_send_due(now=MONDAY_8_MSK + dt.timedelta(minutes=15)) == 0
    assert digest_due(now=MONDAY_8_MSK + dt.timedelta(minutes=15))["client"] == []
    assert Digest.objects.count() == 3 and OutboundMessage.objects.filter(kind=MessageKind.DIGEST).count() == 3


def _content_world(world):
    project, now = world.project, MONDAY_8_MSK
    overdue = f.TaskFactory(project=project, owner=world.client, title="Homepage copy", due_date=dt.date(2026, 11, 25))
    f.TaskFactory(project=project, owner=world.client, title="Logo files", due_date=dt.date(2026, 12, 20))
    f.TaskFactory(project=project, owner=world.team, title="Secret estimate", internal=True)
    f.TaskFactory(project=world.other_project, owner=world.other_client, title="Globex task")
    awaiting = f.DecisionFactory(project=project, title="Hosting provider", involvement=Involvement.CONSULTED,
                                 status=DecisionStatus.APPROVED, requested_at=now - dt.timedelta(days=1))
    f.DecisionFactory(project=project, title="Internal pricing", internal=True, requested_at=now)
    f.DecisionFactory(project=world.other_project, title="Globex decision", involvement=Involvement.CONSULTED, requested_at=now)
    answered = f.DecisionFactory(project=project, title="Already answered", involvement=Involvement.CONSULTED, requested_at=now)
    f.DecisionResponseFactory(decision=answered, user=world.client)
    meeting = f.MeetingFactory(project=project, title="Weekly sync", starts_at=now + dt.timedelta(days=2),
                               ends_at=now + dt.timedelta(days=2, hours=1))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.RiskFactory(project=project, title="Vendor delay")
    f.RiskFactory(project=project, title="Internal risk", internal=True)
    report_task = f.TaskFactory(project=project, owner=world.client_lead, title="Content plan")
    with time_machine.travel(now - dt.timedelta(hours=20), tick=False):
        f.ProgressReportFactory(task=report_task, percent=60, note="Half way")
    return overdue, awaiting, meeting


def test_client_digest_content_and_delivery(world, smtp_sink):
    _silence_staff(world)
    overdue, awaiting, meeting = _content_world(world)
    with time_machine.travel(MONDAY_8_MSK, tick=False):
        digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
        assert services.outbox_send_due() == {services.SENT: 1}

    digest = Digest.objects.get(recipient=world.client)
    assert digest.iso_week == "2026-W49" and digest.message.status == "sent"
    assert digest.content["overdue"] == [overdue.pk]
    assert digest.content["decisions_awaiting"] == [awaiting.pk]
    assert digest.content["meetings"] == [meeting.pk]
    [message] = smtp_sink.messages
    assert message["To"] == world.client.email
    assert message["Subject"].strip() == "4 items need you · Acme portal, 30 Nov – 6 Dec"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for expected in ("Homepage copy", "Logo files", "Hosting provider", "Weekly sync", "Vendor delay", "Content plan", "Acme portal"):
        assert expected in text and expected in html
    for absent in ("Secret estimate", "Internal pricing", "Internal risk", "Globex", "Already answered"):
        assert absent not in text and absent not in html
    assert "/e/a/" in text and "overdue by 5 days" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["X-Entity-Ref-ID"] and message["In-Reply-To"] is None and message["References"] is None
    assert message["Reply-To"] == world.manager.email
    assert message["Message-ID"] == digest.message.message_id
    assert "<script" not in html and 'lang="en"' in html


def test_nothing_due_digest_is_sent_and_says_so(world, mailoutbox):
    _silence_staff(world)
    digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
    services.outbox_send_due(now=MONDAY_8_MSK)
    [message] = mailoutbox
    assert "nothing needed from you" in message.subject
    assert "30 Nov – 6 Dec" in message.subject


def test_russian_digest_uses_genitive_months(world, mailoutbox):
    _silence_staff(world)
    world.client.language = "ru"
    world.client.save()
    digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
    services.outbox_send_due(now=MONDAY_8_MSK)
    assert "30 ноября – 6 декабря" in mailoutbox[0].subject
    assert mailoutbox[0].extra_headers["Content-Language"] == "ru"


def test_client_digest_query_count_does_not_grow_with_items(world):
    _silence_staff(world)

    def queries_for(person, n):
        for i in range(n):
            f.TaskFactory(project=world.project, owner=person, title=f"T{i}", due_date=dt.date(2026, 11, 20))
            d = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, requested_at=MONDAY_8_MSK)
            m = f.MeetingFactory(project=world.project, starts_at=MONDAY_8_MSK + dt.timedelta(days=1, hours=i),
                                 ends_at=MONDAY_8_MSK + dt.timedelta(days=1, hours=i, minutes=30))
            f.AttendanceFactory(meeting=m, user=person)
            assert d
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as ctx:
            digest_send_batch(kind="client", person_ids=[person.pk], now=MONDAY_8_MSK)
        return len(ctx.captured_queries)

    one = queries_for(world.client, 1)
    many = queries_for(world.client_lead, 15)
    assert many == one


def test_caps_show_ten_and_the_rest_as_more(world, mailoutbox):
    _silence_staff(world)
    for i in range(30):
        f.TaskFactory(project=world.project, owner=world.client, title=f"Overdue {i}", due_date=dt.date(2026, 11, 1))
    digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
    services.outbox_send_due(now=MONDAY_8_MSK)
    text = mailoutbox[0].body
    assert text.count("overdue by") == 10 and "and 20 more in Rapport" in text
    html = mailoutbox[0].alternatives[0][0]
    assert len(html.encode()) < 80 * 1024


def test_reports_show_the_newest_per_task_ten_at_most(world, mailoutbox):
    _silence_staff(world)
    busy = f.TaskFactory(project=world.project, owner=world.client, title="Daily stand-up notes")
    for hours in range(1, 200):  # a task reported on every hour of the week: one line, its newest report
        f.ProgressReportFactory(task=busy, author=world.client, percent=min(hours, 99), state="on_track",
                                created_at=MONDAY_8_MSK - dt.timedelta(hours=hours))
    for i in range(12):
        task = f.TaskFactory(project=world.project, owner=world.client, title=f"Page {i}")
        f.ProgressReportFactory(task=task, author=world.client, percent=50, state="on_track",
                                created_at=MONDAY_8_MSK - dt.timedelta(days=3, minutes=i))
    digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
    services.outbox_send_due(now=MONDAY_8_MSK)

    text = mailoutbox[0].body
    section = text.split("Reports submitted in the last 7 days")[1]
    assert section.count("Daily stand-up notes") == 1 and "Daily stand-up notes — Boris Client: 1%" in section
    assert section.count(" — Boris Client: ") == 10 and "and 3 more" in section
    html = mailoutbox[0].alternatives[0][0]
    reports_html = html.split("Reports submitted in the last 7 days")[1].split("<h2")[0]
    assert reports_html.count("Daily stand-up notes") == 1 and reports_html.count("<li") == 10
    assert len(html.encode()) < 80 * 1024


def test_a_busy_weeks_reports_are_read_one_row_per_task(world, postgres):
    # a task reported on every hour of the week and two quiet ones: the digest reads three report rows, not 170
    busy = f.TaskFactory(project=world.project, owner=world.client, title="Hourly")
    f.ProgressReportFactory.create_batch(3, task=f.TaskFactory(project=world.project, owner=world.client),
                                         author=world.client, created_at=MONDAY_8_MSK - dt.timedelta(days=2))
    f.ProgressReportFactory(task=f.TaskFactory(project=world.project, owner=world.client), author=world.client,
                            created_at=MONDAY_8_MSK - dt.timedelta(days=1))
    for hours in range(1, 168):
        f.ProgressReportFactory(task=busy, author=world.client, created_at=MONDAY_8_MSK - dt.timedelta(hours=hours))
    rows = []

    def count_rows(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if 'FROM "projects_progressreport"' in sql and sql.lstrip().startswith("SELECT"):
            rows.append(context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(count_rows):
        contexts = client_digest_contexts(people=[world.client], week_starts={world.client.pk: MONDAY_8_MSK.date()},
                                          now=MONDAY_8_MSK)

    assert rows == [3]
    assert [r.task.title for r in contexts[world.client.pk]["reports"]][0] == "Hourly"


def test_manager_digest(world, mailoutbox):
    for person in (world.client, world.client_lead, world.other_client, world.team, world.outsider):
        person.email_digest = False
        person.save()
    world.manager.time_zone = "Europe/Berlin"
    world.manager.save()
    f.TaskFactory(project=world.project, owner=world.client, title="Late", due_date=dt.date(2026, 11, 2))
    f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.CONSULTED,
                      requested_at=MONDAY_8_MSK - dt.timedelta(days=5))
    f.HealthSnapshotFactory(project=world.project, level="at_risk", iso_year=2026, iso_week=48)
    now = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)  # 08:00 Berlin
    assert digest_due(now=now) == {"client": [], "manager": [world.manager.pk]}
    assert digest_send_due(now=now) == 1
    services.outbox_send_due(now=now)
    [message] = mailoutbox
    assert message.subject == "Engagement health, 30 Nov – 6 Dec: 1 at risk, 0 watch of 2 projects"
    assert "Hosting provider" in message.body and "At risk" in message.body
    assert message.extra_headers["X-Rapport-Kind"] == MessageKind.MANAGER_DIGEST
    assert digest_send_due(now=now) == 0


def test_command_runs_the_same_job_twice_safely(world, capsys):
    _silence_staff(world)
    call_command("send_weekly_digests", "--now", MONDAY_8_MSK.isoformat())
    call_command("send_weekly_digests", "--now", MONDAY_8_MSK.isoformat())
    assert Digest.objects.count() == 3
    assert "3 digest(s) queued" in capsys.readouterr().out


ZONES = ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def test_a_year_of_digests_in_five_zones(world):
    """Every week exactly one digest per person, built at their local weekday and hour, across DST changes."""
    _silence_staff(world)
    for person in (world.client, world.client_lead, world.other_client):
        Membership.objects.filter(user=person).delete()
    people = []
    for i, zone_name in enumerate(ZONES):
        person = f.ClientUserFactory(time_zone=zone_name, organisation=world.project.client, digest_weekday=i % 7,
                                     digest_hour=(8 + i) % 24)
        Membership.objects.create(project=world.project, user=person, role=Role.CLIENT)
        people.append(person)
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    end = dt.datetime(2027, 1, 4, tzinfo=dt.UTC)
    # The beat runs every 15 min; around each person's slot we run it at every tick, elsewhere every 12 hours
    # (those runs must find nobody due): the same schedule, thinned where nothing can happen.
    sweeps = {start + dt.timedelta(hours=12 * i) for i in range(int((end - start).total_seconds() // 43200))}
    for person in people:
        tz = ZoneInfo(person.time_zone)
        for week in range(53):
            day = dt.date(2026, 1, 5) + dt.timedelta(weeks=week, days=person.digest_weekday)
            slot = dt.datetime.combine(day, dt.time(person.digest_hour), tzinfo=tz).astimezone(dt.UTC)
            base = slot.replace(minute=slot.minute - slot.minute % 15)
            sweeps.update(base + dt.timedelta(minutes=15 * k) for k in range(-2, 2))
    with time_machine.travel(start, tick=False) as traveller:
        for now in sorted(s for s in sweeps if start <= s < end):
            traveller.move_to(now)
            digest_send_due(now=now)
    for person in people:
        digests = list(Digest.objects.filter(recipient=person).order_by("created_at"))
        weeks = [d.iso_week for d in digests]
        assert len(weeks) == len(set(weeks)) >= 52
        for digest in digests:
            local = digest.created_at.astimezone(ZoneInfo(person.time_zone))
            assert (local.weekday(), local.hour) == (person.digest_weekday, person.digest_hour), (person.time_zone, local)
            assert local.minute < 15


TOKEN = re.compile(r"/e/[au]/([0-9a-f]{32})[-a-z][0-9a-f]{24}/")


def _reader(world, name, project=None, **extra):
    project = project or world.project
    person = f.ClientUserFactory(full_name=name, organisation=project.client, digest_weekday=0, digest_hour=8, **extra)
    Membership.objects.create(project=project, user=person, role=Role.CLIENT)
    return person


def _build(people):
    """The digests of `people` as built together (rolled back), and who owns each one-click link in them."""
    due = [(p, digest_slot(now=MONDAY_8_MSK, time_zone=p.time_zone, weekday=0, hour=8)) for p in people]
    with transaction.atomic():
        built = {d.recipient_id: d for d in digest_build_many(due=due, now=MONDAY_8_MSK)}
        owners = {link.id.hex: link.person_id for link in ActionLink.objects.all()}
        headers = {d.recipient_id: d.message.headers for d in built.values()}
        transaction.set_rollback(True)
    return built, owners, headers


def _numbered(text):
    seen = {}
    return TOKEN.sub(lambda m: f"<link {seen.setdefault(m.group(1), len(seen))}>", text)


def test_each_digest_of_a_batch_is_rendered_for_its_reader_and_reads_as_if_built_alone(world, monkeypatch):
    _silence_staff(world)
    _content_world(world)  # world.client: own tasks, a meeting to answer; everyone on Acme: a decision to answer
    world.client_lead.language = "ru"
    world.client_lead.save()
    plain = [_reader(world, name) for name in ("Anna Smith", "Boris Ivanov", "Jean-Luc Picard", "Ёжик Туманов")]
    others = [
        _reader(world, "O'Brien <b>&amp;</b>"),  # a name that must be escaped in the HTML
        _reader(world, "Berta Berlin", time_zone="Europe/Berlin"),
        _reader(world, "Rita Russian", language="ru"),
    ]
    both = _reader(world, "Multi Project")
    Membership.objects.create(project=world.other_project, user=both, role=Role.CLIENT)
    people = [world.client, world.client_lead, world.other_client, *plain, *others, both]
    renders = []
    real_render = digest_service.render_email
    monkeypatch.setattr(digest_service, "render_email", lambda *a, **k: renders.append(1) or real_render(*a, **k))

    together, owners, headers = _build(people)
    assert len(renders) == len(people)  # one rendering per reader
    alone = {}
    for person in people:
        alone.update(_build([person])[0])

    assert set(together) == set(alone) == {p.pk for p in people}
    for person in people:
        ours, theirs = together[person.pk], alone[person.pk]
        assert ours.subject == theirs.subject
        assert _numbered(ours.body_text) == _numbered(theirs.body_text)
        assert _numbered(ours.body_html) == _numbered(theirs.body_html)
        assert ours.content == theirs.content
        tokens = TOKEN.findall(ours.body_text + ours.body_html + headers[person.pk]["List-Unsubscribe"])
        assert tokens and {owners[t] for t in tokens} == {person.pk}  # every link in it is the reader's own
    assert "Hi Anna," in together[plain[0].pk].body_text and "Hi Ёжик," in together[plain[3].pk].body_html
    assert "Hi O&#x27;Brien," in together[others[0].pk].body_html or "Hi O'Brien," in together[others[0].pk].body_html
    assert "Hosting provider" in together[plain[0].pk].body_text and "Homepage copy" not in together[plain[0].pk].body_text
    assert "Homepage copy" in together[world.client.pk].body_text


def test_the_projects_part_is_rendered_once_per_batch_for_readers_who_see_the_same(world, monkeypatch):
    _silence_staff(world)
    _content_world(world)  # world.client and world.client_lead: items of their own; a risk and a report for all
    same = [_reader(world, f"Reader {i}") for i in range(4)]
    russian = [_reader(world, f"Reader ru {i}", language="ru") for i in range(2)]
    berlin = _reader(world, "Berta Berlin", time_zone="Europe/Berlin")
    globex = _reader(world, "Gina Globex", project=world.other_project)
    parts = []
    real_part = digest_service.render_part
    monkeypatch.setattr(digest_service, "render_part", lambda *a, **k: parts.append(k["language"]) or real_part(*a, **k))

    built, _owners, _headers = _build([*same, *russian, berlin, globex])

    assert len(built) == 8
    assert sorted(parts) == ["en", "en", "en", "ru"]  # the four alike, the Russians, Berlin's zone, the other project
    for person in same:
        assert "Vendor delay" in built[person.pk].body_text and "Vendor delay" in built[person.pk].body_html
        assert "Projects at a glance" in built[person.pk].body_text
    assert "Открытые риски" in built[russian[0].pk].body_text and "Open risks" not in built[russian[0].pk].body_text
    assert "Vendor delay" not in built[globex.pk].body_text


def test_a_batch_costs_the_same_queries_for_3_readers_as_for_12(world):
    _silence_staff(world)
    _content_world(world)
    people = [_reader(world, f"Reader{i}") for i in range(12)]
    for i, person in enumerate(people):  # personal items too: tasks and meetings of their own
        f.TaskFactory(project=world.project, owner=person, title=f"Task {i}", due_date=dt.date(2026, 11, 20))
        meeting = f.MeetingFactory(project=world.project, starts_at=MONDAY_8_MSK + dt.timedelta(days=1, hours=i),
                                   ends_at=MONDAY_8_MSK + dt.timedelta(days=1, hours=i, minutes=30))
        f.AttendanceFactory(meeting=meeting, user=person)
    _build(people[:1])  # warm-up: Django's ContentType cache

    def queries(group):
        with CaptureQueriesContext(connection) as ctx:
            built, _owners, _headers = _build(group)
        assert len(built) == len(group)
        return len(ctx.captured_queries)

    assert queries(people[:3]) == queries(people)


def test_due_batches_keep_the_contacts_of_one_project_together(world):
    _silence_staff(world)
    for person in (world.client, world.client_lead, world.other_client):
        person.email_digest = False
        person.save()
    acme, globex = [], []
    for i in range(6):  # created alternately, so the ids interleave
        acme.append(_reader(world, f"Acme {i}"))
        globex.append(_reader(world, f"Globex {i}", project=world.other_project))
    batches = digest_due_batches(now=MONDAY_8_MSK, batch_size=6)
    assert sorted(sorted(ids) for _kind, ids in batches) == sorted([sorted(p.pk for p in acme), sorted(p.pk for p in globex)])


def test_links_written_for_a_batch_work_like_any_other(world, client, settings):
    from django.test import Client

    from engagement.models import DecisionResponse

    _silence_staff(world)
    _content_world(world)
    readers = [_reader(world, "Anna Smith"), _reader(world, "Boris Ivanov")]
    digest_send_batch(kind="client", person_ids=[p.pk for p in readers], now=MONDAY_8_MSK)
    anna, boris = (Digest.objects.get(recipient=p) for p in readers)
    site = settings.SITE_URL
    acknowledge = re.search(rf"{re.escape(site)}(/e/a/[^/]+/)", anna.body_text).group(1)
    unsubscribe = re.search(rf"<{re.escape(site)}(/e/u/[^/]+/)>", boris.message.headers["List-Unsubscribe"]).group(1)

    assert client.post(acknowledge).status_code == 200
    assert DecisionResponse.objects.filter(user=readers[0], decision__title="Hosting provider").count() == 1
    response = Client(enforce_csrf_checks=True).post(unsubscribe, data="List-Unsubscribe=One-Click",
                                                      content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    readers[1].refresh_from_db()
    assert readers[1].email_digest is False


def test_a_digest_never_asks_about_what_it_lists_as_decided_nor_about_closed_decisions(world):
    # given: an approval the client lead gave this week, a rejected and a superseded decision nobody answered
    now = MONDAY_8_MSK
    approved = f.DecisionFactory(project=world.project, title="Use the client's SSO", involvement=Involvement.APPROVAL,
                                 status=DecisionStatus.APPROVED, requested_at=now - dt.timedelta(days=5),
                                 decided_by=world.manager, decided_on=dt.date(2026, 11, 27))
    f.DecisionResponseFactory(decision=approved, user=world.client_lead, kind="approved")
    f.DecisionFactory(project=world.project, title="Drop the blog", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.REJECTED, requested_at=now - dt.timedelta(days=27))
    f.DecisionFactory(project=world.project, title="Old hosting", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.SUPERSEDED, superseded_by=approved, requested_at=now - dt.timedelta(days=20))
    informed = f.DecisionFactory(project=world.project, title="Launch moves a week", status=DecisionStatus.APPROVED,
                                 requested_at=now - dt.timedelta(days=2), decided_by=world.manager,
                                 decided_on=dt.date(2026, 11, 28))
    weeks = {world.client.pk: dt.date(2026, 11, 30), world.client_lead.pk: dt.date(2026, 11, 30)}

    # when
    contexts = client_digest_contexts(people=[world.client, world.client_lead], week_starts=weeks, now=now)

    # then: the plain client is asked nothing and reads the approval under "Decisions made"
    plain, lead = contexts[world.client.pk], contexts[world.client_lead.pk]
    assert plain["content"]["decisions_awaiting"] == []
    assert plain["content"]["decisions_made"] == [approved.pk, informed.pk]
    assert plain["action_count"] == 0 and plain["count_decisions"] == 0
    # the lead is asked to acknowledge the informed decision, which is then not also listed as made
    assert lead["content"]["decisions_awaiting"] == [informed.pk]
    assert lead["content"]["decisions_made"] == [approved.pk]
    assert lead["count_decisions"] == 1
    for context in contexts.values():
        assert not set(context["content"]["decisions_awaiting"]) & set(context["content"]["decisions_made"])


def test_the_manager_digest_waits_only_for_decisions_that_still_ask(world):
    now = MONDAY_8_MSK
    f.DecisionFactory(project=world.project, title="Drop the blog", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.REJECTED, requested_at=now - dt.timedelta(days=27))
    waiting = f.DecisionFactory(project=world.project, title="Pick the CMS", involvement=Involvement.APPROVAL,
                                requested_at=now - dt.timedelta(days=4))

    context = manager_digest_context(person=world.manager, week_start=dt.date(2026, 11, 30), now=now)

    assert context["content"]["needs_you"] == [waiting.pk]


def test_a_report_past_its_due_day_says_how_late_it_is_oldest_first(world, mailoutbox):
    """Read in a real inbox: "report due 13 Oct" seven weeks after 13 Oct told the reader nothing; such a report now
    says how late it is, in their language, before the reports still to come."""
    _silence_staff(world)
    world.client.language = "ru"
    world.client.save()
    with time_machine.travel(MONDAY_8_MSK - dt.timedelta(days=1), tick=False):
        soon = f.TaskFactory(project=world.project, owner=world.client, title="Soon", due_date=dt.date(2026, 12, 31),
                             report_cadence_days=3)
    with time_machine.travel(MONDAY_8_MSK - dt.timedelta(days=26), tick=False):
        late = f.TaskFactory(project=world.project, owner=world.client, title="Late", due_date=dt.date(2026, 12, 31),
                             report_cadence_days=5)
    assert (soon.due_date, late.due_date) == (dt.date(2026, 12, 31), dt.date(2026, 12, 31))  # neither task is overdue
    digest_send_batch(kind="client", person_ids=[world.client.pk], now=MONDAY_8_MSK)
    services.outbox_send_due(now=MONDAY_8_MSK)
    [message] = mailoutbox
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    assert "Late (Acme portal) — отчёт просрочен на 21 день" in message.body
    assert "отчёт просрочен на 21 день" in html
    assert message.body.index("Late (Acme portal)") < message.body.index("Soon (Acme portal)")
    assert "Soon (Acme portal) — пора отчитаться" in message.body
