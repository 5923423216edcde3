from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimeStamped


class MessageKind(models.TextChoices):
    INVITATION = "invitation", _("portal invitation")
    MEETING_INVITE = "meeting_invite", _("meeting invitation")
    MEETING_UPDATE = "meeting_update", _("meeting update")
    CANCELLATION = "cancellation", _("meeting cancellation")
    REMINDER = "reminder", _("meeting reminder")
    RECAP = "recap", _("meeting recap")
    DIGEST = "digest", _("weekly digest")
    MANAGER_DIGEST = "manager_digest", _("manager digest")
    NUDGE = "nudge", _("nudge")
    ESCALATION = "escalation", _("escalation")
    DECISION_REQUEST = "decision_request", _("decision request")
    NOTICE = "notice", _("notice")
    TASK_ASSIGNED = "task_assigned", _("task assigned")
    SIGN_OFF_REQUEST = "sign_off_request", _("plan sign-off request")
    TASK_BLOCKED = "task_blocked", _("task reported blocked")
    PASSWORD_RESET = "password_reset", _("password reset")
    # Several of the requests above (task assigned, decision request, sign-off request, added to a project) told
    # one person in one message (portal/outbox/bundles.py).
    REQUESTS = "requests", _("requests awaiting you")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SUPERSEDED = "superseded", _("superseded")
    SKIPPED = "skipped", _("skipped")
    SUPPRESSED = "suppressed", _("not sent: address undeliverable")
    BOUNCED = "bounced", _("bounced")
    BUNDLED = "bundled", _("told in another message")  # a request sent within the person's bundle (bundles.py)


class OutboundMessage(TimeStamped):
    """The outbox: every e-mail is a row here first. The dedupe key makes enqueueing idempotent."""

    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_messages"
    )
    to_email = models.EmailField(_("to"))
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    # [{"filename": ..., "content_type": ..., "content": <text>}, ...]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # What to render at send time (reminders), when the bodies are empty.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    project_id_ref = models.BigIntegerField(_("project"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            models.Index(fields=["status", "send_after"], name="outbox_status_due"),
            models.Index(fields=["recipient", "kind"], name="outbox_recipient_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbox_sent_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_email} ({self.get_status_display()})"


class ReplyAddress(TimeStamped):
    """The Reply-To of the notices one person gets about one object: `r-<key>.<time>.<signature>@INBOUND_EMAIL_DOMAIN`
    (portal/outbox/replies.py). The object is named by its kind (`tasks`, `decisions`, `meetings`, `risks`) and id,
    not by a foreign key: the outbox sits below the apps that own those objects. `internal` replies stay with the team
    (a mention in an internal comment). Revoking sets `revoked_at`; the next notice gets a new key."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of object"), max_length=12)
    object_id = models.BigIntegerField(_("object"))
    project_id_ref = models.BigIntegerField(_("project"))
    internal = models.BooleanField(_("replies are internal"), default=False)
    key = models.CharField(_("key"), max_length=16, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reply address")
        verbose_name_plural = _("reply addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "object_id", "internal"], condition=Q(revoked_at__isnull=True),
                name="reply_address_one_live_per_object",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.kind}:{self.object_id}"
class SuppressionKind(models.TextChoices):
    HARD = "hard", _("hard bounce")
    COMPLAINT = "complaint", _("complaint")


class Suppression(models.Model):
    """An address that must not be mailed: it bounced hard or its reader marked our mail as spam. Kept after it is
    cleared (who cleared it and when), so the history stays; at most one is in force per address."""

    address = models.EmailField(_("address"), db_index=True)  # lower-cased
    kind = models.CharField(_("kind"), max_length=10, choices=SuppressionKind.choices)
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=40)  # "dsn", "webhook:Postmark", ...
    message = models.ForeignKey(
        OutboundMessage, verbose_name=_("message"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cleared by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")
        constraints = [
            models.UniqueConstraint(fields=["address"], condition=Q(cleared_at__isnull=True), name="suppression_one_in_force"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_kind_display()})"
