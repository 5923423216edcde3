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


def series_invited(series_id: int, person_ids: list[int] | None = None) -> None:
    """The series as one calendar event (RRULE) at its current SEQUENCE, to its attendees or to `person_ids`."""
    from engagement.emails.series import queue_series_itip

    queue_series_itip(series_id=series_id, person_ids=person_ids)


def series_uninvited(series_id: int, person_ids: list[int]) -> None:
    """A CANCEL of the series to the people just removed from it (no STATUS: the series goes on)."""
    from engagement.emails.series import queue_series_itip

    queue_series_itip(series_id=series_id, method="CANCEL", person_ids=person_ids, uninvite=True)


def series_ended(series_id: int, reason: str) -> None:
    """A REQUEST of the series whose rule stops at its last meeting, or a CANCEL when none took place."""
    from engagement.emails.series import queue_series_itip

    queue_series_itip(series_id=series_id, reason=reason)


def plan_sign_off_requested(plan_id: int) -> None:
    """Ask the client leads to sign the plan's current version off, with a link to the plan."""
    from engagement.emails.plan import queue_sign_off_request

    queue_sign_off_request(plan_id=plan_id)
