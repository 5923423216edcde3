"""Absences ("away from … to …") and project quiet periods (docs/notifications.md, health.md §excused time).

A person declares their own absences; a project manager may enter one for a member of a project they
manage. A manager enters the quiet periods of their project. Dates are whole days in the person's own
zone. Two absences of one person never overlap, nor do two quiet periods of one project; past ones are
kept (the health score reads them).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from engagement.models import Absence, QuietPeriod
from engagement.permissions import require_may_enter_absence_for
from portal.accounts.models import User
from projects.models import Project
from projects.permissions import project_access, require


def _check_dates(starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    errors = {}
    if starts_on is None:
        errors["starts_on"] = _("Give the first day.")
    if ends_on is None:
        errors["ends_on"] = _("Give the last day.")
    if not errors and ends_on < starts_on:
        errors["ends_on"] = _("The last day cannot be before the first day.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def absence_create(*, actor: User, user: User, starts_on: dt.date, ends_on: dt.date, note: str = "") -> Absence:
    """Declare `user` away from `starts_on` to `ends_on` (both included); refused when it overlaps another absence."""
    require_may_enter_absence_for(actor, user)
    _check_dates(starts_on, ends_on)
    User.objects.select_for_update().filter(pk=user.pk).first()  # two declarations at once cannot both pass the check
    clash = Absence.objects.filter(user=user, starts_on__lte=ends_on, ends_on__gte=starts_on).order_by("starts_on").first()
    if clash is not None:
        raise ValidationError({"starts_on": _("This overlaps the absence from %(start)s to %(end)s.") % {
            "start": clash.starts_on.isoformat(), "end": clash.ends_on.isoformat()}})
    absence = Absence(user=user, starts_on=starts_on, ends_on=ends_on, note=note.strip(), created_by=actor)
    absence.full_clean()
    absence.save()
    return absence


@transaction.atomic
def absence_delete(*, actor: User, absence: Absence) -> None:
    require_may_enter_absence_for(actor, absence.user)
    absence.delete()


@transaction.atomic
def quiet_period_create(*, actor: User, project: Project, starts_on: dt.date, ends_on: dt.date, reason: str = "") -> QuietPeriod:
    """A project-wide pause (holidays, a freeze): no nudges nor escalations, and health does not count it."""
    require(project_access(user=actor, project=project).is_manager)
    _check_dates(starts_on, ends_on)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    clash = QuietPeriod.objects.filter(project=project, starts_on__lte=ends_on, ends_on__gte=starts_on).order_by("starts_on").first()
    if clash is not None:
        raise ValidationError({"starts_on": _("This overlaps the quiet period from %(start)s to %(end)s.") % {
            "start": clash.starts_on.isoformat(), "end": clash.ends_on.isoformat()}})
    period = QuietPeriod(project=project, starts_on=starts_on, ends_on=ends_on, reason=reason.strip())
    period.full_clean()
    period.save()
    return period


@transaction.atomic
def quiet_period_delete(*, actor: User, period: QuietPeriod) -> None:
    if not project_access(user=actor, project=period.project).is_manager:
        raise PermissionDenied(_("Your role in this project does not allow this."))
    period.delete()
