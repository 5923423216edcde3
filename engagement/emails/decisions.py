"""Asking client people about a decision, with a signed one-click acknowledge (or approve) link."""

from __future__ import annotations

from django.utils import timezone

from engagement.emails.common import automated_headers, portal_url
from engagement.models import Decision, DecisionResponse
from engagement.models.decisions import Involvement
from engagement.selectors.absences import away_and_covering
from engagement.services.links import A, action_link_create, action_link_url
from portal.accounts.models import Delivery
from portal.outbox.bundles import request_payload, request_send_after
from portal.outbox.email import Rendered, render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.replies import reply_address
from portal.outbox.services import outbox_enqueue
from projects.models import CLIENT_ROLES, Membership
from projects.permissions import ProjectAccess

RENDERER = "engagement.emails.decisions.render_decision_request"


def queue_decision_request(*, decision_id: int) -> int:
    """One e-mail per client person who may answer (`decision:<id>:<person>`), held for their working hours; none to
    a person away that day, and their backup's e-mail says whom they cover for. Safe to call twice.

    The e-mail is written when it goes (`render_decision_request`): a request held for the person's morning is
    dropped when the question was settled meanwhile (approved by the lead, answered in the portal, withdrawn)."""
    decision = Decision.objects.select_related("project__manager").filter(pk=decision_id).first()
    if decision is None or not decision.needs_client:
        return 0
    project = decision.project
    answered = set(DecisionResponse.objects.filter(decision=decision).values_list("user_id", flat=True))
    queued = 0
    memberships = list(Membership.objects.filter(project=project, role__in=CLIENT_ROLES, user__is_active=True).select_related("user"))
    away, covering = away_and_covering(project_id=project.pk, people=[m.user for m in memberships], now=timezone.now())
    for membership in memberships:
        person = membership.user
        key = f"decision:{decision.pk}:{person.pk}"
        access = ProjectAccess(project=project, user=person, role=membership.role)
        if person.pk in answered or person.pk in away or not access.can_respond_to(decision):
            continue
        if person.notify_decision != Delivery.EMAIL and not covering.get(person.pk):
            continue  # they chose to read it in their inbox (and digest) only
        if OutboundMessage.objects.filter(dedupe_key=key).exists():
            continue
        _row, created = outbox_enqueue(
            kind=MessageKind.DECISION_REQUEST, recipient=person, dedupe_key=key, subject=decision.title,
            payload={"render": RENDERER, "decision": decision.pk,
                     **request_payload(person=person, still=f"{__name__}.decision_still_awaits",
                                       line=f"{__name__}.decision_request_line", reply_to=project.manager.email)},
            project_id=project.pk, send_after=request_send_after(timezone.now(), person.time_zone),
        )
        queued += int(created)
    return queued


def _action(decision: Decision) -> str:
    return A.APPROVE if decision.involvement == Involvement.APPROVAL else A.ACKNOWLEDGE


def decision_still_awaits(row: OutboundMessage) -> bool:
    """The decision still awaits the recipient when the request goes (the rule `render_decision_request` applies)."""
    return row.recipient is not None and Decision.objects.awaiting(row.recipient).filter(pk=row.payload.get("decision")).exists()


def decision_request_line(row: OutboundMessage) -> dict:
    """The request's line in a message that tells several (portal/outbox/bundles.py), with its own signed link made
    now, as the single e-mail's is."""
    decision = Decision.objects.select_related("project").get(pk=row.payload["decision"])
    action = _action(decision)
    return {"what": action.value, "title": decision.title, "project": decision.project.name,
            "url": action_link_url(action_link_create(person=row.recipient, action=action, obj=decision)),
            "view_url": portal_url("engagement:decision", decision.project.slug, decision.pk)}


def render_decision_request(row: OutboundMessage) -> Rendered | None:
    """Called by the outbox at send time. None (skip) when the decision no longer awaits the person: the one rule of
    `DecisionQuerySet.awaiting` (settled, withdrawn or superseded, answered, or the person left the project)."""
    person = row.recipient
    decision = Decision.objects.select_related("project__manager").filter(pk=row.payload.get("decision")).first()
    if decision is None or not decision_still_awaits(row):
        return None
    project = decision.project
    people = [m.user for m in Membership.objects.filter(project=project, role__in=CLIENT_ROLES, user__is_active=True).select_related("user")]
    _away, covering = away_and_covering(project_id=project.pk, people=people, now=timezone.now())
    action = _action(decision)
    context = {
        "person": person,
        "decision": decision,
        "project": project,
        "approve": action == A.APPROVE,
        "action_url": action_link_url(action_link_create(person=person, action=action, obj=decision)),
        "view_url": portal_url("engagement:decision", project.slug, decision.pk),
        "covering": covering.get(person.pk, []),
    }
    rendered = render_email("decision_request", context, language=person.language, time_zone=person.time_zone)
    rendered.headers = automated_headers(
        kind=MessageKind.DECISION_REQUEST, language=person.language, sender_name=str(project.manager),
        reply_to=reply_address(person=person, kind="decisions", object_id=decision.pk, project_id=project.pk),
    )
    return rendered
