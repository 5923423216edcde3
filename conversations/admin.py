from django.contrib import admin

from conversations.models import Attachment, Comment, InboundMessage, Notification
from portal.core.admin import ReadOnlyAdmin


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    """Read-only: comments change through the portal's services (audited)."""

    list_display = ("id", "project", "author", "internal", "created_at", "edited_at", "removed_at")
    list_filter = ("internal",)
    search_fields = ("body", "author__email")
    list_select_related = ("project", "author")
    raw_id_fields = ("task", "decision", "meeting", "risk", "author", "removed_by", "project")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("id", "recipient", "kind", "project", "created_at", "read_at", "settled_at")
    list_filter = ("kind",)
    list_select_related = ("recipient", "project")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Read-only, and without the stored file's address: files are reached only through the portal's access-checked
    views, and change only through its services (audited)."""

    list_display = ("id", "name", "project", "uploaded_by", "size", "content_type", "internal", "created_at", "removed_at")
    list_filter = ("internal", "content_type")
    search_fields = ("name", "uploaded_by__email")
    list_select_related = ("project", "uploaded_by")
    exclude = ("file",)
    raw_id_fields = ("task", "decision", "meeting", "risk", "comment", "uploaded_by", "removed_by", "project")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    """What became of each e-mail the reply receiver got (read-only; never the message itself)."""

    list_display = ("received_at", "sender", "outcome", "reason", "source", "comment")
    list_filter = ("outcome", "reason", "source")
    search_fields = ("sender", "message_id")
    raw_id_fields = ("comment",)
