from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from conversations.emails import line_url
from conversations.models import TARGET_FIELDS, NotificationKind
from projects.api.serializers import PersonSerializer


@extend_schema_serializer(examples=[OpenApiExample("Comment", response_only=True, value={
    "id": 12, "kind": "tasks", "target_id": 7, "author": {"id": 1, "name": "Anna Petrova", "email": "pm@example.com"},
    "body": "Could you check the copy, @lead@acme.example?", "html": "<p>Could you check the copy, <span class=\"mention\" "
    "data-person=\"4\">@Lena Lead</span>?</p>", "internal": False, "created_at": "2026-12-07T09:30:00Z", "edited_at": None,
    "removed_at": None, "via": "portal",
})])
class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(source="target_kind", help_text="tasks, decisions, meetings or risks")
    target_id = serializers.IntegerField()
    author = PersonSerializer()
    body = serializers.SerializerMethodField(help_text="The text as written (Markdown); empty once removed.")
    html = serializers.SerializerMethodField(help_text="The text as shown: sanitised HTML; empty once removed.")
    internal = serializers.BooleanField(help_text="Only the team sees it.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    removed_at = serializers.DateTimeField(allow_null=True)
    via = serializers.CharField(help_text="portal, api or email")

    def get_body(self, comment) -> str:
        return "" if comment.is_removed else comment.body

    def get_html(self, comment) -> str:
        return "" if comment.is_removed else comment.body_html


class CommentCreateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000, help_text="Markdown; mention someone on the project with @ and their e-mail.")
    internal = serializers.BooleanField(default=False, help_text="Only the team may post an internal comment.")


class CommentUpdateInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


class MentionablePersonSerializer(PersonSerializer):
    mention = serializers.SerializerMethodField(help_text="What to write in a comment to mention them.")

    def get_mention(self, person) -> str:
        return f"@{person.email}"


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    project = serializers.SlugField(source="project.slug")
    target_kind = serializers.CharField(help_text="tasks, decisions, meetings or risks")
    target_id = serializers.IntegerField()
    target = serializers.SerializerMethodField(help_text="The object's name")
    actor = PersonSerializer(allow_null=True)
    comment_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    changed = serializers.ListField(child=serializers.CharField(), help_text="For `task`: the task's fields that changed")
    settled_at = serializers.DateTimeField(
        allow_null=True, help_text="For `decision` and `report`: when it stopped awaiting the person (they acted on it)"
    )
    url = serializers.SerializerMethodField(help_text="The page the line leads to")

    def get_target(self, notification) -> str:
        return str(notification.target)

    def get_url(self, notification) -> str:
        return line_url(notification)


class InboxReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                help_text="The notifications to mark read; all of them when left out.")


class InboxReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


@extend_schema_serializer(examples=[OpenApiExample("File", response_only=True, value={
    "id": 5, "kind": "tasks", "target_id": 7, "comment_id": None, "name": "Homepage copy v2.pdf", "size": 48213,
    "content_type": "application/pdf", "is_image": False, "internal": False,
    "uploaded_by": {"id": 1, "name": "Anna Petrova", "email": "pm@example.com"}, "created_at": "2026-12-07T09:30:00Z",
    "download_url": "https://portal.example/api/v1/projects/acme-portal/tasks/7/files/5/download/", "preview_url": None,
})])
class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(source="target_kind", help_text="tasks, decisions, meetings or risks")
    target_id = serializers.IntegerField()
    comment_id = serializers.IntegerField(allow_null=True, help_text="The comment it was attached to, if any.")
    name = serializers.CharField(help_text="The file's name as uploaded (offered on download).")
    size = serializers.IntegerField(help_text="Bytes")
    content_type = serializers.CharField(help_text="The type read from the file's bytes when it was uploaded.")
    is_image = serializers.BooleanField(help_text="An image that pages preview.")
    internal = serializers.BooleanField(help_text="Only the team sees it (a file on an internal comment).")
    uploaded_by = PersonSerializer()
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField(help_text="Where to download it (the same access check; session or token).")
    preview_url = serializers.SerializerMethodField(help_text="The page's preview of an image (session); null otherwise.")

    def _absolute(self, url: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_download_url(self, attachment) -> str:
        return self._absolute(reverse(
            f"api:{TARGET_FIELDS[attachment.target_kind]}-file-download",
            args=[attachment.project.slug, attachment.target_id, attachment.pk],
        ))

    def get_preview_url(self, attachment) -> str | None:
        if not attachment.is_image:
            return None
        return self._absolute(reverse("conversations:file-preview", args=[attachment.project.slug, attachment.pk]))


class AttachmentUploadInputSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False), allow_empty=False,
        help_text="One or more files (multipart/form-data, the field repeated). Each at most ATTACHMENT_MAX_BYTES; "
        "PDF, images (PNG, JPEG, GIF, WebP), plain text and office documents; the type is read from the bytes.",
    )
    comment = serializers.IntegerField(required=False, min_value=1, help_text="Attach them to this comment of yours.")


class AttachmentUploadOutputSerializer(serializers.Serializer):
    files = AttachmentOutputSerializer(many=True, help_text="The files made, in the order sent.")
