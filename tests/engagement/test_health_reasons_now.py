"""Health and early-warning reasons are worded from the current state when shown, not frozen at snapshot time; and
a decision that no longer asks anything never "waits" in health."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from engagement.health.config import get_config
from engagement.health.loader import load_history
from engagement.health.reasons import current_state, reason_texts, render_reason
from engagement.health.signals import decisions as decision_signal
from engagement.models import HealthLevel
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.decisions import decision_reject
from tests import factories as f

pytestmark = pytest.mark.django_db


def _exposure(task, days_to_due=5):
    due = timezone.localdate() + dt.timedelta(days=days_to_due)
    return {"code": "warn.exposure", "severity": "watch",
            "params": {"task": task.title, "task_id": task.pk, "days_to_due": days_to_due, "due": due.isoformat(),
                       "last_report": None}}


def test_an_exposure_reason_says_overdue_once_the_task_is_overdue(client, world):
    # given: a warning opened when the task was due in 5 days; it is now 2 days overdue
    task = f.TaskFactory(project=world.project, owner=world.client, title="Homepage copy",
                         due_date=timezone.localdate() - dt.timedelta(days=2))
    warning = f.HealthWarningFactory(project=world.project, person=world.client, severity=HealthLevel.WATCH,
                                     reasons=[_exposure(task)])
    client.force_login(world.manager)

    # when
    attention = client.get(reverse("engagement:attention")).content.decode()
    health = client.get(reverse("engagement:health", args=[world.project.slug])).content.decode()

    # then
    for body in (attention, health):
        assert "&#x27;Homepage copy&#x27; is 2 days overdue and has had no report yet." in body
        assert "due in 5 days" not in body
    assert reason_texts(warning) == ["'Homepage copy' is 2 days overdue and has had no report yet."]


def test_exposure_wording_follows_the_due_date_and_the_task_state(world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Logo", due_date=timezone.localdate() + dt.timedelta(days=1))
    reason = _exposure(task, days_to_due=9)

    assert render_reason(reason, current_state([(world.project.pk, [reason])])) == "'Logo' is due in 1 day and has had no report yet."
    task.due_date = timezone.localdate()
    task.save()
    assert render_reason(reason, current_state([(world.project.pk, [reason])])) == "'Logo' is due today and has had no report yet."
    task.status = "done"
    task.save()
    assert render_reason(reason, current_state([(world.project.pk, [reason])])) == "'Logo' is done now."


def test_a_plan_reason_names_the_current_version(world):
    plan = f.CommunicationPlanFactory(project=world.project, version=3)
    reason = {"code": "plan.unsigned", "severity": "negative", "params": {"version": 2, "days": 20}}
    snapshot = f.HealthSnapshotFactory(project=world.project, reasons=[reason])

    text = render_reason(reason, current_state([(snapshot.project_id, snapshot.reasons)]), snapshot.project_id)

    assert text.startswith("The client has not signed off plan v3 (published ")
    plan.signed_off_version, plan.signed_off_at, plan.signed_off_by = 3, timezone.now(), world.client_lead
    plan.save()
    assert render_reason(reason, current_state([(world.project.pk, [reason])]), world.project.pk) == "The client signed off plan v3."


def test_a_waiting_reason_for_a_decision_rejected_since_says_so(world):
    decision = f.DecisionFactory(project=world.project, title="Drop the blog", involvement=Involvement.CONSULTED,
                                 requested_at=timezone.now() - dt.timedelta(days=27))
    reason = {"code": "decisions.waiting", "severity": "negative",
              "params": {"title": decision.title, "decision_id": decision.pk, "days": 20, "person": "Lena Lead", "target": 2}}
    assert render_reason(reason, current_state([(world.project.pk, [reason])])) == (
        "The decision 'Drop the blog' has waited 27 days for Lena Lead (target 2 days).")

    decision_reject(actor=world.manager, decision=decision)

    text = render_reason(reason, current_state([(world.project.pk, [reason])]))
    assert text == "The decision 'Drop the blog' is rejected; it no longer waits for an answer."


def test_reasons_in_russian_use_plural_forms(world):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Логотип",
                         due_date=timezone.localdate() - dt.timedelta(days=2))
    reason = _exposure(task)
    now = current_state([(world.project.pk, [reason])])
    with translation.override("ru"):
        text = render_reason(reason, now)
        five = render_reason({**reason, "params": {**reason["params"]}}, current_state([(world.project.pk, [reason])]))
    assert text == "«Логотип» просрочена на 2 дня, отчётов по ней ещё не было." == five
    task.due_date = timezone.localdate() - dt.timedelta(days=5)
    task.save()
    with translation.override("ru"):
        assert render_reason(reason, current_state([(world.project.pk, [reason])])) == "«Логотип» просрочена на 5 дней, отчётов по ней ещё не было."


def test_a_rejected_decision_does_not_wait_in_health(world):
    # given: asked 27 days ago, never answered, rejected 20 days ago
    now = timezone.now()
    decision = f.DecisionFactory(project=world.project, title="Drop the blog", involvement=Involvement.CONSULTED,
                                 requested_at=now - dt.timedelta(days=27))
    f.DecisionFactory(project=world.project, title="Pick the CMS", involvement=Involvement.CONSULTED,
                      status=DecisionStatus.APPROVED, requested_at=now - dt.timedelta(days=3))
    with time_machine.travel(now - dt.timedelta(days=20)):
        decision_reject(actor=world.manager, decision=decision)

    # when
    signal = decision_signal(load_history(world.project, now), get_config(), now, None)

    # then: the still-open request is the one that waits
    assert signal["reason"]["code"] == "decisions.waiting"
    assert signal["reason"]["title"] == "Pick the CMS"


def test_the_dashboard_words_every_warning_from_one_read_of_current_state(client, world, django_assert_max_num_queries):
    # given: one warning naming an overdue task, then five more, each naming its own task
    client.force_login(world.manager)

    def warn(title):
        task = f.TaskFactory(project=world.project, owner=world.client, title=title,
                             due_date=timezone.localdate() - dt.timedelta(days=2))
        f.HealthWarningFactory(project=world.project, person=f.ClientUserFactory(), severity=HealthLevel.WATCH,
                               reasons=[_exposure(task)])  # one open warning per person

    warn("Homepage copy")
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("home")).content.decode()
    for n in range(5):
        warn(f"Brand asset {n}")

    # when / then: six warnings cost the queries one did, and each is worded from today's state
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(reverse("home")).content.decode()
    assert "&#x27;Homepage copy&#x27; is 2 days overdue" in first
    assert "&#x27;Brand asset 4&#x27; is 2 days overdue" in body
