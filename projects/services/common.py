"""Small helpers shared by the project services."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.exceptions import ApplicationError, ConflictError
from projects.models import Membership

# Said for an id that is not a member of the project, whether it names an account or nothing (the API's related fields
# say the same for a missing id, so no answer tells which ids exist).
NOT_A_MEMBER = gettext_lazy("This person is not a member of the project.")


def check_version(obj, expected_version: int | None) -> None:
    """Raise ConflictError when the caller read an older version of `obj`."""
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConflictError(
            _("Someone else changed this in the meantime. Reload and try again."),
            extra={"current_version": obj.version},
        )


def check_fields(fields: dict, allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(unknown)},
            code="unknown_field",
        )


def member_role(*, project, user) -> str | None:
    if user is None:
        return None
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def require_member(*, project, user, field: str = "owner") -> str:
    """The person's role in the project, or a ValidationError on `field` when they are not a member."""
    role = member_role(project=project, user=user)
    if role is None:
        raise ValidationError({field: NOT_A_MEMBER})
    return role
