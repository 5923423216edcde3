"""E-mails of the projects app: the portal invitation and "you were added to a project".

Both write one outbox row each; the dedupe key makes a second call a no-op.
"""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from portal.outbox.email import absolute, base_headers, render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.services import outbox_enqueue
from projects.models import Invitation, Membership


def _url(name: str, *args) -> str:
    try:
        return absolute(reverse(name, args=args))
    except NoReverseMatch:
        return absolute("/")


def _headers(kind: str, language: str, sender) -> dict:
    headers = base_headers(kind=kind, language=language)
    headers["From"] = formataddr((f"{sender} via Rapport", settings.RAPPORT_NOTIFY_EMAIL))
    headers["Reply-To"] = sender.email
    return headers


def queue_invitation_email(*, invitation_id: int, send_no: int = 1) -> bool:
    """The invitation with its single-use accept link (`invite:<invitation-id>:<send-no>`). True when queued now."""
    from projects.services.invitations import invitation_token

    invitation = Invitation.objects.select_related("project__client", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending:
        return False
    key = f"invite:{invitation.pk}:{send_no}"
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return False
    project = invitation.project
    language = project.client.language
    context = {
        "invitation": invitation,
        "project": project,
        "inviter": invitation.invited_by,
        "accept_url": _url("accounts:invite-accept", invitation_token(invitation)),
    }
    rendered = render_email("invitation", context, language=language, time_zone=project.client.time_zone)
    _row, created = outbox_enqueue(
        kind=MessageKind.INVITATION, to_email=invitation.email, dedupe_key=key, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html,
        headers=_headers(MessageKind.INVITATION, language, invitation.invited_by), project_id=project.pk,
    )
    return created


def queue_membership_added_email(*, membership_id: int) -> bool:
    """Tell an existing account they were added to a project (`member:<membership-id>`)."""
    membership = Membership.objects.select_related("project__manager", "user").filter(pk=membership_id).first()
    if membership is None or not membership.user.is_active:
        return False
    person, project = membership.user, membership.project
    context = {"person": person, "project": project, "membership": membership,
               "project_url": _url("projects:overview", project.slug)}
    key = f"member:{membership.pk}"
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return False
    rendered = render_email("membership_added", context, language=person.language, time_zone=person.time_zone)
    _row, created = outbox_enqueue(
        kind=MessageKind.NOTICE, recipient=person, dedupe_key=key, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html,
        headers=_headers(MessageKind.NOTICE, person.language, project.manager), project_id=project.pk,
    )
    return created
