import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from engagement import notifications
from engagement.models import Decision, DecisionResponse, Involvement
from engagement.models.decisions import DecisionStatus, ResponseKind
from engagement.services.decisions import (
    decision_approve,
    decision_propose,
    decision_record,
    decision_reject,
    decision_respond,
    decision_supersede,
)
from portal.core.exceptions import ApplicationError
from projects.models import AuditEvent, Membership, Role
from tests import factories as f


def calls(callbacks, func):
    return sorted(cb.args[0] for cb in callbacks if getattr(cb, "func", None) is func)


def state():
    return (
        list(Decision.objects.order_by("pk").values_list("pk", "status", "superseded_by", "requested_at", "version")),
        list(DecisionResponse.objects.order_by("pk").values_list("pk", "kind")),
        AuditEvent.objects.count(),
    )


def record(world, **kw):
    args = dict(actor=world.manager, project=world.project, title="Use Wagtail", context="CMS choice",
                options="Wagtail, Strapi", decision="Wagtail", impact="high", involvement=Involvement.INFORMED)
    args.update(kw)
    return decision_record(**args)


def test_record_informed_is_approved_and_asks_for_acknowledgement(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        decision = record(world)
    decision.refresh_from_db()
    assert (decision.status, decision.decided_by, decision.decided_on) == (DecisionStatus.APPROVED, world.manager, timezone.localdate())
    assert decision.requested_at is not None and decision.recorded_by == world.manager
    assert calls(callbacks, notifications.decision_requested) == [decision.pk]
    event = AuditEvent.objects.get(action="decision.record")
    assert event.changes["status"] == {"old": None, "new": "approved"} and event.internal is False


def test_record_approval_required_stays_proposed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        decision = record(world, involvement=Involvement.APPROVAL)
    assert decision.status == DecisionStatus.PROPOSED and decision.decided_on is None
    assert calls(callbacks, notifications.decision_requested) == [decision.pk]


def test_internal_decision_never_asks_the_client(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        decision = record(world, internal=True)
    assert decision.requested_at is None and callbacks == []
    assert AuditEvent.objects.get(action="decision.record").internal is True


@pytest.mark.parametrize(("persona", "error"), [
    ("team", PermissionDenied), ("client_lead", PermissionDenied), ("client", PermissionDenied), ("outsider", Http404),
])
def test_record_refused_changes_nothing(world, persona, error, django_capture_on_commit_callbacks):
    before = state()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(error):
        record(world, actor=world.persona(persona))
    assert state() == before and callbacks == []


def test_record_invalid_changes_nothing(world, django_capture_on_commit_callbacks):
    other_task = f.TaskFactory(project=world.other_project, owner=world.manager)
    before = state()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(ValidationError):
            record(world, internal=True, involvement=Involvement.APPROVAL)
        with pytest.raises(ValidationError):
            record(world, task=other_task)
        with pytest.raises(ValidationError):
            record(world, title="")
    assert state() == before and callbacks == []


def test_team_proposes_and_manager_approves_or_rejects(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        informed = decision_propose(actor=world.team, project=world.project, title="Weekly demo", decision="Fridays")
        consulted = decision_propose(actor=world.team, project=world.project, title="Colours", involvement=Involvement.CONSULTED)
    assert informed.status == consulted.status == DecisionStatus.PROPOSED
    assert informed.requested_at is None  # nothing to acknowledge until it is decided
    assert calls(callbacks, notifications.decision_requested) == [consulted.pk]
    with django_capture_on_commit_callbacks() as callbacks:
        decision_approve(actor=world.manager, decision=informed)
        decision_reject(actor=world.manager, decision=consulted)
    informed.refresh_from_db()
    consulted.refresh_from_db()
    assert (informed.status, informed.decided_by) == (DecisionStatus.APPROVED, world.manager)
    assert informed.requested_at is not None
    assert calls(callbacks, notifications.decision_requested) == [informed.pk]
    assert consulted.status == DecisionStatus.REJECTED
    assert AuditEvent.objects.filter(action__in=["decision.approve", "decision.reject"]).count() == 2


def test_approve_and_reject_refusals(world, django_capture_on_commit_callbacks):
    proposal = decision_propose(actor=world.team, project=world.project, title="p")
    needs_client = record(world, involvement=Involvement.APPROVAL)
    approved = record(world)
    before = state()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(PermissionDenied):
            decision_approve(actor=world.team, decision=proposal)
        with pytest.raises(PermissionDenied):
            decision_reject(actor=world.client_lead, decision=proposal)
        with pytest.raises(ApplicationError):
            decision_approve(actor=world.manager, decision=approved)
        with pytest.raises(ApplicationError):
            decision_approve(actor=world.manager, decision=needs_client)
    assert state() == before and callbacks == []


def test_supersede(world):
    old = record(world, title="Old")
    new = record(world, title="New")
    decision_supersede(actor=world.manager, decision=old, successor=new)
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == (DecisionStatus.SUPERSEDED, new)
    assert AuditEvent.objects.get(action="decision.supersede").changes["superseded_by"] == {"old": None, "new": new.pk}


def test_supersede_refusals_change_nothing(world):
    old = record(world, title="Old")
    new = record(world, title="New")
    elsewhere = f.DecisionFactory(project=world.other_project, status=DecisionStatus.APPROVED)
    rejected = decision_propose(actor=world.team, project=world.project, title="r")
    decision_reject(actor=world.manager, decision=rejected)
    before = state()
    with pytest.raises(PermissionDenied):
        decision_supersede(actor=world.team, decision=old, successor=new)
    with pytest.raises(ValidationError):
        decision_supersede(actor=world.manager, decision=old, successor=old)
    with pytest.raises(ValidationError):
        decision_supersede(actor=world.manager, decision=old, successor=elsewhere)
    with pytest.raises(ValidationError):
        decision_supersede(actor=world.manager, decision=old, successor=rejected)
    with pytest.raises(ApplicationError):
        decision_supersede(actor=world.manager, decision=rejected, successor=new)
    assert state() == before


def test_client_acknowledges_once(world):
    decision = record(world)
    response = decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.ACKNOWLEDGED, comment=" ok ", via="email")
    assert (response.user, response.kind, response.comment, response.via) == (world.client_lead, "acknowledged", "ok", "email")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    before = state()
    with pytest.raises(ApplicationError) as err:
        decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.OBJECTED)
    assert err.value.code == "already_answered"
    assert state() == before


def test_who_may_respond(world):
    informed = record(world)
    internal = record(world, internal=True)
    before = state()
    with pytest.raises(PermissionDenied):
        decision_respond(actor=world.client, decision=informed, kind=ResponseKind.ACKNOWLEDGED)  # not asked
    with pytest.raises(PermissionDenied):
        decision_respond(actor=world.manager, decision=informed, kind=ResponseKind.ACKNOWLEDGED)
    with pytest.raises(Http404):
        decision_respond(actor=world.other_client, decision=informed, kind=ResponseKind.ACKNOWLEDGED)
    with pytest.raises(PermissionDenied):
        decision_respond(actor=world.client_lead, decision=internal, kind=ResponseKind.ACKNOWLEDGED)
    with pytest.raises(ValidationError):
        decision_respond(actor=world.client_lead, decision=informed, kind=ResponseKind.APPROVED)  # nothing to approve
    with pytest.raises(ValidationError):
        decision_respond(actor=world.client_lead, decision=informed, kind="maybe")
    assert state() == before
    consulted = record(world, involvement=Involvement.CONSULTED)
    decision_respond(actor=world.client, decision=consulted, kind=ResponseKind.OBJECTED, comment="Too costly")
    consulted.refresh_from_db()
    assert consulted.status == DecisionStatus.APPROVED  # consulted: the objection is recorded, the decision stands


def test_approval_needs_every_client_lead(world, django_capture_on_commit_callbacks):
    second_lead = f.ClientUserFactory(email="lead2@acme.example", organisation=world.client_lead.organisation)
    Membership.objects.create(project=world.project, user=second_lead, role=Role.CLIENT_LEAD)
    decision = record(world, involvement=Involvement.APPROVAL)
    decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.APPROVED)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED
    decision_respond(actor=world.client, decision=decision, kind=ResponseKind.APPROVED)  # a plain client does not count
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED
    with django_capture_on_commit_callbacks() as callbacks:
        decision_respond(actor=second_lead, decision=decision, kind=ResponseKind.APPROVED)
    decision.refresh_from_db()
    assert (decision.status, decision.decided_on) == (DecisionStatus.APPROVED, timezone.localdate())
    assert callbacks == []
    event = AuditEvent.objects.filter(action="decision.respond").order_by("-id").first()
    assert event.changes["status"] == {"old": "proposed", "new": "approved"} and event.actor == second_lead


def test_objection_on_approval_moves_it_back_to_proposed(world):
    decision = record(world, involvement=Involvement.APPROVAL)
    decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.APPROVED)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    decision_respond(actor=world.client, decision=decision, kind=ResponseKind.OBJECTED, comment="Budget!")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PROPOSED
    assert decision.responses.get(user=world.client).comment == "Budget!"


def test_no_answers_on_dead_decisions(world):
    rejected = decision_propose(actor=world.team, project=world.project, title="r", involvement=Involvement.CONSULTED)
    decision_reject(actor=world.manager, decision=rejected)
    before = state()
    with pytest.raises(ApplicationError):
        decision_respond(actor=world.client_lead, decision=rejected, kind=ResponseKind.ACKNOWLEDGED)
    assert state() == before


def test_team_proposal_approved_by_the_client_still_needs_the_manager(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        proposal = decision_propose(actor=world.team, project=world.project, title="Move launch", involvement=Involvement.APPROVAL)
    assert calls(callbacks, notifications.decision_requested) == [proposal.pk]
    before = state()
    with pytest.raises(ApplicationError):
        decision_approve(actor=world.manager, decision=proposal)  # the client has not approved yet
    assert state() == before
    decision_respond(actor=world.client_lead, decision=proposal, kind=ResponseKind.APPROVED)
    proposal.refresh_from_db()
    assert proposal.status == DecisionStatus.PROPOSED and proposal.decided_by is None
    with django_capture_on_commit_callbacks() as callbacks:
        decision_approve(actor=world.manager, decision=proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == (DecisionStatus.APPROVED, world.manager)
    assert callbacks == []  # the client was asked already
