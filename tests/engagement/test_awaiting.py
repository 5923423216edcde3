"""The one definition of what awaits a person (engagement/selectors/awaiting.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from engagement.models import Rsvp
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.selectors.awaiting import (
    approval_awaited_from,
    awaiting_summary,
    decision_awaits,
    decisions_awaiting,
    decisions_awaiting_anyone,
    decisions_awaiting_by_person,
    person_owes_answers,
    reports_awaiting,
    rsvps_awaiting,
    sign_off_awaiting,
)
from engagement.selectors.dashboard import dashboard_projects, needs_you
from projects.models import Membership, ProjectStatus, Role
from tests import factories as f


@pytest.mark.parametrize(
    ("involvement", "status", "lead", "client"),
    [
        (Involvement.APPROVAL, DecisionStatus.PROPOSED, True, True),
        (Involvement.APPROVAL, DecisionStatus.APPROVED, False, False),
        (Involvement.APPROVAL, DecisionStatus.REJECTED, False, False),
        (Involvement.CONSULTED, DecisionStatus.PROPOSED, True, True),
        (Involvement.CONSULTED, DecisionStatus.APPROVED, True, True),
        (Involvement.CONSULTED, DecisionStatus.REJECTED, False, False),
        (Involvement.INFORMED, DecisionStatus.APPROVED, True, False),
    ],
)
def test_a_decision_awaits_only_while_it_still_asks(world, involvement, status, lead, client):
    decision = f.DecisionFactory(project=world.project, involvement=involvement, status=status)

    assert decision_awaits(decision, world.client_lead) is lead
    assert decision_awaits(decision, world.client) is client
    assert decision_awaits(decision, world.manager) is False
    assert (decision in decisions_awaiting_anyone()) is (lead or client)


def test_a_superseded_decision_awaits_nobody(world):
    successor = f.DecisionFactory(project=world.project, status=DecisionStatus.APPROVED)
    old = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.SUPERSEDED,
                            superseded_by=successor)

    assert old not in decisions_awaiting(world.client_lead)
    assert old not in decisions_awaiting_anyone()


def test_an_answer_ends_the_wait_for_that_person_only(world):
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)
    f.DecisionResponseFactory(decision=decision, user=world.client_lead)

    assert list(decisions_awaiting(world.client_lead)) == []
    assert list(decisions_awaiting(world.client)) == [decision]
    assert list(decisions_awaiting_anyone()) == [decision]
    f.DecisionResponseFactory(decision=decision, user=world.client)
    assert list(decisions_awaiting_anyone()) == []


def test_nothing_awaits_in_a_finished_or_archived_project_or_an_unasked_decision(world):
    f.DecisionFactory(project=world.project, status=DecisionStatus.APPROVED, requested_at=None)
    f.DecisionFactory(project=world.other_project, status=DecisionStatus.APPROVED)
    assert len(decisions_awaiting(world.other_client)) == 1
    world.other_project.status = ProjectStatus.COMPLETED
    world.other_project.save()

    assert list(decisions_awaiting(world.client_lead)) == []
    assert list(decisions_awaiting(world.other_client)) == []


def test_many_people_in_one_query(world, django_assert_num_queries):
    approval = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL)
    informed = f.DecisionFactory(project=world.project, status=DecisionStatus.APPROVED)
    f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL, status=DecisionStatus.APPROVED)
    other = f.DecisionFactory(project=world.other_project, status=DecisionStatus.APPROVED)

    with django_assert_num_queries(1):
        found = decisions_awaiting_by_person([world.client_lead.pk, world.client.pk, world.other_client.pk, world.manager.pk])

    assert {pk: [d.pk for d in ds] for pk, ds in found.items()} == {
        world.client_lead.pk: [approval.pk, informed.pk],
        world.client.pk: [approval.pk],
        world.other_client.pk: [other.pk],
    }


def test_approval_is_awaited_from_the_leads_who_have_not_approved(world):
    second = f.ClientUserFactory(full_name="Zoe Second")
    Membership.objects.create(project=world.project, user=second, role=Role.CLIENT_LEAD)
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL)
    f.DecisionResponseFactory(decision=decision, user=world.client_lead, kind="approved")

    assert approval_awaited_from(decision) == [second]
    decision.status = DecisionStatus.APPROVED
    decision.save()
    assert approval_awaited_from(decision) == []


def test_reports_sign_off_and_rsvps(world):
    now = timezone.now()
    overdue = f.TaskFactory(project=world.project, owner=world.client, due_date=timezone.localdate() - dt.timedelta(days=2))
    fresh = f.TaskFactory(project=world.project, owner=world.client)
    plan = f.CommunicationPlanFactory(project=world.project, version=3)
    upcoming = f.AttendanceFactory(meeting=f.MeetingFactory(project=world.project), user=world.client)
    f.AttendanceFactory(meeting=f.MeetingFactory(project=world.project), user=world.client_lead, rsvp=Rsvp.YES)

    assert reports_awaiting(world.client, now=now) == [overdue]
    assert fresh not in reports_awaiting(world.client, now=now + dt.timedelta(days=6))
    assert fresh in reports_awaiting(world.client, now=now + dt.timedelta(days=8))
    assert list(sign_off_awaiting(world.client_lead)) == [plan]
    assert list(sign_off_awaiting(world.client)) == []
    assert list(rsvps_awaiting(world.client, now=now)) == [upcoming]
    assert list(rsvps_awaiting(world.client_lead, now=now)) == []

    plan.signed_off_version, plan.signed_off_at, plan.signed_off_by = 3, now, world.client_lead
    plan.save()
    assert list(sign_off_awaiting(world.client_lead)) == []


@pytest.mark.parametrize("people", [3, 12])
def test_the_summary_is_a_fixed_number_of_queries(world, people, django_assert_num_queries):
    f.CommunicationPlanFactory(project=world.project, version=2)
    extra = []
    for i in range(people):
        person = f.ClientUserFactory(email=f"p{i}@acme.example")
        Membership.objects.create(project=world.project, user=person, role=Role.CLIENT_LEAD if i % 2 else Role.CLIENT)
        f.TaskFactory(project=world.project, owner=person, due_date=timezone.localdate() - dt.timedelta(days=1))
        f.AttendanceFactory(meeting=f.MeetingFactory(project=world.project), user=person)
        extra.append(person)
    f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)

    with django_assert_num_queries(4):
        summary = awaiting_summary([world.client_lead, *extra])

    assert summary[world.client_lead.pk].count == 2  # the decision and the plan
    for i, person in enumerate(extra):
        assert len(summary[person.pk].decisions) == 1
        assert len(summary[person.pk].reports) == 1
        assert len(summary[person.pk].rsvps) == 1
        assert len(summary[person.pk].sign_offs) == (1 if i % 2 else 0)


def test_the_dashboard_and_the_preferences_check_read_the_same_rule(world):
    old = timezone.now() - dt.timedelta(days=27)
    f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL, status=DecisionStatus.APPROVED, requested_at=old)
    f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.REJECTED, requested_at=old)

    rows = {p.name: p for p in dashboard_projects(user=world.manager)}
    assert rows["Acme portal"].decisions_awaiting == 0
    assert needs_you(user=world.manager).late_decisions == []
    assert person_owes_answers(user=world.client_lead) is False

    waiting = f.DecisionFactory(project=world.project, involvement=Involvement.APPROVAL, requested_at=old)
    rows = {p.name: p for p in dashboard_projects(user=world.manager)}
    assert rows["Acme portal"].decisions_awaiting == 1
    assert [d.pk for d in needs_you(user=world.manager).late_decisions] == [waiting.pk]
    assert person_owes_answers(user=world.client_lead) is True
