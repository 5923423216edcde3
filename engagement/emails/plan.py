"""Asking the client leads to sign the communication plan off (docs/notifications.md: "sign-off request")."""

from __future__ import annotations

from django.utils import timezone, translation

from engagement.emails.common import automated_headers, portal_url
from engagement.models import CommunicationPlan
from engagement.selectors.absences import away_and_covering
from engagement.selectors.plan_history import plan_changes_since_sign_off
from portal.outbox.bundles import request_payload, request_send_after
from portal.outbox.email import render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_enqueue
from projects.models import Membership, Role


def queue_sign_off_request(*, plan_id: int) -> int:
    """One e-mail per active client lead (`signoff:<plan>:<version>:<person>:<request date>`), with a link to the
    plan's sign-off page and, after an earlier sign-off, what changed since that version; asking again the same day
    sends nothing more. Not sent when the version is signed off by
    now, to a lead who turned off e-mails about what awaits them, or to a lead away that day (a lead who is their
    backup is told whom they cover for). Returns how many were queued."""
    plan = CommunicationPlan.objects.select_related("project__manager").filter(pk=plan_id).first()
    if plan is None or plan.sign_off_requested_at is None or plan.signed_off_version == plan.version:
        return 0
    project, manager = plan.project, plan.project.manager
    day = plan.sign_off_requested_at.date().isoformat()
    plan_url = portal_url("engagement:plan", project.slug)
    queued = 0
    leads = Membership.objects.filter(project=project, role=Role.CLIENT_LEAD, user__is_active=True, user__email_nudges=True)
    people = [m.user for m in leads.select_related("user").order_by("user_id")]
    away, covering = away_and_covering(project_id=project.pk, people=people, now=timezone.now())
    for person in people:
        key = f"signoff:{plan.pk}:{plan.version}:{person.pk}:{day}"
        if person.pk in away or OutboundMessage.objects.filter(dedupe_key=key).exists():
            continue
        with translation.override(person.language):
            # What changed since the last signed version, in the reader's words (None before a first sign-off).
            since_sign_off = plan_changes_since_sign_off(plan)
        context = {"person": person, "plan": plan, "project": project, "manager": manager, "plan_url": plan_url,
                   "since_sign_off": since_sign_off, "covering": covering.get(person.pk, [])}
        rendered = render_email("sign_off_request", context, language=person.language, time_zone=person.time_zone)
        headers = automated_headers(kind=MessageKind.SIGN_OFF_REQUEST, language=person.language,
                                    sender_name=str(manager), reply_to=manager.email)
        _row, created = outbox_enqueue(
            kind=MessageKind.SIGN_OFF_REQUEST, recipient=person, dedupe_key=key, subject=rendered.subject,
            body_text=rendered.body_text, body_html=rendered.body_html, headers=headers, project_id=project.pk,
            payload={"plan": plan.pk, "version": plan.version, **request_payload(
                person=person, still=f"{__name__}.sign_off_still_asked", line=f"{__name__}.sign_off_line",
                reply_to=manager.email)},
            send_after=request_send_after(timezone.now(), person.time_zone),
        )
        queued += int(created)
    return queued


def sign_off_still_asked(row: OutboundMessage) -> bool:
    """The plan still awaits the recipient's sign-off when the e-mail goes (not signed off meanwhile, by them or another
    lead; they are still a lead of the project): portal/outbox/bundles.py."""
    plan = CommunicationPlan.objects.filter(pk=row.payload["plan"]).first()
    return (plan is not None and plan.signed_off_version != plan.version
            and Membership.objects.filter(project_id=plan.project_id, user_id=row.recipient_id, role=Role.CLIENT_LEAD).exists())


def sign_off_line(row: OutboundMessage) -> dict:
    plan = CommunicationPlan.objects.select_related("project").get(pk=row.payload["plan"])
    return {"what": "sign_off", "project": plan.project.name, "version": row.payload["version"],
            "url": portal_url("engagement:plan", plan.project.slug)}
