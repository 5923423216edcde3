"""E-mails of the projects app: the portal invitation, "you were added to a project", "a task is yours" and
"a client reports a task blocked" (docs/notifications.md).

Each writes one outbox row; the dedupe key makes a second call a no-op. Messages that are not tied to a moment wait
for the recipient's working hours (`next_working_instant`). "Added to a project" and "a task is yours" are requests:
they wait for the bundle window too, and requests to one person in one window go out as one message
(portal/outbox/bundles.py).
"""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.core.time import next_working_instant
from portal.outbox.bundles import request_payload, request_send_after
from portal.outbox.email import absolute, base_headers, render_email
from portal.outbox.models import MessageKind, OutboundMessage
from portal.outbox.replies import reply_address
from portal.outbox.services import outbox_enqueue
from projects.models import Invitation, Membership, ProgressReport, ReportState, Task


def _url(name: str, *args) -> str:
    try:
        return absolute(reverse(name, args=args))
    except NoReverseMatch:
        return absolute("/")


def _headers(kind: str, language: str, sender, reply_to: str | None = None) -> dict:
    headers = base_headers(kind=kind, language=language)
    headers["From"] = formataddr((f"{sender} via Rapport", settings.RAPPORT_NOTIFY_EMAIL))
    headers["Reply-To"] = reply_to or sender.email
    return headers


def task_reply_address(task: Task, person) -> str:
    """The Reply-To of a notice to `person` about `task`: a reply becomes their comment on it."""
    return reply_address(person=person, kind="tasks", object_id=task.pk, project_id=task.project_id)


def queue_invitation_email(*, invitation_id: int, token: str, send_no: int = 1) -> bool:
    """The invitation with its single-use accept link (`invite:<invitation-id>:<send-no>`), built from the signed
    `token` the invitation service issued. True when queued now."""
    invitation = Invitation.objects.select_related("project__client", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending:
        return False
    key = f"{invitation_key_prefix(invitation.pk)}{send_no}"
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return False
    project = invitation.project
    language = project.client.language
    context = {
        "invitation": invitation,
        "project": project,
        "inviter": invitation.invited_by,
        "accept_url": _url("accounts:invite-accept", token),
    }
    rendered = render_email("invitation", context, language=language, time_zone=project.client.time_zone)
    _row, created = outbox_enqueue(
        kind=MessageKind.INVITATION, to_email=invitation.email, dedupe_key=key, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html,
        headers=_headers(MessageKind.INVITATION, language, invitation.invited_by), project_id=project.pk,
        payload={"supersede_prefix": invitation_key_prefix(invitation.pk), "order": send_no},
    )
    return created


def invitation_key_prefix(invitation_id: int) -> str:
    """Every e-mail of one invitation (each send has its own link): a newer one supersedes the older ones."""
    return f"invite:{invitation_id}:"


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
        payload={"membership": membership.pk, **request_payload(
            person=person, still=f"{__name__}.membership_still_there", line=f"{__name__}.membership_line",
            reply_to=project.manager.email)},
        send_after=request_send_after(timezone.now(), person.time_zone),
    )
    return created


def membership_still_there(row: OutboundMessage) -> bool:
    """The "added to a project" notice still holds when it goes (portal/outbox/bundles.py)."""
    return Membership.objects.filter(pk=row.payload["membership"], user_id=row.recipient_id).exists()


def membership_line(row: OutboundMessage) -> dict:
    project = Membership.objects.select_related("project").get(pk=row.payload["membership"]).project
    return {"what": "member", "project": project.name, "url": _url("projects:overview", project.slug)}


def queue_task_assigned_email(*, task_id: int, owner_id: int, version: int, assigned_by_id: int | None = None) -> bool:
    """Tell a client person that a task is now theirs (`assigned:<task>:<owner>:<version>`), with a link to report
    on it. `version` is the task's version the assignment made. Not sent when they gave it to themselves, when the
    task is closed or someone else's by now, or when they turned off e-mails about what awaits them.
    True when queued now."""
    task = Task.objects.select_related("project__manager", "owner").filter(pk=task_id).first()
    if task is None or task.owner_id != owner_id or not task.is_open or task.internal:
        return False
    person, project = task.owner, task.project
    if not person.is_client or not person.is_active or not person.email_nudges or person.pk == assigned_by_id:
        return False
    key = f"assigned:{task.pk}:{person.pk}:{version}"
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return False
    sender = User.objects.filter(pk=assigned_by_id).first() or project.manager
    context = {
        "person": person, "task": task, "project": project, "assigned_by": sender,
        "report_url": _url("projects:task-report", project.slug, task.pk),
        "task_url": _url("projects:task", project.slug, task.pk),
    }
    rendered = render_email("task_assigned", context, language=person.language, time_zone=person.time_zone)
    _row, created = outbox_enqueue(
        kind=MessageKind.TASK_ASSIGNED, recipient=person, dedupe_key=key, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html,
        headers=_headers(MessageKind.TASK_ASSIGNED, person.language, sender, task_reply_address(task, person)),
        project_id=project.pk,
        payload={"task": task.pk, **request_payload(
            person=person, still=f"{__name__}.task_still_theirs", line=f"{__name__}.task_line", reply_to=sender.email)},
        send_after=request_send_after(timezone.now(), person.time_zone),
    )
    return created


def task_still_theirs(row: OutboundMessage) -> bool:
    """The task is still open and the recipient's when the e-mail goes (portal/outbox/bundles.py)."""
    task = Task.objects.filter(pk=row.payload["task"]).first()
    return task is not None and task.owner_id == row.recipient_id and task.is_open and not task.internal


def task_line(row: OutboundMessage) -> dict:
    task = Task.objects.select_related("project").get(pk=row.payload["task"])
    return {"what": "task", "title": task.title, "project": task.project.name, "due": task.due_date,
            "url": _url("projects:task-report", task.project.slug, task.pk)}


def queue_task_blocked_email(*, report_id: int) -> bool:
    """Tell the project's manager that a client person reported a task blocked (`blocked:<report>:<manager>`), with
    a link to the task. Not sent for the team's own reports, or when the manager turned off e-mails about what
    awaits them. True when queued now."""
    report = ProgressReport.objects.select_related("task__project__manager", "author").filter(pk=report_id).first()
    if report is None or report.state != ReportState.BLOCKED or not report.author.is_client:
        return False
    task, project = report.task, report.task.project
    manager = project.manager
    if not manager.is_active or not manager.email_nudges:
        return False
    key = f"blocked:{report.pk}:{manager.pk}"
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return False
    context = {"person": manager, "report": report, "task": task, "project": project, "author": report.author,
               "task_url": _url("projects:task", project.slug, task.pk)}
    rendered = render_email("task_blocked", context, language=manager.language, time_zone=manager.time_zone)
    headers = base_headers(kind=MessageKind.TASK_BLOCKED, language=manager.language)
    headers["From"] = formataddr(("Rapport", settings.RAPPORT_NOTIFY_EMAIL))
    headers["Reply-To"] = task_reply_address(task, manager)
    _row, created = outbox_enqueue(
        kind=MessageKind.TASK_BLOCKED, recipient=manager, dedupe_key=key, subject=rendered.subject,
        body_text=rendered.body_text, body_html=rendered.body_html, headers=headers, project_id=project.pk,
        send_after=next_working_instant(timezone.now(), manager.time_zone),
    )
    return created
