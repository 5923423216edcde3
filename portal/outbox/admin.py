"""The outbox in the admin: read-only, filterable by status and kind, failures visible, failed rows can be requeued."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin import ReadOnlyAdmin
from portal.outbox.models import MessageStatus, OutboundMessage, ReplyAddress, Suppression


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "to_email", "subject", "status", "attempts", "short_error", "send_after", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("to_email", "subject", "dedupe_key", "message_id")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    readonly_fields = (
        "kind", "recipient", "to_email", "dedupe_key", "message_id", "subject", "status", "attempts", "last_error",
        "send_after", "claimed_at", "sent_at", "project_id_ref", "headers", "payload", "attachments", "body_text", "body_html",
        "created_at", "updated_at",
    )
    actions = ("requeue",)

    @admin.display(description=_("last error"))
    def short_error(self, obj: OutboundMessage) -> str:
        return (obj.last_error or "")[:120]

    @admin.action(description=_("Requeue the selected failed messages"))
    def requeue(self, request, queryset):
        count = queryset.filter(status=MessageStatus.FAILED).update(
            status=MessageStatus.PENDING, attempts=0, claimed_at=None, send_after=timezone.now(), updated_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d failed message requeued.", "%(count)d failed messages requeued.", count) % {"count": count},
            messages.SUCCESS,
        )

    def get_actions(self, request):
        # Read-only otherwise, but operators with change rights on the outbox may requeue.
        actions = super().get_actions(request)
        if not request.user.has_perm("outbox.change_outboundmessage"):
            actions.pop("requeue", None)
        return actions


@admin.register(ReplyAddress)
class ReplyAddressAdmin(ReadOnlyAdmin):
    """The reply addresses given out; revoking one makes replies to it refused (the next notice gets a new one)."""

    list_display = ("person", "kind", "object_id", "internal", "created_at", "revoked_at")
    list_filter = ("kind", "internal")
    search_fields = ("person__email",)
    list_select_related = ("person",)
    exclude = ("key",)
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected reply addresses"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, ngettext("%(count)d reply address revoked.", "%(count)d reply addresses revoked.", count)
                          % {"count": count}, messages.SUCCESS)
@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    """Undeliverable addresses (hard bounces, complaints): messages to them are `suppressed`; managers clear them on
    the project's plan page once the person has fixed their address."""

    list_display = ("address", "kind", "source", "created_at", "cleared_at", "cleared_by", "short_reason")
    list_filter = ("kind", "source", ("cleared_at", admin.EmptyFieldListFilter))
    search_fields = ("address", "reason")
    list_select_related = ("cleared_by",)
    readonly_fields = ("address", "kind", "reason", "source", "message", "created_at", "cleared_at", "cleared_by")

    @admin.display(description=_("reason"))
    def short_reason(self, obj: Suppression) -> str:
        return (obj.reason or "")[:120]
