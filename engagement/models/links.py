"""One-click links from e-mails (`engagement.services.links` makes and checks them)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.outbox.models import OutboundMessage


class ActionLink(models.Model):
    """A signed one-click link: one person, one object, one action, expiring and single-use."""

    class Action(models.TextChoices):
        ACKNOWLEDGE = "ack", _("acknowledge a decision")
        APPROVE = "approve", _("approve a decision")
        RSVP_YES = "rsvp_yes", _("RSVP yes")
        RSVP_MAYBE = "rsvp_maybe", _("RSVP maybe")
        RSVP_NO = "rsvp_no", _("RSVP no")
        HANDLE = "handle", _("I'll handle it")
        REPORT = "report", _("report progress")
        UNSUBSCRIBE = "unsubscribe", _("unsubscribe")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_links")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    object_ct = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=40)
    target = GenericForeignKey("object_ct", "object_id")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_ip = models.GenericIPAddressField(null=True, blank=True)
    used_ua = models.CharField(max_length=300, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_for = models.ForeignKey(OutboundMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "outbox_actionlink"  # the table it had when it lived in the outbox app
        verbose_name = _("one-click link")
        verbose_name_plural = _("one-click links")
        indexes = [models.Index(fields=["object_ct", "object_id"], name="actionlink_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} for {self.person_id}"
