"""E-mail follow-ups of engagement services, called from `transaction.on_commit`.

Each function only writes OutboundMessage rows and is safe to call twice
(dedupe keys). The rendering lives in `engagement/emails/`.
"""

from __future__ import annotations


def meeting_scheduled(meeting_id: int) -> None:
    """REQUEST (SEQUENCE n) to every attendee of a new occurrence."""
    from engagement.emails.meetings import queue_itip

    queue_itip(meeting_id=meeting_id, method="REQUEST")


def meeting_updated(meeting_id: int) -> None:
    """REQUEST with the raised SEQUENCE after a reschedule or edit; older pending iTIP rows are superseded."""
    from engagement.emails.meetings import queue_itip

    queue_itip(meeting_id=meeting_id, method="REQUEST")


def meeting_cancelled(meeting_id: int) -> None:
    """CANCEL with the reason, to every attendee."""
    from engagement.emails.meetings import queue_itip

    queue_itip(meeting_id=meeting_id, method="CANCEL")


def meeting_recap(meeting_id: int) -> None:
    """Minutes and new actions to every attendee once the meeting is closed."""
    from engagement.emails.meetings import queue_recap

    queue_recap(meeting_id=meeting_id)


def decision_requested(decision_id: int) -> None:
    """Ask the client people (acknowledge / approve) with signed one-click links."""
    from engagement.emails.decisions import queue_decision_request

    queue_decision_request(decision_id=decision_id)


def plan_sign_off_requested(plan_id: int) -> None:
    """Ask the client leads to sign the plan's current version off, with a link to the plan."""
    from engagement.emails.plan import queue_sign_off_request

    queue_sign_off_request(plan_id=plan_id)
