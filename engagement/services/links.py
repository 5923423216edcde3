"""Signed one-click links (emails.md §2.5): one person, one object, one action, expiring, single-use.

The token carries only the link's id (and, for unsubscribe, which mail) plus an HMAC. A GET only checks;
`action_link_use` claims the row with a conditional UPDATE and performs the action in
the same transaction, so a failed action leaves the link unused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from engagement.models import Decision, DecisionResponse, Meeting, MeetingSeries, MeetingStatus
from portal.accounts.models import User
from portal.outbox.bulk import copy_values
from portal.outbox.email import absolute
from portal.outbox.models import ActionLink
from projects.permissions import project_access

SALT = "rapport.actionlink.v1"
MAC_LENGTH = 24  # 96 bits of HMAC-SHA256; the row's expires_at and used_at do the rest
A = ActionLink.Action
DEFAULT_TTL = {
    A.ACKNOWLEDGE: dt.timedelta(days=14),
    A.APPROVE: dt.timedelta(days=14),
    A.HANDLE: dt.timedelta(days=7),
    A.REPORT: dt.timedelta(days=7),
    A.UNSUBSCRIBE: dt.timedelta(days=365),
}
RSVP_ACTIONS = {A.RSVP_YES: "yes", A.RSVP_MAYBE: "maybe", A.RSVP_NO: "no"}
DECISION_ACTIONS = {A.ACKNOWLEDGE: "acknowledged", A.APPROVE: "approved"}
UNSUBSCRIBE_PREFERENCES = ("email_digest", "email_reminders", "email_nudges")
PREFERENCE_CODES = {"email_digest": "d", "email_reminders": "r", "email_nudges": "n"}
PREFERENCE_BY_CODE = {code: name for name, code in PREFERENCE_CODES.items()}

OK = "ok"
USED = "used"
EXPIRED = "expired"
INVALID = "invalid"
NOT_YOURS = "not_yours"
NO_ACCESS = "no_access"
CHANGED = "changed"
DONE = "done"


@dataclass
class LinkState:
    state: str
    link: ActionLink | None = None
    obj: object | None = None
    preference: str = ""

    @property
    def ok(self) -> bool:
        return self.state == OK


def action_link_create(*, person, action: str, obj, ttl: dt.timedelta | None = None, expires_at: dt.datetime | None = None,
                       preference: str = "", created_for=None) -> str:
    """Store a link row and return its token. RSVP links expire when the meeting ends unless told otherwise."""
    now = timezone.now()
    if expires_at is None:
        if action in RSVP_ACTIONS and isinstance(obj, Meeting):
            expires_at = obj.ends_at
        else:
            expires_at = now + (ttl or DEFAULT_TTL.get(action, dt.timedelta(days=14)))
    link = ActionLink.objects.create(
        person=person,
        action=action,
        object_ct=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        expires_at=expires_at,
        created_for=created_for,
    )
    return _token(link.id.hex, action, PREFERENCE_CODES.get(preference, "-"))


def action_link_create_many(*, person, specs: list[tuple[str, object]], now: dt.datetime | None = None) -> list[str]:
    """Tokens for several (action, obj) links of one person, written in one query (digests)."""
    now = now or timezone.now()
    rows = []
    for action, obj in specs:
        if action in RSVP_ACTIONS and isinstance(obj, Meeting):
            expires_at = obj.ends_at
        else:
            expires_at = now + DEFAULT_TTL.get(action, dt.timedelta(days=14))
        rows.append(ActionLink(person=person, action=action, object_ct=ContentType.objects.get_for_model(type(obj)),
                               object_id=str(obj.pk), expires_at=expires_at, created_at=now))
    ActionLink.objects.bulk_create(rows)
    return [_token(row.id.hex, row.action, "-") for row in rows]


def action_links_create_bulk(*, specs: list[tuple], now: dt.datetime | None = None) -> list[str]:
    """Tokens for the links of many people, (person, action, obj[, preference]) each, written in one statement (digest
    batches). Expiry as in `action_link_create_many`; unsubscribe links as in `action_link_create`."""
    now = now or timezone.now()
    rows, tokens = [], []
    for person, action, obj, *rest in specs:
        preference = rest[0] if rest else ""
        if action in RSVP_ACTIONS and isinstance(obj, Meeting):
            expires_at, created_at = obj.ends_at, now
        elif action == A.UNSUBSCRIBE:
            created_at = timezone.now()
            expires_at = created_at + DEFAULT_TTL[A.UNSUBSCRIBE]
        else:
            expires_at, created_at = now + DEFAULT_TTL.get(action, dt.timedelta(days=14)), now
        link_id = uuid.uuid4()
        rows.append({"id": link_id, "person_id": person.pk, "action": action,
                     "object_ct_id": ContentType.objects.get_for_model(type(obj)).pk, "object_id": str(obj.pk),
                     "created_at": created_at, "expires_at": expires_at})
        tokens.append(_token(link_id.hex, action, PREFERENCE_CODES.get(preference, "-")))
    copy_values(ActionLink, rows)
    return tokens


def unsubscribe_url_for(token: str) -> str:
    return absolute(reverse("engagement:unsubscribe", args=[token]))


def action_link_urls(tokens: list[str]) -> list[str]:
    """`action_link_url` of many tokens (a digest batch: one reverse() for all; tokens are URL-safe)."""
    mark = "0" * (33 + MAC_LENGTH)
    before, after = absolute(reverse("engagement:action-link", args=[mark])).split(mark)
    return [f"{before}{token}{after}" for token in tokens]


def action_link_url(token: str) -> str:
    return absolute(reverse("engagement:action-link", args=[token]))


def unsubscribe_url(*, person, preference: str) -> str:
    token = action_link_create(person=person, action=A.UNSUBSCRIBE, obj=person, preference=preference)
    return absolute(reverse("engagement:unsubscribe", args=[token]))


@lru_cache(maxsize=4)
def _keyed(secret: str) -> hmac.HMAC:
    """HMAC-SHA256 under the key Django's `salted_hmac(SALT, …, algorithm="sha256")` derives from the salt and the
    secret, ready to copy: a digest batch signs a thousand links, and deriving the key and the HMAC's pads for each
    one was a twentieth of building the batch (bench). Same bytes as `salted_hmac` (tests/engagement/test_links.py)."""
    return hmac.new(hashlib.sha256(f"{SALT}{secret}".encode()).digest(), digestmod=hashlib.sha256)


def _mac(link_hex: str, action: str, code: str) -> str:
    mac = _keyed(settings.SECRET_KEY).copy()
    mac.update(f"{link_hex}:{action}:{code}".encode())
    return mac.hexdigest()[:MAC_LENGTH]


def _token(link_hex: str, action: str, code: str) -> str:
    """`<link uuid hex><preference code><truncated HMAC>`: 57 characters, short enough for one header line."""
    return f"{link_hex}{code}{_mac(link_hex, action, code)}"


def _parse(token: str) -> tuple[str, str, str] | None:
    if len(token) != 33 + MAC_LENGTH:
        return None
    return token[:32], token[32], token[33:]


def is_unsubscribe_token(token: str) -> bool:
    parts = _parse(token)
    return parts is not None and constant_time_compare(parts[2], _mac(parts[0], A.UNSUBSCRIBE, parts[1]))


def _load(token: str) -> LinkState:
    parts = _parse(token)
    if parts is None:
        return LinkState(INVALID)
    link_hex, code, mac = parts
    link = ActionLink.objects.select_related("person", "object_ct").filter(id=_uuid(link_hex)).first() if _uuid(link_hex) else None
    if link is None or not constant_time_compare(mac, _mac(link_hex, link.action, code)) or link.revoked_at is not None:
        return LinkState(INVALID)
    return LinkState(OK, link=link, preference=PREFERENCE_BY_CODE.get(code, ""))


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=value)
    except ValueError:
        return None


def action_link_check(*, token: str, user=None, now: dt.datetime | None = None) -> LinkState:
    """What would happen if the link were used now. Changes nothing."""
    now = now or timezone.now()
    found = _load(token)
    if not found.ok:
        return found
    link = found.link
    if user is not None and getattr(user, "is_authenticated", False) and user.pk != link.person_id:
        return LinkState(NOT_YOURS, link=link)
    obj = link.object_ct.model_class().objects.filter(pk=link.object_id).first()
    state = LinkState(OK, link=link, obj=obj, preference=found.preference)
    if link.action == A.UNSUBSCRIBE:
        return state  # repeatable and harmless: never "used", and valid for its year
    if link.used_at is not None:
        state.state = USED
        return state
    if link.expires_at <= now:
        state.state = EXPIRED
        return state
    state.state = _authorise(link, obj, now)
    return state


def _authorise(link: ActionLink, obj, now: dt.datetime) -> str:
    person = link.person
    if obj is None or not person.is_active:
        return NO_ACCESS
    project = getattr(obj, "project", None)
    if project is not None:
        try:
            access = project_access(user=person, project=project)
        except Http404:
            return NO_ACCESS
        if getattr(obj, "internal", False) and not access.can_see_internal:
            return NO_ACCESS
    if link.action in DECISION_ACTIONS and isinstance(obj, Decision):
        if not access.can_respond_to(obj):
            return NO_ACCESS
        if not obj.needs_client:
            return CHANGED
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


@transaction.atomic
def action_link_use(*, token: str, user=None, ip: str | None = None, user_agent: str = "",
                    now: dt.datetime | None = None) -> LinkState:
    """Claim the link and do its action once. Any other state is returned unchanged (nothing written)."""
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
        from engagement.services.decisions import decision_respond

        decision_respond(actor=person, decision=obj, kind=DECISION_ACTIONS[link.action], via="email-link")
    elif link.action in RSVP_ACTIONS and isinstance(obj, MeetingSeries):
        from engagement.services.series import series_rsvp_set

        series_rsvp_set(actor=person, series=obj, answer=RSVP_ACTIONS[link.action])
    elif link.action in RSVP_ACTIONS:
        from engagement.services.meetings import rsvp_set

        rsvp_set(actor=person, meeting=obj, answer=RSVP_ACTIONS[link.action])
    elif link.action == A.HANDLE:
        from projects.services.audit import audit_record

        audit_record(actor=person, action="escalation.handle", obj=obj, changes={"via": "email-link"}, internal=True)


def _unsubscribe(person: User, preference: str) -> None:
    if preference not in UNSUBSCRIBE_PREFERENCES:
        preference = "email_digest"
    if getattr(person, preference):
        from projects.services.audit import audit_record

        setattr(person, preference, False)
        person.save(update_fields=[preference])
        audit_record(actor=person, action="preferences.unsubscribe", obj=person,
                     changes={preference: {"old": True, "new": False}, "via": "email-link"}, internal=True)
