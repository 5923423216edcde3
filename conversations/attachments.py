"""Writes of files: attach one or several to a task, decision, meeting or risk (or to a comment on it), remove one.

`attach_file` is the one way a file is stored, from the page, the API and a reply by e-mail: it checks who may attach
to what (the object's own access function), the size, and the type read from the bytes (`conversations.uploads`),
stores the bytes under a random name in the default storage and writes the audit row.
"""

from __future__ import annotations

import unicodedata
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from conversations.models import Attachment, Comment
from conversations.permissions import Thread, can_remove_attachment, thread_of
from conversations.uploads import upload_check
from projects.services.audit import audit_record

NAME_LENGTH = 255


def display_name(raw: str) -> str:
    """The person's file name as shown and offered on download: no folders, no control characters, at most 255
    characters with the extension kept."""
    name = PurePath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    if len(name) > NAME_LENGTH:
        suffix = PurePath(name).suffix[:20]
        name = name[: NAME_LENGTH - len(suffix)] + suffix
    return name


def _check_comment(thread: Thread, comment: Comment | None, actor) -> None:
    if comment is None:
        return
    same_thread = getattr(comment, f"{thread.field}_id") == thread.target.pk
    if not same_thread or comment.is_removed or comment.author_id != actor.pk:
        raise ValidationError(_("Files can only be added to your own comment on this item."), code="comment")


def _store(*, actor, thread: Thread, upload, comment: Comment | None) -> Attachment:
    checked = upload_check(upload)
    internal = bool(comment and comment.internal)
    attachment = Attachment(
        project=thread.access.project, comment=comment, uploaded_by=actor, name=display_name(upload.name),
        size=checked.size, content_type=checked.content_type, internal=internal, **thread.lookup,
    )
    upload.seek(0)
    attachment.file.save(attachment.name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    audit_record(
        actor=actor, action="attachment.add", obj=attachment, project=thread.access.project,
        changes={"file_name": attachment.name, "size": attachment.size, "content_type": attachment.content_type,
                 "comment": comment.pk if comment else None},
        internal=internal or thread.internal,
    )
    return attachment


@transaction.atomic
def attach_file(*, actor, target, upload, comment: Comment | None = None) -> Attachment:
    """Attach `upload` (a Django File or UploadedFile: `.name`, `.size`, readable) as `actor` to `target` (a Task,
    Decision, Meeting or Risk), optionally to `comment` on it (the actor's own; a file on an internal comment is
    internal too).

    Raises ValidationError, with a translated message naming the file, when the actor may not see the target, when
    the file is larger than ATTACHMENT_MAX_BYTES, when its bytes are not an allowed type, are a program, or do not
    match its name's extension. Nothing is stored then.
    """
    try:
        thread = thread_of(user=actor, target=target)
    except Http404:
        raise ValidationError(_("You cannot attach files to this item."), code="forbidden") from None
    _check_comment(thread, comment, actor)
    return _store(actor=actor, thread=thread, upload=upload, comment=comment)


def uploads_check(uploads) -> None:
    """Check every file of one upload before any is stored; one ValidationError on `files` lists every problem."""
    if not uploads:
        raise ValidationError({"files": [_("Choose at least one file.")]})
    limit = settings.ATTACHMENT_MAX_FILES
    if len(uploads) > limit:
        message = ngettext("Attach at most %(limit)d file at a time.", "Attach at most %(limit)d files at a time.", limit)
        raise ValidationError({"files": [message % {"limit": limit}]})
    errors = []
    for upload in uploads:
        try:
            upload_check(upload)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"files": errors})


@transaction.atomic
def attachments_add(*, actor, thread: Thread, uploads, comment: Comment | None = None) -> list[Attachment]:
    """Attach several files at once (a thread obtained through `thread_access` for the same person): all of them or,
    when one is refused, none (the error lists each refused file)."""
    uploads = list(uploads)
    uploads_check(uploads)
    _check_comment(thread, comment, actor)
    return [_store(actor=actor, thread=thread, upload=upload, comment=comment) for upload in uploads]


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment, thread: Thread) -> Attachment:
    """Who uploaded it, or the manager, removes a file: the row stays (name, size, who uploaded and who removed it,
    when) and the audit log says so; the bytes are deleted from the store once the removal is committed, so a
    removed file cannot be downloaded by anyone, even from the store."""
    if not can_remove_attachment(attachment, thread.access):
        raise PermissionDenied(_("Only the person who attached a file or the project's manager can remove it."))
    attachment.removed_at, attachment.removed_by = timezone.now(), actor
    attachment.save(update_fields=["removed_at", "removed_by", "updated_at"])
    audit_record(
        actor=actor, action="attachment.remove", obj=attachment, project=thread.access.project,
        changes={"file_name": attachment.name, "size": attachment.size, "uploaded_by": attachment.uploaded_by_id},
        internal=attachment.internal or thread.internal,
    )
    transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    return attachment
