from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Project


class HealthLevel(models.TextChoices):
    HEALTHY = "healthy", _("healthy")
    WATCH = "watch", _("watch")
    AT_RISK = "at_risk", _("at risk")
    UNKNOWN = "unknown", _("unknown")


class HealthSnapshot(models.Model):
    """Engagement health of a project (person null) or one client person, for one ISO week."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="health_snapshots")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="health_snapshots")
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    as_of = models.DateTimeField()
    is_final = models.BooleanField(default=False)
    algo_version = models.CharField(max_length=12, default="h1")
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    level = models.CharField(max_length=8, choices=HealthLevel.choices, default=HealthLevel.UNKNOWN)
    level_raw = models.CharField(max_length=8, choices=HealthLevel.choices, default=HealthLevel.UNKNOWN)
    coverage = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    signals = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    warning = models.JSONField(default=dict, blank=True)
    approximate = models.BooleanField(default=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "-iso_year", "-iso_week"]
        verbose_name = _("health snapshot")
        verbose_name_plural = _("health snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person", "iso_year", "iso_week", "algo_version"], name="snapshot_unique_person_week"
            ),
            models.UniqueConstraint(
                fields=["project", "iso_year", "iso_week", "algo_version"], condition=Q(person__isnull=True), name="snapshot_unique_project_week"
            ),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100), name="snapshot_score_range"),
        ]
        indexes = [models.Index(fields=["project", "person", "-iso_year", "-iso_week"], name="snapshot_recent")]

    def __str__(self) -> str:
        return f"{self.project} {self.iso_year}-W{self.iso_week:02d} {self.score}"


class HealthWarning(models.Model):
    """An early warning: opened with its reasons, closed when the client is back. Closed rows are kept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="health_warnings")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="health_warnings")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    severity = models.CharField(max_length=8, choices=HealthLevel.choices, default=HealthLevel.WATCH)
    rules = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    cusum_at_open = models.FloatField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], condition=Q(closed_at__isnull=True), name="warning_one_open_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.person_id} {self.severity}"


class Absence(models.Model):
    """A person's declared holiday or quiet period; early warnings respect it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.user} away {self.starts_on}–{self.ends_on}"


class QuietPeriod(models.Model):
    """A project-wide pause (e.g. a year-end break) that excuses everyone."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="quiet_periods")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="quiet_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.project} quiet {self.starts_on}–{self.ends_on}"


class HealthOverride(models.Model):
    """A manager's override of the displayed level, with a note and an expiry."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="health_overrides")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=8, choices=HealthLevel.choices)
    note = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-set_at"]
        verbose_name = _("health override")
        verbose_name_plural = _("health overrides")

    def __str__(self) -> str:
        return f"{self.project} {self.level} until {self.expires_at:%Y-%m-%d}"
