"""Writes on a person's own account: preferences and the private calendar-feed token."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User

PREFERENCE_FIELDS = frozenset(
    {"language", "time_zone", "digest_weekday", "digest_hour", "email_digest", "email_nudges", "email_reminders"}
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
    if user.is_client and not user.email_nudges and not user.email_digest and owes_answers:
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
