from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.models import TimeStamped
from portal.outbox.models import OutboundMessage


class Digest(TimeStamped):
    """A weekly digest as rendered for one person; the portal's archive shows it.

    The rendering is stored once, in the outbox row it was sent from (`message`): the archive reads its text and
    HTML through it, and that row cannot be deleted while the archive refers to it. The subject stays here too,
    for the archive's lists.
    """

    class Kind(models.TextChoices):
        CLIENT = "client", _("client digest")
        MANAGER = "manager", _("manager digest")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="digests")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CLIENT)
    iso_week = models.CharField(_("ISO week"), max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    content = models.JSONField(_("content"), default=dict)
    message = models.ForeignKey(OutboundMessage, verbose_name=_("sent message"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-iso_week"]
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "iso_week"], name="digest_once_per_week")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.iso_week}"

    @property
    def body_text(self) -> str:
        return self.message.body_text

    @property
    def body_html(self) -> str:
        return self.message.body_html
