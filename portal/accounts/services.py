"""Writes on a person's own account: preferences and the private calendar-feed token."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User

PREFERENCE_FIELDS = frozenset(
    {"language", "time_zone", "digest_weekday", "digest_hour", "email_digest", "email_nudges", "email_reminders"}
)


def person_owes_answers(*, user: User) -> bool:
    """True while the person owns an open task or a decision waits for their answer.

    `portal.accounts` sits below `projects` and `engagement` in the import graph,
    so their models are reached through the app registry instead of imports.
    """
    if user.owned_tasks.filter(status__in=("todo", "in_progress", "blocked"), internal=False).exists():
        return True
    return apps.get_model("engagement", "Decision").objects.awaiting(user).exists()


@transaction.atomic
def preferences_update(*, actor: User, user: User, **fields) -> User:
    """Save a person's own preferences.

    While they owe answers, nudges and the weekly digest cannot both be switched
    off: one of them must keep telling the person what is waiting for them.
    """
    if actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own preferences."))
    unknown = set(fields) - PREFERENCE_FIELDS
    if unknown:
        raise ValidationError(_("Unknown preference: %(names)s") % {"names": ", ".join(sorted(unknown))})
    user = User.objects.select_for_update().get(pk=user.pk)
    for name, value in fields.items():
        setattr(user, name, value)
    if user.is_client and not user.email_nudges and not user.email_digest and person_owes_answers(user=user):
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
