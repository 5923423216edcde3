"""A person's saved "my tasks" filters: named, one of them optionally opened first. Personal, so not audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import SavedTaskFilter

FILTER_NAMES = frozenset({"side", "owner", "status", "overdue", "project"})


def _check_name(*, user, name: str, saved: SavedTaskFilter | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the filter a name.")})
    others = SavedTaskFilter.objects.filter(user=user, name__iexact=name)
    if saved is not None:
        others = others.exclude(pk=saved.pk)
    if others.exists():
        raise ValidationError({"name": _("You already have a filter named “%(name)s”.") % {"name": name}})
    return name


def _check_filters(filters: dict) -> dict:
    unknown = set(filters) - FILTER_NAMES
    if unknown:
        raise ValidationError({"filters": _("Unknown filters: %(names)s.") % {"names": ", ".join(sorted(unknown))}})
    return {key: str(value) for key, value in filters.items() if value not in ("", None, False)}


def _make_default(saved: SavedTaskFilter) -> None:
    SavedTaskFilter.objects.filter(user_id=saved.user_id, is_default=True).exclude(pk=saved.pk).update(is_default=False)


@transaction.atomic
def saved_filter_create(*, actor, name: str, filters: dict, is_default: bool = False) -> SavedTaskFilter:
    """Save the filters under a name unique (case aside) among the person's own; a new default replaces the old."""
    saved = SavedTaskFilter(
        user=actor, name=_check_name(user=actor, name=name), filters=_check_filters(filters), is_default=is_default
    )
    if is_default:
        _make_default(saved)
    saved.full_clean()
    saved.save()
    return saved


@transaction.atomic
def saved_filter_update(
    *, actor, saved: SavedTaskFilter, name: str | None = None, filters: dict | None = None, is_default: bool | None = None
) -> SavedTaskFilter:
    """Rename it, replace its filters, or make it (or stop it being) the one opened first."""
    if saved.user_id != actor.pk:
        raise PermissionDenied
    if name is not None:
        saved.name = _check_name(user=actor, name=name, saved=saved)
    if filters is not None:
        saved.filters = _check_filters(filters)
    if is_default is not None:
        saved.is_default = is_default
    if saved.is_default:
        _make_default(saved)
    saved.full_clean()
    saved.save()
    return saved


@transaction.atomic
def saved_filter_delete(*, actor, saved: SavedTaskFilter) -> None:
    if saved.user_id != actor.pk:
        raise PermissionDenied
    saved.delete()
