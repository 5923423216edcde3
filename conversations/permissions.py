"""Access to threads and comments: a thread is reached through its object's own access function, so a person who
may not see the task, decision, meeting or risk gets 404 for its comments too; a client never reaches an internal
comment (404, like a missing one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from conversations.models import TARGET_FIELDS, Attachment, Comment
from engagement.permissions import decision_access, meeting_access
from projects.models import Role
from projects.permissions import ProjectAccess, project_access, risk_access, task_access


@dataclass(frozen=True)
class Thread:
    """The object a thread is about, its kind (`tasks`, …) and the reader's access to its project."""

    kind: str
    target: object
    access: ProjectAccess

    @property
    def field(self) -> str:
        return TARGET_FIELDS[self.kind]

    @property
    def lookup(self) -> dict:
        """The filter that selects this thread's rows (comments, follows, notifications)."""
        return {self.field: self.target}

    @property
    def internal(self) -> bool:
        return bool(getattr(self.target, "internal", False))

    @property
    def can_post_internal(self) -> bool:
        return self.access.can_see_internal


def thread_access(*, user, slug: str, kind: str, pk: int) -> Thread:
    """The thread of object `pk` of `kind` in project `slug`, through that object's access function."""
    if kind == "tasks":
        target, access = task_access(user=user, task_id=pk, slug=slug)
    elif kind in TARGET_FIELDS:
        project = project_access(user=user, slug=slug).project
        if kind == "decisions":
            target, access = decision_access(user=user, decision_id=pk, project=project)
        elif kind == "meetings":
            target, access = meeting_access(user=user, meeting_id=pk, project=project)
        else:
            target, access = risk_access(user=user, risk_id=pk, project=project)
    else:
        raise Http404
    return Thread(kind=kind, target=target, access=access)


def comment_access(*, user, slug: str, comment_id: int) -> tuple[Comment, Thread]:
    """A comment of project `slug` with its thread; 404 when its object or the comment itself is hidden."""
    comment = Comment.objects.filter(project__slug=slug, pk=comment_id).select_related("author").first()
    if comment is None:
        raise Http404
    thread = thread_access(user=user, slug=slug, kind=comment.target_kind, pk=getattr(comment, f"{TARGET_FIELDS[comment.target_kind]}_id"))
    if comment.internal and not thread.access.can_see_internal:
        raise Http404
    comment.project = thread.access.project
    return comment, thread


def can_edit(comment: Comment, user, now=None) -> bool:
    """The author, within the edit window, while the comment stands."""
    now = now or timezone.now()
    return (
        not comment.is_removed
        and comment.author_id == user.pk
        and now <= comment.created_at + dt.timedelta(minutes=settings.COMMENT_EDIT_WINDOW_MINUTES)
    )


def can_remove(comment: Comment, access: ProjectAccess) -> bool:
    """The author, or the project's manager, while the comment stands."""
    return not comment.is_removed and (comment.author_id == access.user.pk or access.role == Role.MANAGER)


# The `kind` of a thread for each model that carries one (what `attach_file` is handed).
KIND_OF_MODEL = {"task": "tasks", "decision": "decisions", "meeting": "meetings", "risk": "risks"}


def thread_of(*, user, target) -> Thread:
    """The thread of `target` (a Task, Decision, Meeting or Risk instance) as `user` may reach it: its object's own
    access function again, so a person who may not see it gets Http404."""
    kind = KIND_OF_MODEL.get(target._meta.model_name)
    if kind is None:
        raise Http404
    return thread_access(user=user, slug=target.project.slug, kind=kind, pk=target.pk)


def attachment_access(*, user, slug: str, attachment_id: int) -> tuple[Attachment, Thread]:
    """A file of project `slug` with its thread, the same check as its object: 404 when the object is hidden, when
    the file is removed (or its comment is), and for a client when the file (or its comment) is internal."""
    attachment = Attachment.objects.present().filter(project__slug=slug, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    thread = thread_access(user=user, slug=slug, kind=attachment.target_kind, pk=attachment.target_id)
    if attachment.internal and not thread.access.can_see_internal:
        raise Http404
    attachment.project = thread.access.project
    return attachment, thread


def can_remove_attachment(attachment: Attachment, access: ProjectAccess) -> bool:
    """Who uploaded it, or the project's manager, while it stands."""
    return not attachment.is_removed and (attachment.uploaded_by_id == access.user.pk or access.role == Role.MANAGER)
