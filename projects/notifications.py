"""E-mail follow-ups of project services, called from `transaction.on_commit`.

Each function only writes OutboundMessage rows (through portal.outbox) and is
safe to call twice: the dedupe key makes the second call a no-op. What is sent,
to whom and when: docs/notifications.md.
"""

from __future__ import annotations

from projects import emails


def invitation_send(invitation_id: int, token: str, send_no: int = 1) -> None:
    """Queue the portal invitation e-mail (dedupe key `invite:<invitation-id>:<send-no>`)."""
    emails.queue_invitation_email(invitation_id=invitation_id, token=token, send_no=send_no)


def membership_added_notify(membership_id: int) -> None:
    """Tell an existing account they were added to a project."""
    emails.queue_membership_added_email(membership_id=membership_id)


def task_assigned(task_id: int, owner_id: int, version: int, assigned_by_id: int | None) -> None:
    """Tell a client person a task is theirs, with a link to report on it."""
    emails.queue_task_assigned_email(task_id=task_id, owner_id=owner_id, version=version, assigned_by_id=assigned_by_id)


def task_blocked(report_id: int) -> None:
    """Tell the manager that a client person reported a task blocked, with a link to the task."""
    emails.queue_task_blocked_email(report_id=report_id)
