"""Writes on a person's own account: preferences, the private calendar-feed token and API tokens."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from portal.accounts.models import Delivery, User

TOKEN_ID_LENGTH = 8  # a token's public id: the first characters of its key

PREFERENCE_FIELDS = frozenset(
    {"language", "time_zone", "digest_weekday", "digest_hour", "email_digest", "email_nudges", "email_reminders",
     *User.NOTIFY_FIELDS}
)


@transaction.atomic
def preferences_update(*, actor: User, user: User, owes_answers: bool, **fields) -> User:
    """Save a person's own preferences.

    While they owe answers, nudges and the weekly digest cannot both be switched
    off: one of them must keep telling the person what is waiting for them. What
    they owe is engagement's to say, so the caller passes it (`owes_answers`, from
    `engagement.selectors.awaiting.person_owes_answers`).
    """
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own preferences."))
    unknown = set(fields) - PREFERENCE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown preference: %(names)s") % {"names": ", ".join(sorted(unknown))})
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in fields.items():
        setattr(user, name, value)
    digest_kinds = [name for name in User.NOTIFY_FIELDS if getattr(user, name) == Delivery.DIGEST]
    if digest_kinds and not user.email_digest:
        raise ValidationError(
            {name: _("Turn the weekly digest on to read these in it, or choose another way.") for name in digest_kinds}
        )
    nudged = user.email_nudges and Delivery.EMAIL in (user.notify_decision, user.notify_report)
    if user.is_client and not nudged and not user.email_digest and owes_answers:
        raise ValidationError(
            {
                "email_nudges": _(
                    "You still owe reports or answers, so keep either the reminders about them or the weekly digest on."
                )
            }
        )
    user.full_clean()
    user.save(update_fields=sorted(fields))
    return user


@transaction.atomic
def calendar_token_rotate(*, actor: User, user: User) -> User:
    """Revoke the private calendar-feed address and issue a new one; the old address stops working at once."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own calendar address."))
    user = User.objects.select_for_update().get(pk=user.pk)
    user.rotate_calendar_token()
    user.full_clean()
    user.save(update_fields=["calendar_token"])
    return user


@transaction.atomic
def password_set(*, user: User, raw_password: str) -> User:
    """Set a new password (a change or a reset) and revoke the person's API tokens: whoever knew the old password
    may have made one. Other sessions end by themselves (their hash no longer matches)."""
    user.set_password(raw_password)
    user.save(update_fields=["password"])
    api_tokens_revoke(user=user)
    return user


def api_tokens_revoke(*, user: User) -> int:
    """Revoke every API token of the person (after a password change or reset: whoever learnt the old password may
    have made one). Returns how many were revoked; safe to call twice."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


def api_token_revoke(*, actor: User, token_id: str) -> bool:
    """Revoke one of the person's own API tokens by its public id (its first 8 characters). False when the person
    has no token with that id (someone else's id is the same as a missing one)."""
    if len(token_id) != TOKEN_ID_LENGTH:
        return False
    deleted, _by_model = Token.objects.filter(user=actor, key__startswith=token_id).delete()
    return deleted > 0
