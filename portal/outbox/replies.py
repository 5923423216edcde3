"""Reply-To addresses that turn a reply into a comment: one per person and object, signed, expiring, revocable.

An address reads `r-<key>.<time>.<signature>@INBOUND_EMAIL_DOMAIN` (at most 61 characters before the `@`, under the
64 that SMTP allows). `<key>` is random and names a `ReplyAddress` row (who, and which object: no id in clear);
`<time>.<signature>` is `django.core.signing.TimestampSigner`'s, so a forged or altered address is refused before
anything else is looked at, and one older than `REPLY_ADDRESS_MAX_AGE_DAYS` is refused as expired. The signing key
is derived from the person's password hash: a password change or reset invalidates every address they were given.
A deactivated person's addresses are refused; `reply_addresses_revoke` retires a person's addresses at once (the next
notice carries a new key).

The signature is case-sensitive, as RFC 5321 allows local parts to be; mail systems keep them as they are.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.outbox.models import ReplyAddress

PREFIX = "r-"
KEY_LENGTH = 8
KEY_ALPHABET = string.ascii_lowercase + string.digits
KINDS = ("tasks", "decisions", "meetings", "risks")


class ReplyAddressError(Exception):
    """An address that names nobody: `reason` is `malformed`, `unknown`, `forged`, `expired`, `revoked` or
    `inactive`."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReplyTarget:
    """Whom and what a valid reply address names."""

    person: object
    kind: str
    object_id: int
    project_id: int
    internal: bool


def _signer(person) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"rapport.reply:{person.pk}:{person.password}", sep=".")


def _new_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def _live_row(*, person, kind: str, object_id: int, project_id: int, internal: bool) -> ReplyAddress:
    lookup = {"person": person, "kind": kind, "object_id": object_id, "internal": internal, "revoked_at__isnull": True}
    for _attempt in range(5):
        row = ReplyAddress.objects.filter(**lookup).first()
        if row is not None:
            return row
        try:
            with transaction.atomic():
                return ReplyAddress.objects.create(
                    person=person, kind=kind, object_id=object_id, project_id_ref=project_id, internal=internal,
                    key=_new_key(),
                )
        except IntegrityError:  # a concurrent notice made the row first (or, rarely, the key was taken): look again
            continue
    raise RuntimeError("no reply address could be made")


def reply_address(*, person, kind: str, object_id: int, project_id: int, internal: bool = False) -> str:
    """The Reply-To for a notice to `person` about object `object_id` of `kind` (`tasks`, `decisions`, `meetings`,
    `risks`) in project `project_id`. The same person and object reuse one row; each call signs it afresh, so an
    address expires `REPLY_ADDRESS_MAX_AGE_DAYS` after the notice that carried it."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    row = _live_row(person=person, kind=kind, object_id=object_id, project_id=project_id, internal=internal)
    return f"{PREFIX}{_signer(person).sign(row.key)}@{settings.INBOUND_EMAIL_DOMAIN}"


def is_reply_address(address: str) -> bool:
    """Whether `address` is on the inbound domain and shaped like a reply address (says nothing of its validity)."""
    local, _at, domain = (address or "").strip().rpartition("@")
    return domain.lower() == settings.INBOUND_EMAIL_DOMAIN and local.lower().startswith(PREFIX)


def reply_address_resolve(address: str) -> ReplyTarget:
    """The person and object a reply address names; ReplyAddressError when it is malformed, unknown, forged (or
    signed before the person's last password change), expired, revoked, or its person is deactivated."""
    if not is_reply_address(address):
        raise ReplyAddressError("malformed")
    local = address.strip().rpartition("@")[0][len(PREFIX):]
    key = local.split(".", 1)[0].lower()
    row = ReplyAddress.objects.select_related("person").filter(key=key).first()
    if row is None:
        raise ReplyAddressError("unknown")
    max_age = settings.REPLY_ADDRESS_MAX_AGE_DAYS * 86400
    try:
        _signer(row.person).unsign(f"{key}{local[len(key):]}", max_age=max_age)
    except signing.SignatureExpired:
        raise ReplyAddressError("expired") from None
    except signing.BadSignature:
        raise ReplyAddressError("forged") from None
    if row.revoked_at is not None:
        raise ReplyAddressError("revoked")
    if not row.person.is_active:
        raise ReplyAddressError("inactive")
    return ReplyTarget(person=row.person, kind=row.kind, object_id=row.object_id, project_id=row.project_id_ref,
                       internal=row.internal)


def reply_addresses_revoke(*, person) -> int:
    """Retire every reply address `person` was given (a lost phone, an address that leaked). Returns how many."""
    return ReplyAddress.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
