"""Writes a manager makes about health: a level override with an expiry, acknowledging a warning."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.health.config import get_config
from engagement.models import HealthOverride, HealthWarning
from portal.core.exceptions import ApplicationError
from projects.permissions import project_access, require
from projects.services.audit import audit_record


@transaction.atomic
def health_override_set(*, actor, project, level: str, note: str, person=None, days: int | None = None) -> HealthOverride:
    """The manager's level replaces the displayed one until it expires (default 28 days); the score stays visible."""
    access = project_access(user=actor, project=project)
    require(access.is_manager)
    if not note.strip():
        raise ApplicationError(_("Say why the level is overridden."), code="note_required")
    now = timezone.now()
    HealthOverride.objects.filter(project=project, person=person, expires_at__gt=now).update(expires_at=now)
    override = HealthOverride(
        project=project,
        person=person,
        level=level,
        note=note.strip(),
        set_by=actor,
        expires_at=now + dt.timedelta(days=days or get_config().override_days),
    )
    override.full_clean()
    override.save()
    audit_record(actor=actor, action="health.override", obj=override, project=project, changes={"level": {"old": None, "new": level}})
    return override


@transaction.atomic
def health_override_clear(*, actor, override: HealthOverride) -> None:
    access = project_access(user=actor, project=override.project)
    require(access.is_manager)
    override.expires_at = timezone.now()
    override.save(update_fields=["expires_at"])
    audit_record(actor=actor, action="health.override_clear", obj=override, project=override.project)


@transaction.atomic
def health_warning_acknowledge(*, actor, warning: HealthWarning) -> HealthWarning:
    """Known and being handled: silences notifications for the snooze period; the warning stays open."""
    access = project_access(user=actor, project=warning.project)
    require(access.is_staff)
    if warning.closed_at is not None:
        raise ApplicationError(_("This warning is already closed."), code="closed")
    now = timezone.now()
    warning.acknowledged_by = actor
    warning.acknowledged_at = now
    warning.snoozed_until = now + dt.timedelta(days=get_config().snooze_days)
    warning.save(update_fields=["acknowledged_by", "acknowledged_at", "snoozed_until"])
    audit_record(actor=actor, action="health.warning_acknowledge", obj=warning, project=warning.project)
    return warning
