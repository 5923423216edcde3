from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Weekday
from portal.core.models import TimeStamped
from projects.models import Project, TaskSide


class CommunicationPlanQuerySet(models.QuerySet):
    def awaiting_sign_off(self):
        """Plans whose current version is not signed off (never signed, or an older version): they await the client
        leads of their project (engagement/selectors/awaiting.py)."""
        return self.filter(Q(signed_off_version__isnull=True) | Q(signed_off_version__lt=models.F("version")))


class CommunicationPlan(TimeStamped):
    """One per project. Each content change raises `version`; a sign-off names the version it covers."""

    project = models.OneToOneField(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="plan")
    version = models.PositiveIntegerField(_("version"), default=1)
    expectations = models.TextField(_("expectations"), blank=True)
    status_update_cadence_days = models.PositiveSmallIntegerField(
        _("status update every (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    digest_weekday = models.PositiveSmallIntegerField(_("digest weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    digest_hour = models.PositiveSmallIntegerField(_("digest hour"), default=8, validators=[MaxValueValidator(23)])
    client_response_hours = models.PositiveSmallIntegerField(
        _("client response target (hours)"), default=48, validators=[MinValueValidator(1)]
    )
    team_response_hours = models.PositiveSmallIntegerField(
        _("team response target (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    escalation_path = models.TextField(_("escalation path"), blank=True)
    channels = models.TextField(_("channels"), blank=True)
    sign_off_requested_at = models.DateTimeField(_("sign-off requested at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_version = models.PositiveIntegerField(_("signed-off version"), null=True, blank=True)

    objects = CommunicationPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("communication plan")
        verbose_name_plural = _("communication plans")
        constraints = [
            models.CheckConstraint(condition=Q(digest_hour__lte=23), name="plan_digest_hour_range"),
            models.CheckConstraint(
                condition=Q(signed_off_version__isnull=True) | Q(signed_off_version__lte=models.F("version")),
                name="plan_signoff_not_future",
            ),
            models.CheckConstraint(
                condition=(Q(signed_off_at__isnull=True) & Q(signed_off_version__isnull=True) & Q(signed_off_by__isnull=True))
                | (Q(signed_off_at__isnull=False) & Q(signed_off_version__isnull=False) & Q(signed_off_by__isnull=False)),
                name="plan_signoff_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — v{self.version}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_version is not None

    @property
    def changed_since_sign_off(self) -> bool:
        return self.signed_off_version is not None and self.signed_off_version < self.version


class PlanVersion(models.Model):
    """A frozen copy of the plan at each version, so a sign-off can be shown as what it covered."""

    plan = models.ForeignKey(CommunicationPlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    content = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Who signed this version off and when; the plan itself keeps only its latest sign-off.
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="planversion_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.version}"


class Raci(models.TextChoices):
    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    CHAT = "chat", _("chat")
    VIDEO = "video", _("video call")
    PORTAL = "portal", _("portal")


class Stakeholder(TimeStamped):
    plan = models.ForeignKey(CommunicationPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="stakeholders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="stakeholder_roles"
    )
    external_name = models.CharField(_("name (not a portal user)"), max_length=200, blank=True)
    external_email = models.EmailField(_("e-mail (not a portal user)"), blank=True)
    side = models.CharField(_("side"), max_length=8, choices=TaskSide.choices)
    responsibility = models.CharField(_("responsibility"), max_length=300, blank=True)
    raci = models.CharField(_("RACI"), max_length=1, choices=Raci.choices, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    backup_for = models.ForeignKey(
        "self", verbose_name=_("backup for"), null=True, blank=True, on_delete=models.SET_NULL, related_name="backups"
    )
    channel = models.CharField(_("preferred channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["side", "-is_primary", "id"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(external_name=""), name="stakeholder_has_identity"
            ),
            models.UniqueConstraint(
                fields=["plan", "side"], condition=Q(is_primary=True), name="stakeholder_one_primary_per_side"
            ),
            models.CheckConstraint(condition=~Q(backup_for=models.F("id")), name="stakeholder_not_own_backup"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return str(self.user) if self.user_id else self.external_name

    @property
    def email(self) -> str:
        return self.user.email if self.user_id else self.external_email
