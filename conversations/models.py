"""Comments on tasks, decisions, meetings and risks; the mentions in them; who follows a thread; the inbox.

A thread is named by its object through one explicit nullable foreign key per kind (task, decision, meeting, risk),
and a check constraint holds that exactly one is set: plainer and better indexed than a generic relation.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.uploads import PREVIEWABLE_TYPES
from engagement.models import Decision, Meeting
from portal.core.models import TimeStamped
from portal.core.querysets import VisibilityQuerySet
from projects.models import Project, Risk, Task

# The kinds of object that carry a thread: the API's and the pages' `<kind>` and the field that names it.
TARGET_FIELDS = {"tasks": "task", "decisions": "decision", "meetings": "meeting", "risks": "risk"}


def _one_target(prefix: str) -> models.CheckConstraint:
    fields = list(TARGET_FIELDS.values())
    options = Q()
    for name in fields:
        only = Q(**{f"{name}__isnull": False}) & Q(**{f"{other}__isnull": True for other in fields if other != name})
        options |= only
    return models.CheckConstraint(condition=options, name=f"{prefix}_exactly_one_target")


class Target(models.Model):
    """The object a row is about: exactly one of the four keys is set."""

    task = models.ForeignKey(Task, verbose_name=_("task"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    risk = models.ForeignKey(Risk, verbose_name=_("risk"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    @property
    def target(self):
        for name in TARGET_FIELDS.values():
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    @property
    def target_id(self) -> int | None:
        for name in TARGET_FIELDS.values():
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, f"{name}_id")
        return None

    @property
    def target_kind(self) -> str:
        for kind, name in TARGET_FIELDS.items():
            if getattr(self, f"{name}_id") is not None:
                return kind
        return ""


class Comment(Target, TimeStamped):
    """One message in a thread. Never deleted: a removed comment keeps its text for the audit and reads as removed."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(_("text"), max_length=10000)
    body_html = models.TextField(_("text as shown"), blank=True, editable=False)
    internal = models.BooleanField(_("internal (hidden from the client)"), default=False)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(_("written"), max_length=10, default="portal", editable=False)

    objects = VisibilityQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["task", "created_at"], name="comment_task_thread", condition=Q(task__isnull=False)),
            models.Index(
                fields=["decision", "created_at"], name="comment_decision_thread", condition=Q(decision__isnull=False)
            ),
            models.Index(fields=["meeting", "created_at"], name="comment_meeting_thread", condition=Q(meeting__isnull=False)),
            models.Index(fields=["risk", "created_at"], name="comment_risk_thread", condition=Q(risk__isnull=False)),
        ]
        constraints = [
            _one_target("comment"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_by__isnull=False), name="comment_removed_by_someone"
            ),
        ]

    def __str__(self) -> str:
        # What the audit log and the activity feed name: the object the comment is on.
        return str(self.target)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class Mention(models.Model):
    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [models.UniqueConstraint(fields=["comment", "person"], name="mention_once_per_comment")]

    def __str__(self) -> str:
        return f"@{self.person} — {self.comment_id}"


class Follow(Target, TimeStamped):
    """A person follows a thread (replies reach their inbox) until they turn it off; `active` keeps the choice, so
    an automatic follow (a new comment, a mention) never turns it back on."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("following"), default=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            _one_target("follow"),
            *[
                models.UniqueConstraint(
                    fields=["person", name], condition=Q(**{f"{name}__isnull": False}), name=f"follow_once_per_{name}"
                )
                for name in TARGET_FIELDS.values()
            ],
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.target}"


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("mentioned you")
    REPLY = "reply", _("replied in a thread you follow")
    DECISION_AWAITING = "decision", _("a decision awaits you")
    REPORT_AWAITING = "report", _("a report awaits you")
    TASK_CHANGED = "task", _("your task changed")


# The person's preference (inbox only / inbox and e-mail / digest) that says how they hear of the lines they are
# told of as lines; what awaits them (decisions, reports) has its own e-mails and its own part of the digest.
LINE_PREFERENCES = {NotificationKind.MENTION: "notify_mention", NotificationKind.REPLY: "notify_reply",
                    NotificationKind.TASK_CHANGED: "notify_task"}


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_person(self, person):
        """A person's inbox: only what they may still read (a client never sees an internal comment)."""
        rows = self.filter(recipient=person)
        if person.is_client:
            rows = rows.exclude(comment__internal=True)
        return rows


class Notification(Target):
    """One line of a person's inbox. `email_message` is the outbox row that told them by e-mail or in their digest
    (a bundle names several): what was read in the portal first is never e-mailed. A task line names the task's
    fields that `changed` (a burst of changes is one line); a decision or report line is `settled_at` once it no
    longer awaits the person (they answered or reported, or it was closed)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_message = models.BigIntegerField(_("e-mail"), null=True, blank=True)
    changed = models.JSONField(_("fields changed"), default=list, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]
        constraints = [
            _one_target("notification"),
            models.UniqueConstraint(
                fields=["recipient", "comment", "kind"], condition=Q(comment__isnull=False), name="notification_once_per_comment"
            ),
            # What awaits a person is one line until they act on it (`settled_at`); it may come back later.
            models.UniqueConstraint(
                fields=["recipient", "decision"], condition=Q(kind="decision", settled_at__isnull=True),
                name="notification_decision_awaiting_once",
            ),
            models.UniqueConstraint(
                fields=["recipient", "task"], condition=Q(kind="report", settled_at__isnull=True),
                name="notification_report_awaiting_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} — {self.get_kind_display()}"

    @property
    def changed_labels(self) -> str:
        """The task's fields that changed, by their names in the reader's language ("due date, status")."""
        return ", ".join(str(Task._meta.get_field(name).verbose_name) for name in self.changed or [])

def attachment_storage_name(instance, filename: str) -> str:
    """A random name in the store: nothing guessable, nothing of the person's file name (kept in `name`)."""
    return f"attachments/{secrets.token_urlsafe(24)}"


class AttachmentQuerySet(VisibilityQuerySet):
    def present(self):
        """Files not removed, and not on a removed comment."""
        return self.filter(removed_at__isnull=True).exclude(comment__removed_at__isnull=False)


class Attachment(Target, TimeStamped):
    """A file on a task, decision, meeting or risk, optionally on one of its comments. The bytes live in the default
    storage under a random name and are only served through the access-checked views; a removed file keeps its row
    (who removed what, when) while its bytes are deleted from the store."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_storage_name, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=120)
    internal = models.BooleanField(_("internal (hidden from the client)"), default=False)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("file")
        verbose_name_plural = _("files")
        indexes = [
            models.Index(fields=["task", "created_at"], name="attachment_task", condition=Q(task__isnull=False)),
            models.Index(fields=["decision", "created_at"], name="attachment_decision", condition=Q(decision__isnull=False)),
            models.Index(fields=["meeting", "created_at"], name="attachment_meeting", condition=Q(meeting__isnull=False)),
            models.Index(fields=["risk", "created_at"], name="attachment_risk", condition=Q(risk__isnull=False)),
        ]
        constraints = [
            _one_target("attachment"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(removed_by__isnull=False), name="attachment_removed_by_someone"
            ),
        ]

    def __str__(self) -> str:
        # What the audit log and the activity feed name: the object the file is on.
        return str(self.target)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def is_image(self) -> bool:
        return self.content_type in PREVIEWABLE_TYPES


class InboundOutcome(models.TextChoices):
    COMMENTED = "commented", _("posted as a comment")
    IGNORED = "ignored", _("ignored (automatic or list mail)")
    REFUSED = "refused", _("refused")
    DELIVERY_REPORT = "dsn", _("delivery report")
    UNROUTED = "unrouted", _("not a reply address")


class InboundMessage(models.Model):
    """What became of one e-mail that reached the reply receiver; one row per Message-ID, so a message delivered
    twice makes one comment. Only the outcome is kept, never the message itself."""

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    recipient = models.CharField(_("to"), max_length=254, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=InboundOutcome.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    source = models.CharField(_("received by"), max_length=10, default="smtp")
    comment = models.ForeignKey(
        Comment, verbose_name=_("comment"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        indexes = [models.Index(fields=["sender", "received_at"], name="inbound_sender_recent")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.get_outcome_display()}"
