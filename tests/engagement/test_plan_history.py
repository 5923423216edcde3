"""The communication plan's history: versions, who signed which, the difference in words, and the sign-off
request that says what changed since the last signed version."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from engagement.models import PlanVersion, Stakeholder
from engagement.selectors.plan_history import plan_changes_since_sign_off, plan_diff
from engagement.services.plan import (
    plan_get_or_create,
    plan_request_sign_off,
    plan_sign_off,
    plan_update,
    stakeholder_add,
    stakeholder_update,
)
from portal.outbox import services as outbox
from projects.models import TaskSide

pytestmark = pytest.mark.django_db
TUESDAY_NOON_MSK = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _working_hours():
    with time_machine.travel(TUESDAY_NOON_MSK, tick=False):
        yield


@pytest.fixture
def history(world):
    """Version 3 signed off by the lead; then version 4 (a contact changed, one added, a target and the path changed)."""
    plan = plan_get_or_create(project=world.project)
    lead = stakeholder_add(actor=world.manager, plan=plan, side=TaskSide.CLIENT, user=world.client_lead, is_primary=True,
                           responsibility="Approves scope", raci="A")
    plan = plan_update(actor=world.manager, project=world.project, client_response_hours=48, escalation_path="Anna, then the CEO")
    plan_sign_off(actor=world.client_lead, plan=plan, version=3)
    stakeholder_update(actor=world.manager, stakeholder=lead, responsibility="Approves scope and budget", channel="phone")
    stakeholder_add(actor=world.manager, plan=plan, side=TaskSide.CLIENT, user=world.client, backup_for=lead, raci="R")
    plan = plan_update(actor=world.manager, project=world.project, client_response_hours=24, escalation_path="")
    plan.refresh_from_db()
    return plan


def _versions(plan, *numbers):
    rows = {v.version: v for v in PlanVersion.objects.filter(plan=plan, version__in=numbers)}
    return [rows[n] for n in numbers]


def test_the_signed_version_remembers_who_signed_it_after_later_changes(world, history):
    signed = PlanVersion.objects.get(plan=history, version=3)
    assert (signed.signed_off_by, signed.signed_off_at) == (world.client_lead, TUESDAY_NOON_MSK)
    assert not PlanVersion.objects.filter(plan=history).exclude(version=3).filter(signed_off_by__isnull=False).exists()
    assert history.version == 6


def test_the_difference_is_in_words_section_by_section(world, history):
    sections = plan_diff(*_versions(history, 3, 6))

    assert [s.key for s in sections] == ["contacts", "response_targets", "escalation"]
    contacts = {(c.kind, c.label): c for c in sections[0].changes}
    assert contacts["changed", "Lena Lead — Responsibility"].old == "Approves scope"
    assert contacts["changed", "Lena Lead — Responsibility"].new == "Approves scope and budget"
    assert (contacts["changed", "Lena Lead — Preferred channel"].old, contacts["changed", "Lena Lead — Preferred channel"].new) == (
        "e-mail", "phone")
    assert contacts["added", "Boris Client"].facts == ("client side", "backup for Lena Lead", "Responsible", "by e-mail")
    [target] = sections[1].changes
    assert (target.kind, target.label, target.old, target.new) == ("changed", "The client answers within", "48 hours", "24 hours")
    [path] = sections[2].changes
    assert (path.kind, path.old) == ("removed", "Anna, then the CEO")


def test_the_difference_reads_in_russian(world, history):
    with translation.override("ru"):
        sections = plan_diff(*_versions(history, 3, 6))
    assert [s.title for s in sections] == ["Контакты", "Сроки ответа", "Эскалация"]
    assert sections[1].changes[0].new == "24 часа"


def test_a_removed_contact_is_listed_as_removed(world, history):
    from engagement.services.plan import stakeholder_remove

    stakeholder_remove(actor=world.manager, stakeholder=Stakeholder.objects.get(user=world.client))
    history.refresh_from_db()
    [contacts] = plan_diff(*_versions(history, 6, 7))
    assert [(c.kind, c.label) for c in contacts.changes] == [("removed", "Boris Client")]


def test_the_sign_off_request_says_what_changed_since_the_signed_version(world, history, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan_request_sign_off(actor=world.manager, plan=history)
    outbox.outbox_send_due(now=TUESDAY_NOON_MSK + dt.timedelta(minutes=10))  # after the requests' bundle window

    [message] = [m for m in mailoutbox if m.to == [world.client_lead.email]]
    assert "What changed since version 3, the one last signed off:" in message.body
    assert "* The client answers within: 48 hours → 24 hours" in message.body
    assert "+ Boris Client: client side · backup for Lena Lead · Responsible · by e-mail" in message.body
    html = message.alternatives[0][0]
    assert "What changed since version 3" in html and "<del>48 hours</del>" in html


def test_a_first_sign_off_request_has_no_changes_to_show(world, mailoutbox, django_capture_on_commit_callbacks):
    plan = plan_update(actor=world.manager, project=world.project, client_response_hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        plan_request_sign_off(actor=world.manager, plan=plan)
    outbox.outbox_send_due(now=TUESDAY_NOON_MSK + dt.timedelta(minutes=10))  # after the requests' bundle window
    [message] = mailoutbox
    assert "What changed since" not in message.body
    assert plan_changes_since_sign_off(plan) is None


# --- the page -------------------------------------------------------------


def _page(slug="acme-portal"):
    return reverse("engagement:plan-versions", args=[slug])


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("other_client", 404), ("client", 403), ("team", 200), ("manager", 200),
     ("client_lead", 200)],
)
def test_who_reads_the_history(client, world, history, who, status):
    if who != "anonymous":
        client.force_login(getattr(world, who))
    response = client.get(_page())
    assert response.status_code == status
    if status != 200:
        assert "Approves scope and budget" not in response.content.decode()


def test_the_page_compares_the_signed_version_with_the_current_one_by_default(client, world, history):
    client.force_login(world.client_lead)
    body = client.get(_page()).content.decode()
    assert "What changed from version 3 to version 6" in body
    assert "Approves scope and budget" in body and "Signed off by Lena Lead" in body
    # the plan page's banner shows the same changes
    banner = client.get(reverse("engagement:plan", args=["acme-portal"])).content.decode()
    assert 'data-testid="changed-since-sign-off"' in banner and "What changed since version 3" in banner


def test_any_two_versions_and_one_version_in_full(client, world, history):
    client.force_login(world.manager)
    body = client.get(_page(), {"from": 1, "to": 2}).content.decode()
    assert "What changed from version 1 to version 2" in body and "Lena Lead" in body
    body = client.get(_page(), {"version": 3}).content.decode()
    assert 'data-testid="plan-version"' in body and "Anna, then the CEO" in body and "48 hours" in body


@pytest.mark.parametrize(
    ("query", "error"),
    [({"from": 1, "to": 99}, "There is no version 99 of this plan."), ({"from": 2, "to": 2}, "Choose two different versions"),
     ({"from": 2}, "Choose two versions to compare."), ({"version": "x"}, "There is no version x of this plan.")],
)
def test_bad_choices_are_said_clearly(client, world, history, query, error):
    client.force_login(world.manager)
    response = client.get(_page(), query)
    assert response.status_code == 400 and error in response.content.decode()


def test_copies_stored_without_stakeholder_ids_still_read_and_compare(client, world):
    plan = plan_get_or_create(project=world.project)
    old = {"channels": "", "client_response_hours": 48, "stakeholders": [{"name": "Finance controller", "side": "client", "raci": "I"}]}
    new = {**old, "client_response_hours": 24,
           "stakeholders": [*old["stakeholders"], {"name": "Lena Lead", "side": "client", "is_primary": True}]}
    PlanVersion.objects.filter(plan=plan, version=1).update(content=old)
    PlanVersion.objects.create(plan=plan, version=2, content=new)
    plan.version = 2
    plan.save(update_fields=["version"])

    [contacts, targets] = plan_diff(*_versions(plan, 1, 2))
    assert [(c.kind, c.label) for c in contacts.changes] == [("added", "Lena Lead")]
    client.force_login(world.manager)
    assert client.get(_page(), {"version": 1}).status_code == 200
    assert "Lena Lead" in client.get(_page()).content.decode()
