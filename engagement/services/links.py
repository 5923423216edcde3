"""Signed one-click links (emails.md §2.5): one person, one object, one action, expiring, single-use.

A link is a row (`ActionLink`: who, what, on which object, until when, used when) and a token that names the row
and carries Django's `salted_hmac` of it, cut short so a link fits on one `List-Unsubscribe` header line. The token
proves the e-mail came from us; everything else is read from the row and checked again when the link is opened,
through the same access functions as the portal's pages. This module only creates and checks links;
`engagement.services.link_actions` uses them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from engagement.models import ActionLink, Decision, DecisionResponse, Meeting, MeetingSeries, MeetingStatus
from engagement.permissions import decision_access, meeting_access, series_access
from portal.core.ratelimit import Limit, hit
from portal.outbox.email import absolute
from projects.models import Task
from projects.permissions import ProjectAccess, task_access

SALT = "rapport.actionlink.v1"
MAC_LENGTH = 24  # hex digits: 96 bits of HMAC-SHA256; the row's expiry and single use do the rest
TOKEN_LENGTH = 32 + 1 + MAC_LENGTH  # link id (hex), preference code, MAC: 57 characters
A = ActionLink.Action
SERIES_RSVP_TTL = dt.timedelta(days=183)
TTL = {
    A.ACKNOWLEDGE: dt.timedelta(days=14),
    A.APPROVE: dt.timedelta(days=14),
    A.HANDLE: dt.timedelta(days=7),
    A.REPORT: dt.timedelta(days=7),
    A.UNSUBSCRIBE: dt.timedelta(days=365),
}
DEFAULT_TTL = dt.timedelta(days=14)
RSVP_ACTIONS = {A.RSVP_YES: "yes", A.RSVP_MAYBE: "maybe", A.RSVP_NO: "no"}
DECISION_ACTIONS = {A.ACKNOWLEDGE: "acknowledged", A.APPROVE: "approved"}
UNSUBSCRIBE_PREFERENCES = ("email_digest", "email_reminders", "email_nudges")
PREFERENCE_CODES = {"email_digest": "d", "email_reminders": "r", "email_nudges": "n"}
PREFERENCE_BY_CODE = {code: name for name, code in PREFERENCE_CODES.items()}
NO_PREFERENCE = "-"

OK = "ok"
USED = "used"
EXPIRED = "expired"
INVALID = "invalid"
NOT_YOURS = "not_yours"
NO_ACCESS = "no_access"
CHANGED = "changed"
DONE = "done"
LIMITED = "limited"


@dataclass(frozen=True)
class LinkSpec:
    """One link to create: `person` may do `action` on `obj` (for unsubscribe links, `obj` is the person)."""

    person: object
    action: str
    obj: object
    preference: str = ""


@dataclass
class LinkState:
    state: str
    link: ActionLink | None = None
    obj: object | None = None
    preference: str = ""

    @property
    def ok(self) -> bool:
        return self.state == OK


def link_expiry(*, action: str, obj, now: dt.datetime) -> dt.datetime:
    """The one expiry rule: an RSVP link lasts until its meeting ends (a series invitation's for half a year: it
    answers for every coming meeting), any other link for its action's TTL."""
    if action in RSVP_ACTIONS and isinstance(obj, Meeting):
        return obj.ends_at
    if action in RSVP_ACTIONS and isinstance(obj, MeetingSeries):
        return now + SERIES_RSVP_TTL
    return now + TTL.get(action, DEFAULT_TTL)


def action_links_create(*, specs: list[LinkSpec], now: dt.datetime | None = None) -> list[str]:
    """Create the links in one INSERT and return their tokens, in the order of `specs` (a digest batch makes
    a thousand links at once; a single e-mail makes one or three)."""
    now = now or timezone.now()
    types = ContentType.objects.get_for_models(*{type(spec.obj) for spec in specs})  # one query when not cached yet
    rows = [
        ActionLink(
            person=spec.person,
            action=spec.action,
            object_ct=types[type(spec.obj)],
            object_id=str(spec.obj.pk),
            created_at=now,
            expires_at=link_expiry(action=spec.action, obj=spec.obj, now=now),
        )
        for spec in specs
    ]
    ActionLink.objects.bulk_create(rows)
    return [_token(row.id.hex, row.action, PREFERENCE_CODES.get(spec.preference, NO_PREFERENCE))
            for row, spec in zip(rows, specs, strict=True)]


def action_link_create(*, person, action: str, obj, preference: str = "") -> str:
    """One link's token (see `action_links_create`)."""
    return action_links_create(specs=[LinkSpec(person=person, action=action, obj=obj, preference=preference)])[0]


def action_link_url(token: str) -> str:
    return absolute(reverse("engagement:action-link", args=[token]))


def unsubscribe_url_for(token: str) -> str:
    return absolute(reverse("engagement:unsubscribe", args=[token]))


def unsubscribe_url(*, person, preference: str) -> str:
    return unsubscribe_url_for(action_link_create(person=person, action=A.UNSUBSCRIBE, obj=person, preference=preference))


def _mac(link_hex: str, action: str, code: str) -> str:
    return salted_hmac(SALT, f"{link_hex}:{action}:{code}", algorithm="sha256").hexdigest()[:MAC_LENGTH]


def _token(link_hex: str, action: str, code: str) -> str:
    return f"{link_hex}{code}{_mac(link_hex, action, code)}"


def _parse(token: str) -> tuple[uuid.UUID, str, str] | None:
    if len(token) != TOKEN_LENGTH:
        return None
    try:
        link_id = uuid.UUID(hex=token[:32])
    except ValueError:
        return None
    return link_id, token[32], token[33:]


def is_unsubscribe_token(token: str) -> bool:
    parts = _parse(token)
    return parts is not None and constant_time_compare(parts[2], _mac(parts[0].hex, A.UNSUBSCRIBE, parts[1]))


def _load(token: str) -> LinkState:
    parts = _parse(token)
    if parts is None:
        return LinkState(INVALID)
    link_id, code, mac = parts
    link = ActionLink.objects.select_related("person", "object_ct").filter(id=link_id).first()
    if link is None or not constant_time_compare(mac, _mac(link_id.hex, link.action, code)) or link.revoked_at is not None:
        return LinkState(INVALID)
    return LinkState(OK, link=link, preference=PREFERENCE_BY_CODE.get(code, ""))


def action_link_check(*, token: str, user=None, now: dt.datetime | None = None) -> LinkState:
    """What would happen if the link were used now. Changes nothing. `user` is whoever is signed in in the browser
    (or None): a session never grants anything here, it can only make a link someone else's."""
    now = now or timezone.now()
    found = _load(token)
    if not found.ok:
        return found
    link = found.link
    if user is not None and getattr(user, "is_authenticated", False) and user.pk != link.person_id:
        return LinkState(NOT_YOURS, link=link)
    if link.action == A.UNSUBSCRIBE:  # repeatable and harmless: never "used", valid for its year
        return LinkState(OK, link=link, obj=link.person, preference=found.preference)
    if link.used_at is not None:
        return LinkState(USED, link=link)
    if link.expires_at <= now:
        return LinkState(EXPIRED, link=link)
    try:
        obj, access = _object_access(link)
    except Http404:
        return LinkState(NO_ACCESS, link=link)
    return LinkState(_state(link, obj, access, now), link=link, obj=obj)


def _object_access(link: ActionLink) -> tuple[object, ProjectAccess]:
    """The link's object as the portal's pages give it to the link's person: `Http404` when they may no longer see
    it (not a member any more, deactivated, an internal object for a client, gone)."""
    model = link.object_ct.model_class()
    if model is Decision:
        return decision_access(user=link.person, decision_id=link.object_id)
    if model is Meeting:
        return meeting_access(user=link.person, meeting_id=link.object_id)
    if model is MeetingSeries:
        return series_access(user=link.person, series_id=link.object_id)
    if model is Task:
        task = Task.objects.select_related("project").filter(pk=link.object_id).first()
        if task is None:
            raise Http404
        return task_access(user=link.person, task_id=task.pk, slug=task.project.slug)
    raise Http404


def _state(link: ActionLink, obj, access: ProjectAccess, now: dt.datetime) -> str:
    person = link.person
    if link.action in DECISION_ACTIONS:
        if not access.can_respond_to(obj):
            return NO_ACCESS
        if not Decision.objects.asking().filter(pk=obj.pk).exists():
            return CHANGED  # settled (an approval once approved), withdrawn or superseded: as the decision page says
        if DecisionResponse.objects.filter(decision=obj, user=person).exists():
            return USED
    if link.action in RSVP_ACTIONS and isinstance(obj, Meeting):
        if not obj.attendance.filter(user=person).exists():
            return NO_ACCESS
        if obj.status != MeetingStatus.SCHEDULED or obj.ends_at <= now:
            return CHANGED
    if link.action in RSVP_ACTIONS and isinstance(obj, MeetingSeries):  # a series invitation answers for the series
        if not obj.attendees.filter(pk=person.pk).exists():
            return NO_ACCESS
        if obj.ended_at is not None:
            return CHANGED
    return OK


def link_rate_check(*, token: str, address: str | None, per_address: bool = True) -> LinkState | None:
    """Count one opening of a one-click page; `LinkState(LIMITED)` when the link, or the address, was too busy in the
    last window. The per-link bar is low (a person and their mail scanner open a link a few times); the per-address
    bar is high, since a whole office, or a mail provider's servers, share one address. RFC 8058 unsubscribe POSTs come
    from the providers' servers, so the caller counts them per link only (`per_address=False`)."""
    window = settings.ONE_CLICK_LIMIT_WINDOW_SECONDS
    if not hit(Limit("one-click-link", settings.ONE_CLICK_LIMIT_PER_LINK, window), token):
        return LinkState(LIMITED)
    if per_address and address and not hit(Limit("one-click-address", settings.ONE_CLICK_LIMIT_PER_ADDRESS, window), address):
        return LinkState(LIMITED)
    return None
