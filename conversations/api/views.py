"""Comments of a task, decision, meeting or risk; the people one may mention; the inbox."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from conversations import selectors, services
from conversations.api import serializers as s
from conversations.downloads import file_response
from conversations.models import Attachment, Comment, Notification
from conversations.permissions import attachment_access, comment_access, thread_access
from portal.core.api.common import ApiView, example
from projects.permissions import project_access

TAGS = ["comments"]


class CommentListView(ApiView):
    """The thread of one task, decision, meeting or risk, oldest first. Clients see only what is not internal; any
    member who can see the object writes in it, and only the team writes internal comments."""

    queryset = Comment.objects.none()
    ordering_fields = ["created_at"]

    @extend_schema(tags=TAGS, responses=s.CommentOutputSerializer(many=True))
    def get(self, request, slug: str, pk: int, kind: str):
        thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
        return self.page(selectors.thread_comments(thread), s.CommentOutputSerializer)

    @extend_schema(
        tags=TAGS,
        request=s.CommentCreateInputSerializer,
        responses={201: s.CommentOutputSerializer},
        examples=[example("Ask a question", {"body": "Is the copy final, @lead@acme.example?"}, request=True)],
    )
    def post(self, request, slug: str, pk: int, kind: str):
        thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
        data = s.CommentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_post(actor=request.user, thread=thread, via="api", **data.validated_data)
        return Response(s.CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(ApiView):
    """One comment. Its author edits it within the edit window; the author or the manager removes it (it stays in
    the audit log and reads as removed)."""

    @extend_schema(operation_id="comments_retrieve", tags=TAGS, responses=s.CommentOutputSerializer)
    def get(self, request, slug: str, pk: int):
        comment, _thread = comment_access(user=request.user, slug=slug, comment_id=pk)
        return Response(s.CommentOutputSerializer(comment).data)

    @extend_schema(
        operation_id="comments_partial_update", tags=TAGS, request=s.CommentUpdateInputSerializer,
        responses=s.CommentOutputSerializer,
        examples=[example("Correct a typo", {"body": "Is the copy final, @lead@acme.example?"}, request=True)],
    )
    def patch(self, request, slug: str, pk: int):
        comment, thread = comment_access(user=request.user, slug=slug, comment_id=pk)
        data = s.CommentUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_edit(actor=request.user, comment=comment, thread=thread, **data.validated_data)
        return Response(s.CommentOutputSerializer(comment).data)

    @extend_schema(operation_id="comments_destroy", tags=TAGS, responses={204: None})
    def delete(self, request, slug: str, pk: int):
        comment, thread = comment_access(user=request.user, slug=slug, comment_id=pk)
        services.comment_remove(actor=request.user, comment=comment, thread=thread)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MentionableListView(ApiView):
    """The project's people the caller may mention (the comment box's autocomplete): everyone else on the project,
    or only the team for an internal comment."""

    queryset = get_user_model().objects.none()
    ordering_fields = ["full_name", "email"]

    @extend_schema(
        operation_id="mentionable_list", tags=TAGS, responses=s.MentionablePersonSerializer(many=True),
        parameters=[
            OpenApiParameter("q", str, description="The start of a name or e-mail"),
            OpenApiParameter("internal", bool, description="For an internal comment"),
        ],
    )
    def get(self, request, slug: str):
        access = project_access(user=request.user, slug=slug)
        internal = request.query_params.get("internal") in ("1", "true")
        people = selectors.mentionable_people(access, internal=internal, query=request.query_params.get("q", ""))
        people = people.exclude(pk=request.user.pk)
        return self.page(people, s.MentionablePersonSerializer)


class InboxView(ApiView):
    """The caller's notifications, newest first: mentions and replies on threads they follow."""

    queryset = Notification.objects.none()
    ordering_fields = ["created_at"]

    @extend_schema(
        operation_id="inbox_list", tags=["inbox"], responses=s.NotificationOutputSerializer(many=True),
        parameters=[OpenApiParameter("unread", bool, description="Only what is not read yet")],
    )
    def get(self, request):
        rows = selectors.inbox_notifications(request.user)
        if request.query_params.get("unread") in ("1", "true"):
            rows = rows.unread()
        return self.page(rows, s.NotificationOutputSerializer)


class InboxReadView(ApiView):
    """Mark notifications read: those named, or all of them."""

    @extend_schema(
        operation_id="inbox_read", tags=["inbox"], request=s.InboxReadInputSerializer,
        responses=s.InboxReadOutputSerializer,
        examples=[
            example("Mark two read", {"ids": [41, 42]}, request=True),
            example("Mark all read", {}, request=True),
        ],
    )
    def post(self, request):
        data = s.InboxReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_read(actor=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})


FILE_TAGS = ["files"]


def _thread_file(request, slug: str, kind: str, pk: int, file_id: int):
    """A file of this object's thread, through the same access check as the object (404 otherwise)."""
    attachment, thread = attachment_access(user=request.user, slug=slug, attachment_id=file_id)
    if attachment.target_kind != kind or attachment.target_id != pk:
        raise Http404
    return attachment, thread


class AttachmentListView(ApiView):
    """The files of one task, decision, meeting or risk, oldest first (clients see none of the internal ones), and
    uploading more: several at once, all or none; a refused file answers 400 naming it under `files`."""

    queryset = Attachment.objects.none()
    ordering_fields = ["created_at"]
    parser_classes = [MultiPartParser]

    @extend_schema(tags=FILE_TAGS, responses=s.AttachmentOutputSerializer(many=True))
    def get(self, request, slug: str, pk: int, kind: str):
        thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
        return self.page(selectors.thread_files(thread), s.AttachmentOutputSerializer)

    @extend_schema(
        tags=FILE_TAGS,
        request={"multipart/form-data": s.AttachmentUploadInputSerializer},
        responses={201: s.AttachmentUploadOutputSerializer},
        examples=[OpenApiExample(
            "Two files on a comment", value={"files": ["(brief.pdf)", "(logo.png)"], "comment": 12},
            request_only=True, media_type="multipart/form-data",
        )],
    )
    def post(self, request, slug: str, pk: int, kind: str):
        thread = thread_access(user=request.user, slug=slug, kind=kind, pk=pk)
        data = s.AttachmentUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = None
        if data.validated_data.get("comment"):
            comment = selectors.thread_comments(thread).filter(pk=data.validated_data["comment"]).first()
            if comment is None:
                raise ValidationError({"comment": [_("No such comment on this item.")]})
        made = services.attachments_add(actor=request.user, thread=thread, uploads=data.validated_data["files"], comment=comment)
        context = self.get_serializer_context()
        body = s.AttachmentUploadOutputSerializer({"files": made}, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


class AttachmentDetailView(ApiView):
    """One file. Who uploaded it, or the manager, removes it: it disappears for everyone, its bytes are deleted, and
    who removed what and when stays on record."""

    @extend_schema(tags=FILE_TAGS, responses=s.AttachmentOutputSerializer)
    def get(self, request, slug: str, pk: int, kind: str, file_id: int):
        attachment, _thread = _thread_file(request, slug, kind, pk, file_id)
        return Response(s.AttachmentOutputSerializer(attachment, context=self.get_serializer_context()).data)

    @extend_schema(tags=FILE_TAGS, responses={204: None})
    def delete(self, request, slug: str, pk: int, kind: str, file_id: int):
        attachment, thread = _thread_file(request, slug, kind, pk, file_id)
        services.attachment_remove(actor=request.user, attachment=attachment, thread=thread)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentDownloadView(ApiView):
    """The file's bytes, streamed after the access check, as a download (`Content-Disposition: attachment`)."""

    @extend_schema(
        tags=FILE_TAGS,
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file")},
    )
    def get(self, request, slug: str, pk: int, kind: str, file_id: int):
        attachment, _thread = _thread_file(request, slug, kind, pk, file_id)
        return file_response(attachment)
