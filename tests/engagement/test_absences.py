"""Absences and quiet periods: the service's rules, who may enter them, and where the nudges go meanwhile."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from engagement.health.config import build_config
from engagement.health.loader import load_history
from engagement.health.signals import compute_signals
from engagement.models import Absence, QuietPeriod
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.absences import absence_create, absence_delete, quiet_period_create
from engagement.services.nudges import nudges_send
from portal.outbox import services
from portal.outbox.models import MessageKind, OutboundMessage
from projects.models import Membership, Role
from tests import factories as f
from tests.engagement import test_health_helpers as hh

pytestmark = pytest.mark.django_db
# Tuesday 1 Dec 2026, 09:30 in Moscow (the clients' zone).
TUESDAY_0930_MSK = dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)
D = dt.date


@pytest.fixture(autouse=True)
def _the_day_before():
    with time_machine.travel(TUESDAY_0930_MSK - dt.timedelta(days=1), tick=True):
        yield


# --- the service's rules --------------------------------------------------------------------------------------


def test_a_person_declares_several_absences_and_past_ones_stay(world):
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 10, 1), ends_on=D(2026, 10, 3))
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 4), note=" Holiday ")
    assert list(Absence.objects.filter(user=world.client).values_list("starts_on", "note")) == [
        (D(2026, 12, 1), "Holiday"), (D(2026, 10, 1), "")]


@pytest.mark.parametrize(("start", "end", "field"), [
    (D(2026, 12, 5), D(2026, 12, 4), "ends_on"),   # ends before it starts
    (D(2026, 12, 3), D(2026, 12, 9), "starts_on"),  # overlaps the one below
    (D(2026, 11, 20), D(2026, 12, 1), "starts_on"),  # touches its first day
    (D(2026, 12, 4), D(2026, 12, 4), "starts_on"),  # its last day
])
def test_end_before_start_or_overlap_is_refused_with_the_field_named(world, start, end, field):
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 4))
    with pytest.raises(ValidationError) as caught:
        absence_create(actor=world.client, user=world.client, starts_on=start, ends_on=end)
    assert field in caught.value.message_dict
    assert Absence.objects.filter(user=world.client).count() == 1


def test_the_overlap_error_names_the_other_absence_in_russian(world):
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 4))
    with translation.override("ru"), pytest.raises(ValidationError) as caught:
        absence_create(actor=world.client, user=world.client, starts_on=D(2026, 12, 2), ends_on=D(2026, 12, 2))
    assert caught.value.message_dict["starts_on"] == ["Это пересекается с отсутствием с 2026-12-01 по 2026-12-04."]


def test_another_persons_absence_only_by_the_manager_of_their_team(world):
    absence_create(actor=world.manager, user=world.client, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 2))
    for actor, person in ((world.client_lead, world.client), (world.team, world.client), (world.outsider, world.client),
                          (world.client, world.client_lead)):
        with pytest.raises(Http404):
            absence_create(actor=actor, user=person, starts_on=D(2027, 1, 1), ends_on=D(2027, 1, 2))
    other_manager = f.StaffFactory()
    with pytest.raises(Http404):
        absence_delete(actor=other_manager, absence=Absence.objects.get())
    assert Absence.objects.filter(user=world.client).count() == 1
    absence_delete(actor=world.client, absence=Absence.objects.get())
    assert not Absence.objects.exists()


def test_quiet_periods_only_by_the_manager_and_never_overlapping(world):
    quiet_period_create(actor=world.manager, project=world.project, starts_on=D(2026, 12, 28), ends_on=D(2027, 1, 8), reason="Holidays")
    with pytest.raises(ValidationError) as caught:
        quiet_period_create(actor=world.manager, project=world.project, starts_on=D(2027, 1, 8), ends_on=D(2027, 1, 9))
    assert "starts_on" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        quiet_period_create(actor=world.client_lead, project=world.project, starts_on=D(2027, 2, 1), ends_on=D(2027, 2, 2))
    with pytest.raises(Http404):
        quiet_period_create(actor=world.other_client, project=world.project, starts_on=D(2027, 2, 1), ends_on=D(2027, 2, 2))
    assert QuietPeriod.objects.count() == 1


# --- where the nudges go ---------------------------------------------------------------------------------------


def _plan_with_backup(world):
    plan = f.CommunicationPlanFactory(project=world.project, client_response_hours=48)
    primary = f.StakeholderFactory(plan=plan, user=world.client, side="client", is_primary=True)
    f.StakeholderFactory(plan=plan, user=world.client_lead, side="client", backup_for=primary)


def _owes_fresh(world):
    """A report due and a decision asked yesterday: within the response target, so no escalation without an absence."""
    f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy", due_date=D(2026, 11, 25))
    f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.APPROVED, requested_at=TUESDAY_0930_MSK - dt.timedelta(hours=20))


def _per_person(kind):
    rows = OutboundMessage.objects.filter(kind=kind)
    return {email: rows.filter(recipient__email=email).count() for email in set(rows.values_list("recipient__email", flat=True))}


def test_without_an_absence_the_primary_is_nudged_and_the_backup_waits(world):
    _plan_with_backup(world)
    _owes_fresh(world)
    nudges_send(now=TUESDAY_0930_MSK)
    assert _per_person(MessageKind.NUDGE).get(world.client.email) == 1
    assert _per_person(MessageKind.ESCALATION) == {}


def test_while_away_the_backup_gets_everything_at_once_and_the_away_person_nothing(world, mailoutbox):
    _plan_with_backup(world)
    _owes_fresh(world)
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 11, 30), ends_on=D(2026, 12, 11))
    early = TUESDAY_0930_MSK - dt.timedelta(hours=5)  # 04:30 in Moscow: not the morning, the backup hears anyway
    nudges_send(now=early)
    nudges_send(now=TUESDAY_0930_MSK)
    nudges_send(now=TUESDAY_0930_MSK + dt.timedelta(days=1))
    assert not OutboundMessage.objects.filter(recipient=world.client).exists()
    assert _per_person(MessageKind.ESCALATION) == {world.client_lead.email: 1, world.manager.email: 1}
    bundle = OutboundMessage.objects.get(kind=MessageKind.ESCALATION, recipient=world.client_lead)
    assert sorted(bundle.payload["items"])[0].startswith("decision-") and len(bundle.payload["items"]) == 2
    services.outbox_send_due(now=TUESDAY_0930_MSK + dt.timedelta(days=1))
    mail = next(m for m in mailoutbox if m.to == [world.client_lead.email] and "cover" in m.subject)
    assert "Boris Client is away until 11 Dec 2026, so it comes to you at once." in mail.body
    assert [m.to for m in mailoutbox].count([world.client.email]) == 0


def test_the_away_line_in_russian(world, mailoutbox):
    world.client_lead.language = "ru"
    world.client_lead.save()
    _plan_with_backup(world)
    _owes_fresh(world)
    absence_create(actor=world.manager, user=world.client, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 11))
    nudges_send(now=TUESDAY_0930_MSK)
    services.outbox_send_due(now=TUESDAY_0930_MSK)
    bodies = "".join(m.body for m in mailoutbox if m.to == [world.client_lead.email])
    assert "Boris Client в отъезде до 11 декабря 2026, поэтому это сразу приходит вам." in bodies


def test_after_the_absence_the_person_is_nudged_again(world):
    _plan_with_backup(world)
    _owes_fresh(world)
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 11, 23), ends_on=D(2026, 11, 30))
    nudges_send(now=TUESDAY_0930_MSK)
    assert _per_person(MessageKind.NUDGE).get(world.client.email) == 1
    assert _per_person(MessageKind.ESCALATION) == {}


def test_a_quiet_period_sends_neither_nudges_nor_escalations(world):
    _plan_with_backup(world)
    _owes_fresh(world)
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 2))
    quiet_period_create(actor=world.manager, project=world.project, starts_on=D(2026, 11, 30), ends_on=D(2026, 12, 1))
    nudges_send(now=TUESDAY_0930_MSK)
    assert OutboundMessage.objects.filter(kind__in=[MessageKind.NUDGE, MessageKind.ESCALATION]).count() == 0
    nudges_send(now=TUESDAY_0930_MSK + dt.timedelta(days=1))  # quiet period over, still away: the backup hears
    assert _per_person(MessageKind.ESCALATION) == {world.client_lead.email: 1, world.manager.email: 1}
    assert not OutboundMessage.objects.filter(recipient=world.client).exists()


# --- health does not count the absence against the client --------------------------------------------------------


def _health_setup():
    as_of = hh.at("2025-06-02 00:00", "Europe/Berlin")  # a Monday
    start = hh.at("2025-03-03 09:00")
    proj = hh.project(start=dt.date(2025, 3, 1), created=start)
    lead = hh.person(proj, "Lena Lead", Role.CLIENT_LEAD, joined=start)
    manager = proj.manager
    # a decision asked five days before as_of, its response target (72 h) falling inside the absence, never answered
    hh.decision(proj, "Hosting", as_of - dt.timedelta(days=5))
    return proj, lead, manager, as_of


@pytest.mark.parametrize("excuse", ["absence", "quiet period"])
def test_a_response_target_inside_an_absence_or_quiet_period_is_not_counted_as_missed(excuse):
    proj, lead, manager, as_of = _health_setup()
    Membership.objects.get_or_create(project=proj, user=manager, defaults={"role": Role.MANAGER})
    cfg = build_config()
    missed = compute_signals(load_history(proj, as_of), cfg, as_of, lead.pk)["decisions"]
    assert missed["sub"] is not None and missed["sub"] < 100  # counted against the lead without an excuse
    first, last = (as_of - dt.timedelta(days=4)).date(), (as_of - dt.timedelta(days=1)).date()
    if excuse == "absence":
        absence_create(actor=lead, user=lead, starts_on=first, ends_on=last)
    else:
        quiet_period_create(actor=manager, project=proj, starts_on=first, ends_on=last)
    excused = compute_signals(load_history(proj, as_of), cfg, as_of, lead.pk)["decisions"]
    assert excused["sub"] is None or excused["sub"] > missed["sub"]


# --- requests: none to the away person, their backup told whom they cover for --------------------------------------


def test_a_decision_request_skips_the_away_person_and_tells_the_backup(world, mailoutbox):
    from engagement.emails.decisions import queue_decision_request

    _plan_with_backup(world)
    absence_create(actor=world.client, user=world.client, starts_on=D(2026, 11, 30), ends_on=D(2026, 12, 11))
    with time_machine.travel(TUESDAY_0930_MSK, tick=False):
        decision = f.DecisionFactory(project=world.project, title="Hosting provider", involvement=Involvement.CONSULTED,
                                     status=DecisionStatus.APPROVED, requested_at=TUESDAY_0930_MSK)
        queue_decision_request(decision_id=decision.pk)
        services.outbox_send_due(now=TUESDAY_0930_MSK + dt.timedelta(minutes=10))  # after the requests' bundle window
    assert _per_person(MessageKind.DECISION_REQUEST) == {world.client_lead.email: 1}
    mail = next(m for m in mailoutbox if m.to == [world.client_lead.email])
    assert "Boris Client is away until 11 Dec 2026, so it comes to you at once." in mail.body


def test_a_sign_off_request_skips_an_away_lead(world):
    from django.utils import timezone

    from engagement.emails.plan import queue_sign_off_request

    plan = f.CommunicationPlanFactory(project=world.project)
    plan.sign_off_requested_at = timezone.now()
    plan.save()
    absence_create(actor=world.client_lead, user=world.client_lead, starts_on=D(2026, 11, 28), ends_on=D(2026, 12, 11))
    assert queue_sign_off_request(plan_id=plan.pk) == 0
    assert not OutboundMessage.objects.filter(kind=MessageKind.SIGN_OFF_REQUEST).exists()
