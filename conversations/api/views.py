"""Comments of a task, decision, meeting or risk; the people one may mention; the inbox."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from conversations import selectors, services
from conversations.api import serializers as s
from conversations.models import Comment, Notification
from conversations.permissions import comment_access, thread_access
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
