from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimeStamped
from portal.core.querysets import VisibilityQuerySet
from projects.models import Project, ProjectStatus, Role


class Impact(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class Involvement(models.TextChoices):
    INFORMED = "informed", _("informed")
    CONSULTED = "consulted", _("consulted")
    APPROVAL = "approval", _("approval required")


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    SUPERSEDED = "superseded", _("superseded")


class DecisionQuerySet(VisibilityQuerySet):
    """What "a decision awaits a person" means, written once (engagement/selectors/awaiting.py builds on it).

    A decision *asks* while it is client-visible, the client was asked (`requested_at`) and the question is still
    open: an "approval required" decision only while it is proposed (approved, rejected or superseded, nothing is
    left to approve); an informed or consulted one while it is proposed or approved (it is to be acknowledged).
    It *awaits* a client person of an open, unarchived project who may answer it (a client lead always, a plain
    client unless it is only informed: `ProjectAccess.can_respond_to`) and has not answered it yet.
    """

    def asking(self):
        """Decisions that still ask the client something (whoever is asked)."""
        return self.visible_to_clients().filter(
            Q(involvement=Involvement.APPROVAL, status=DecisionStatus.PROPOSED)
            | (~Q(involvement=Involvement.APPROVAL) & Q(status__in=[DecisionStatus.PROPOSED, DecisionStatus.APPROVED])),
            requested_at__isnull=False,
        )

    def awaiting_rows(self, people=None):
        """One row per (decision, person it awaits), the person's id in `awaited_id`; `people` (ids) narrows it.

        One query for any number of people: the digest and nudge batches read it once.
        """
        # Both conditions on the membership join go in one filter() call so they test the same membership row.
        member = Q(
            project__memberships__role=Role.CLIENT_LEAD,
        ) | (Q(project__memberships__role=Role.CLIENT) & ~Q(involvement=Involvement.INFORMED))
        rows = self.asking().filter(
            member,
            project__memberships__user__is_active=True,
            project__archived_at__isnull=True,
            **({"project__memberships__user_id__in": list(people)} if people is not None else {}),
        ).exclude(project__status__in=[ProjectStatus.COMPLETED, ProjectStatus.CANCELLED])
        answered = DecisionResponse.objects.filter(decision=OuterRef("pk"), user_id=OuterRef("awaited_id"))
        return rows.annotate(awaited_id=F("project__memberships__user_id")).exclude(Exists(answered))

    def awaiting(self, user):
        """The decisions that await this person."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.awaiting_rows(people=[user.pk])

    def awaiting_anyone(self):
        """The decisions that await at least one client person (what the team waits for).

        Asking decisions first, then a correlated EXISTS per decision: "the oldest few" walks the `decision_asked`
        index and stops when it has enough, instead of working out every awaiting decision of every project.
        """
        awaits = self.model.objects.awaiting_rows().filter(pk=OuterRef("pk"))
        return self.asking().filter(Exists(awaits))


class Decision(TimeStamped):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("title"), max_length=200)
    context = models.TextField(_("context"), blank=True)
    options = models.TextField(_("options considered"), blank=True)
    decision = models.TextField(_("decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    impact = models.CharField(_("impact"), max_length=8, choices=Impact.choices, default=Impact.MEDIUM)
    involvement = models.CharField(_("client involvement"), max_length=10, choices=Involvement.choices, default=Involvement.INFORMED)
    status = models.CharField(_("status"), max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("superseded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    task = models.ForeignKey("projects.Task", verbose_name=_("related task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    meeting = models.ForeignKey("engagement.Meeting", verbose_name=_("related meeting"), null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="recorded_decisions"
    )
    requested_at = models.DateTimeField(_("client asked at"), null=True, blank=True)
    internal = models.BooleanField(_("internal (hidden from the client)"), default=False)
    version = models.PositiveIntegerField(default=1)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["project", "status"], name="decision_project_status"),
            # The decisions put to the client, oldest request first ("waiting past the response target").
            models.Index(fields=["requested_at"], condition=Q(requested_at__isnull=False, internal=False), name="decision_asked"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="superseded") | Q(superseded_by__isnull=False), name="decision_superseded_names_successor"
            ),
            models.CheckConstraint(condition=~Q(superseded_by=models.F("id")), name="decision_not_superseded_by_self"),
            models.CheckConstraint(
                condition=Q(internal=False) | Q(involvement="informed"), name="decision_internal_only_informed"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_client(self) -> bool:
        return not self.internal and self.status not in (DecisionStatus.SUPERSEDED, DecisionStatus.REJECTED)

    def waiting_hours(self) -> float | None:
        if not self.requested_at:
            return None
        return (timezone.now() - self.requested_at).total_seconds() / 3600


class ResponseKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    APPROVED = "approved", _("approved")
    OBJECTED = "objected", _("objected")


class DecisionResponse(models.Model):
    decision = models.ForeignKey(Decision, verbose_name=_("decision"), on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="decision_responses")
    kind = models.CharField(_("response"), max_length=12, choices=ResponseKind.choices)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    via = models.CharField(_("via"), max_length=12, default="portal")

    class Meta:
        ordering = ["at"]
        verbose_name = _("decision response")
        verbose_name_plural = _("decision responses")
        constraints = [models.UniqueConstraint(fields=["decision", "user"], name="decision_response_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.decision}"
