from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Client
from portal.core.models import TimeStamped
from portal.core.querysets import VisibilityQuerySet


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", _("planning")
    ACTIVE = "active", _("active")
    ON_HOLD = "on_hold", _("on hold")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def open(self):
        return self.exclude(status__in=[ProjectStatus.COMPLETED, ProjectStatus.CANCELLED])


class Project(TimeStamped):
    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("manager"), on_delete=models.PROTECT, related_name="managed_projects"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    target_launch = models.DateField(_("target launch"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    # Kept by the task services (`projects.services.counts`): lists read them instead of aggregating the tasks.
    open_client_tasks = models.PositiveIntegerField(_("open client tasks"), default=0, editable=False)
    last_client_report = models.DateTimeField(_("last client report"), null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(target_launch__isnull=True) | Q(target_launch__gte=models.F("start_date")),
                name="project_launch_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days_to_launch(self) -> int | None:
        if not self.target_launch:
            return None
        return (self.target_launch - timezone.localdate()).days


class Role(models.TextChoices):
    MANAGER = "manager", _("manager")
    TEAM = "team", _("team member")
    CLIENT_LEAD = "client_lead", _("client lead")
    CLIENT = "client", _("client")


STAFF_ROLES = frozenset({Role.MANAGER, Role.TEAM})
CLIENT_ROLES = frozenset({Role.CLIENT_LEAD, Role.CLIENT})


class Membership(TimeStamped):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        ordering = ["project", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="membership_one_per_person")]

    def __str__(self) -> str:
        return f"{self.user} — {self.project} ({self.get_role_display()})"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_client_role(self) -> bool:
        return self.role in CLIENT_ROLES


class Invitation(TimeStamped):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.PROTECT, related_name="+"
    )
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    sent_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.project}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class TaskSide(models.TextChoices):
    CLIENT = "client", _("client")
    TEAM = "team", _("team")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    BLOCKED = "blocked", _("blocked")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


OPEN_TASK_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class TaskQuerySet(VisibilityQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_TASK_STATUSES)

    def client_side(self):
        return self.filter(side=TaskSide.CLIENT)

    def team_side(self):
        return self.filter(side=TaskSide.TEAM)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def filtered(self, *, side: str | None = None, owner=None, overdue: bool | None = None, status=None):
        """The tasks pages' filters: `side` client/team, `owner` (user or id), `overdue`, `status` (one, a list, or
        "open")."""
        qs = self
        if side:
            qs = qs.filter(side=side)
        if owner:
            qs = qs.filter(owner_id=getattr(owner, "pk", owner))
        if overdue:
            qs = qs.overdue()
        if status == "open":
            qs = qs.open()
        elif isinstance(status, (list, tuple, set, frozenset)):
            qs = qs.filter(status__in=list(status))
        elif status:
            qs = qs.filter(status=status)
        return qs


class Task(TimeStamped):
    # project and owner are indexed by the composite indexes below (their first column).
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="tasks", db_index=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_tasks", db_index=False
    )
    side = models.CharField(_("side"), max_length=8, choices=TaskSide.choices, editable=False)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    report_cadence_days = models.PositiveSmallIntegerField(
        _("report every (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    last_reported_at = models.DateTimeField(_("last reported at"), null=True, blank=True)
    last_percent = models.PositiveSmallIntegerField(_("percent complete"), default=0)
    last_state = models.CharField(_("last state"), max_length=10, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    internal = models.BooleanField(_("internal (hidden from the client)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["project", "status", "due_date"], name="task_project_status_due"),
            models.Index(fields=["owner", "status"], name="task_owner_status"),
            models.Index(fields=["project", "side", "status"], name="task_project_side_status"),
            # The default order: lists across many projects stop after one page instead of sorting every task.
            models.Index(fields=["due_date", "id"], name="task_due_order"),
            # Counting the tasks a person may see (the API's `count`) reads this index alone, not the task rows.
            models.Index(fields=["project", "internal"], name="task_project_internal"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(report_cadence_days__gte=1), name="task_cadence_positive"),
            models.CheckConstraint(condition=Q(last_percent__lte=100), name="task_percent_range"),
            models.CheckConstraint(
                condition=~Q(side="client") | Q(internal=False), name="task_client_side_not_internal"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(due_date__isnull=True) | Q(due_date__gte=models.F("start_date")),
                name="task_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()

    def report_due_at(self) -> dt.datetime:
        base = self.last_reported_at or self.created_at or timezone.now()
        return base + dt.timedelta(days=self.report_cadence_days)

    @property
    def is_report_due(self) -> bool:
        return self.is_open and self.report_due_at() <= timezone.now()


class ReportState(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    BLOCKED = "blocked", _("blocked")
    DONE = "done", _("done")


class ProgressReport(models.Model):
    """Append-only: a report is never edited or deleted."""

    # Indexed by report_task_recent (task, -created_at).
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports", db_index=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices)
    note = models.TextField(_("note"), blank=True)
    blockers = models.TextField(_("blockers"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        indexes = [models.Index(fields=["task", "-created_at"], name="report_task_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="report_percent_range"),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in ReportState]), name="report_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} — {self.percent}% ({self.get_state_display()})"


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class Risk(TimeStamped):
    class Kind(models.TextChoices):
        RISK = "risk", _("risk")
        ISSUE = "issue", _("issue")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MITIGATING = "mitigating", _("mitigating")
        CLOSED = "closed", _("closed")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices, default=Kind.RISK)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="owned_risks"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="raised_risks"
    )
    resolution = models.TextField(_("resolution"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    internal = models.BooleanField(_("internal (hidden from the client)"), default=False)
    version = models.PositiveIntegerField(default=1)

    objects = VisibilityQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-created_at"]
        verbose_name = _("risk or issue")
        verbose_name_plural = _("risks and issues")
        indexes = [models.Index(fields=["project", "status"], name="risk_project_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="risk_closed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AuditEvent(models.Model):
    """Who changed what, when, with old and new values. Written by services only."""

    # Indexed by audit_project_recent (project, -at): a second index on the column alone only slows every write.
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    internal = models.BooleanField(default=True)

    objects = VisibilityQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["project", "-at"], name="audit_project_recent"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class SavedTaskFilter(TimeStamped):
    """A person's named set of "my tasks" filters, as the page's query reads them (`{"status": "all", ...}`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_task_filters", db_index=False)
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    is_default = models.BooleanField(_("open first"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved task filter")
        verbose_name_plural = _("saved task filters")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_task_filter_name"),
            models.UniqueConstraint(fields=["user"], condition=Q(is_default=True), name="saved_task_filter_one_default"),
        ]

    def __str__(self) -> str:
        return self.name
