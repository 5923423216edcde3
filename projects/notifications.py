"""E-mail follow-ups of project services, called from `transaction.on_commit`.

Each function only writes OutboundMessage rows (through portal.outbox) and is
safe to call twice: the dedupe key makes the second call a no-op.
"""

from __future__ import annotations


def invitation_send(invitation_id: int, send_no: int = 1) -> None:
    """Queue the portal invitation e-mail (dedupe key `invite:<invitation-id>:<send-no>`)."""
    from projects.emails import queue_invitation_email  # implemented with the outbox

    queue_invitation_email(invitation_id=invitation_id, send_no=send_no)


def membership_added_notify(membership_id: int) -> None:
    """Tell an existing account they were added to a project."""
    from projects.emails import queue_membership_added_email

    queue_membership_added_email(membership_id=membership_id)
