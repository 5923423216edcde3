"""Using a one-click link: claim it once and do its action as its person (emails.md §2.5).

Kept apart from `engagement.services.links` because the actions' services send e-mails that contain links.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from engagement.models import ActionLink, MeetingSeries
from engagement.services.decisions import decision_respond
from engagement.services.links import (
    DECISION_ACTIONS,
    DONE,
    RSVP_ACTIONS,
    UNSUBSCRIBE_PREFERENCES,
    USED,
    A,
    LinkState,
    action_link_check,
)
from engagement.services.meetings import rsvp_set
from engagement.services.series import series_rsvp_set
from portal.accounts.models import User
from projects.services.audit import audit_record


@transaction.atomic
def action_link_use(*, token: str, user=None, ip: str | None = None, user_agent: str = "",
                    now: dt.datetime | None = None) -> LinkState:
    """Claim the link and do its action once. Any other state is returned as `action_link_check` gives it, and
    nothing is written. The claim is a conditional UPDATE in the action's transaction: of two concurrent POSTs one
    acts and the other reads "already done", and a failed action leaves the link unused."""
    now = now or timezone.now()
    state = action_link_check(token=token, user=user, now=now)
    if not state.ok:
        return state
    link = state.link
    if link.action == A.UNSUBSCRIBE:
        _unsubscribe(link.person, state.preference)
        state.state = DONE
        return state
    claimed = ActionLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, used_ip=ip, used_ua=(user_agent or "")[:300])
    if claimed != 1:
        state.state = USED
        return state
    _perform(link, state.obj)
    link.used_at = now
    state.state = DONE
    return state


def _perform(link: ActionLink, obj) -> None:
    person = link.person
    if link.action in DECISION_ACTIONS:
        decision_respond(actor=person, decision=obj, kind=DECISION_ACTIONS[link.action], via="email-link")
    elif link.action in RSVP_ACTIONS and isinstance(obj, MeetingSeries):
        series_rsvp_set(actor=person, series=obj, answer=RSVP_ACTIONS[link.action])
    elif link.action in RSVP_ACTIONS:
        rsvp_set(actor=person, meeting=obj, answer=RSVP_ACTIONS[link.action])
    elif link.action == A.HANDLE:
        audit_record(actor=person, action="escalation.handle", obj=obj, changes={"via": "email-link"}, internal=True)


def _unsubscribe(person: User, preference: str) -> None:
    """Turn one kind of e-mail off; safe to repeat (the second time changes and records nothing)."""
    if preference not in UNSUBSCRIBE_PREFERENCES:
        preference = "email_digest"
    if getattr(person, preference):
        setattr(person, preference, False)
        person.save(update_fields=[preference])
        audit_record(actor=person, action="preferences.unsubscribe", obj=person,
                     changes={preference: {"old": True, "new": False}, "via": "email-link"}, internal=True)
