from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimeStamped
from portal.core.querysets import VisibilityQuerySet
from projects.models import Project, Task


class Milestone(TimeStamped):
    """A date the project works towards, and the tasks and decisions it waits on. Internal milestones (and
    internal tasks and decisions of a client-visible one) are the team's alone."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"))
    description = models.TextField(_("description"), blank=True)
    tasks = models.ManyToManyField(Task, verbose_name=_("tasks it depends on"), blank=True, related_name="milestones")
    decisions = models.ManyToManyField(
        "engagement.Decision", verbose_name=_("decisions it depends on"), blank=True, related_name="milestones"
    )
    internal = models.BooleanField(_("internal (hidden from the client)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = VisibilityQuerySet.as_manager()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [models.Index(fields=["project", "date"], name="milestone_project_date")]

    def __str__(self) -> str:
        return self.name
