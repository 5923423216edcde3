"""One way in for replies by e-mail, whichever receiver got them (the SMTP receiver, a provider's webhook).

`receive_message(raw)` decides, in this order: a Message-ID seen before changes nothing; mail to no reply address is
offered to the outbox's delivery-report handling; automatic, bounced and list mail is ignored; the reply address
must be valid and the From must be its person; the person must still see the object (its own access function). Then
the reply's own words (quoted history and signature taken off) become the person's comment through `comment_post`,
with its files (checked like uploads in the portal), and a progress line that opens a reply about the person's own task also files the report.
A refused reply stores nothing and is answered once a day per sender (`refusals.queue_refusal`). Every message
leaves one `InboundMessage` row with its outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from conversations.inbound import parsing
from conversations.inbound.progress import progress_line
from conversations.inbound.refusals import queue_refusal
from conversations.inbound.reply_text import new_text
from conversations.models import Comment, InboundMessage, InboundOutcome
from conversations.permissions import Thread, thread_access
from conversations.services import comment_post_with_files
from portal.core.exceptions import ApplicationError
from portal.outbox.bounces import handle_dsn
from portal.outbox.replies import ReplyAddressError, ReplyTarget, is_reply_address, reply_address_resolve
from projects.models import ProgressReport, Project, ReportState
from projects.services.reports import report_submit

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Received:
    outcome: str  # an InboundOutcome, or DUPLICATE
    reason: str = ""
    comment: Comment | None = None
    report: ProgressReport | None = None


def _reply_address_of(recipients: Iterable[str], message) -> str | None:
    """The reply address the message was delivered to: the envelope's first, else the headers'."""
    headers = [a for name in ("Delivered-To", "X-Original-To", "To", "Cc") for a in parsing.addresses(message, name)]
    return next((a for a in [*recipients, *headers] if is_reply_address(a)), None)


def _record(row: dict, outcome: str, reason: str = "") -> Received:
    try:
        with transaction.atomic():
            InboundMessage.objects.create(**row, outcome=outcome, reason=reason)
    except IntegrityError:  # the same message, delivered twice at once: the other delivery recorded it
        return Received(DUPLICATE)
    log.info("inbound: %s %s (%s)", row["message_id"], outcome, reason)
    return Received(outcome, reason)


def _refuse(row: dict, reason: str) -> Received:
    received = _record(row, InboundOutcome.REFUSED, reason)
    if received.outcome != DUPLICATE:
        queue_refusal(sender=row["sender"], reason=reason)
    return received


def _thread(target: ReplyTarget) -> Thread:
    slug = Project.objects.filter(pk=target.project_id).values_list("slug", flat=True).first()
    if slug is None:
        raise Http404
    return thread_access(user=target.person, slug=slug, kind=target.kind, pk=target.object_id)


def _uploads(files: list[parsing.Attachment]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f.name, f.content, content_type=f.content_type) for f in files]


def _body(text: str, files: list[parsing.Attachment], person) -> str:
    if text or not files:
        return text
    with translation.override(person.language):
        return _("Files sent by e-mail: %(names)s") % {"names": ", ".join(f.name for f in files)}


def _report(thread: Thread, person, text: str) -> ProgressReport | None:
    """File the report a progress line opening `text` stands for, when the task is the person's own."""
    task = thread.target
    if thread.kind != "tasks" or task.owner_id != person.pk:
        return None
    line, rest = progress_line(text)
    if line is None:
        return None
    percent = line.percent
    if percent is None:
        percent = 100 if line.state == ReportState.DONE else (task.last_percent or 0)
    blocked = line.state == ReportState.BLOCKED
    note = rest if blocked else "\n".join(part for part in (line.remark, rest) if part)
    try:
        return report_submit(actor=person, task=task, percent=percent, state=line.state, note=note,
                             blockers=line.remark if blocked else "", access=thread.access)
    except (ApplicationError, PermissionDenied, ValidationError) as exc:  # a closed task: the comment still stands
        log.info("inbound: no report filed on task %s: %s", task.pk, exc)
        return None


def receive_message(raw: bytes, *, recipients: Iterable[str] = (), mail_from: str | None = None,
                    source: str = "smtp") -> Received:
    """Turn one received e-mail (its bytes) into a comment, or record why not. `recipients` and `mail_from` are the
    SMTP envelope's when known (`mail_from == ""` is a null return path). Safe to call twice with the same message."""
    message = parsing.parse(raw)
    message_id = parsing.message_id(message, raw)
    if InboundMessage.objects.filter(message_id=message_id).exists():
        return Received(DUPLICATE)
    recipients = list(recipients)
    address = _reply_address_of(recipients, message)
    origin = parsing.sender(message)
    row = {"message_id": message_id, "sender": origin[:254], "source": source,
           "recipient": (address or (recipients[0] if recipients else ""))[:254]}
    if address is None:
        if handle_dsn(message):
            return _record(row, InboundOutcome.DELIVERY_REPORT)
        return _record(row, InboundOutcome.UNROUTED)
    automated = parsing.automated_reason(message, mail_from=mail_from)
    if automated:
        return _record(row, InboundOutcome.IGNORED, automated)
    try:
        target = reply_address_resolve(address)
    except ReplyAddressError as exc:
        return _refuse(row, exc.reason)
    if not origin or origin.lower() != target.person.email.lower():
        return _refuse(row, "sender")
    try:
        thread = _thread(target)
    except (Http404, PermissionDenied):
        return _refuse(row, "not-visible")
    text = new_text(parsing.body_text(message))
    files = parsing.attachments(message)
    if not text and not files:
        return _record(row, InboundOutcome.IGNORED, "empty")
    person = target.person
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(**row, outcome=InboundOutcome.COMMENTED)
            # The files go through the same checks as in the portal (size, type read from the bytes), all before
            # anything is written: one refused file refuses the reply.
            comment = comment_post_with_files(
                actor=person, thread=thread, body=_body(text, files, person), uploads=_uploads(files),
                internal=target.internal and thread.can_post_internal, via="email",
            )
            report = _report(thread, person, text)
            record.comment = comment
            record.save(update_fields=["comment"])
    except IntegrityError:
        if InboundMessage.objects.filter(message_id=message_id).exists():
            return Received(DUPLICATE)
        raise
    except (ValidationError, PermissionDenied) as exc:  # a refused file, a text longer than a comment may be
        log.info("inbound: %s refused: %s", message_id, exc)
        files_refused = isinstance(exc, ValidationError) and hasattr(exc, "error_dict") and "files" in exc.error_dict
        return _refuse(row, "files" if files_refused else "invalid")
    log.info("inbound: %s became comment %s", message_id, comment.pk)
    return Received(InboundOutcome.COMMENTED, comment=comment, report=report)
