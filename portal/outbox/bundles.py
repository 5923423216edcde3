"""Requests to one person, bundled: the "please act" e-mails (a task given to them, a decision to answer, the plan to
sign off, "you were added to a project") queued for one person within one bundle window go out as one message.

A kick-off is the usual case: within minutes the manager adds a client contact, gives them tasks, asks decisions
and a sign-off. Each request is still its own outbox row (its own dedupe key, its own rendering, its signed link
made when it was queued) and waits like the inbox e-mail does (docs/conversations.md): `COMMENT_MAIL_DELAY_MINUTES`,
then for the person's working hours. When the first of them is sent, the person's other pending requests join it:
they are claimed with it, checked again, and told in one message listing them; a lone request goes out as its own
e-mail, as written. A request that stopped waiting meanwhile (the decision answered, the task given to someone
else, the plan signed off) is left out, and skipped when nothing is left.

The joined rows end `bundled`, naming the row whose message told them (`payload["told_by"]`). If that message is
retried or fails they go back to pending with it: nothing is lost and nothing is told twice. Meeting invitations
never join: a calendar invitation is a message of its own (emails.md §4.1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext

from portal.core.time import next_working_instant
from portal.outbox.email import Rendered, absolute, render_email
from portal.outbox.models import MessageKind, MessageStatus, OutboundMessage

KEY = "bundle"  # payload: the person's bundle the row joins
# The groups of a bundled message, in the order it lists them.
GROUPS = {"member": "members", "sign_off": "sign_offs", "approve": "decisions", "ack": "decisions", "task": "tasks"}


def request_payload(*, person, still: str, line: str, reply_to: str) -> dict:
    """The payload of a request row. `still` names a function `(row) -> bool`: whether the request still waits (checked
    when it goes). `line` names a function `(row) -> dict`, called only when a message tells several requests, for what
    it says of this one: `what` (a key of GROUPS), `title`, `project`, `url` (the action: the report form, a signed
    one-click link made then, the plan page, the project) and, by kind, `view_url`, `due` (a date), `version`.
    `reply_to` is the Reply-To of such a message (the manager: no single item's thread fits)."""
    return {KEY: f"requests:{person.pk}", "still": still, "line": line, "bundle_reply_to": reply_to}


def request_send_after(now: dt.datetime, time_zone: str) -> dt.datetime:
    """When a request queued `now` goes: after the bundle window, in the person's working hours."""
    return next_working_instant(now + dt.timedelta(minutes=settings.COMMENT_MAIL_DELAY_MINUTES), time_zone)


@dataclass
class Bundle:
    carrier: OutboundMessage  # the row being sent: its Message-ID and status carry the message
    joined: list[OutboundMessage] = field(default_factory=list)  # the other rows claimed with it
    waiting: list[OutboundMessage] = field(default_factory=list)  # the rows (carrier or joined) still to tell

    @property
    def stale(self) -> list[OutboundMessage]:
        told = {row.pk for row in self.waiting}
        return [row for row in self.joined if row.pk not in told]


def bundle_gather(row: OutboundMessage) -> Bundle:
    """Claim the person's other pending requests (and those this very batch claimed with `row`) under `row`'s claim,
    and sort out which still wait. Rows another sender holds are left to it (skip_locked)."""
    with transaction.atomic():
        others = OutboundMessage.objects.select_for_update(skip_locked=True).filter(
            recipient_id=row.recipient_id, **{f"payload__{KEY}": row.payload[KEY]}
        ).exclude(pk=row.pk)
        pending = list(others.filter(status=MessageStatus.PENDING).order_by("created_at", "pk"))
        same_batch = list(others.filter(status=MessageStatus.SENDING, claimed_at=row.claimed_at).order_by("created_at", "pk"))
        OutboundMessage.objects.filter(pk__in=[o.pk for o in pending]).update(status=MessageStatus.SENDING, claimed_at=row.claimed_at)
    joined = sorted(pending + same_batch, key=lambda o: (o.created_at, o.pk))
    for other in joined:
        other.status, other.claimed_at = MessageStatus.SENDING, row.claimed_at
    waiting = [candidate for candidate in [row, *joined] if _still(candidate)]
    return Bundle(carrier=row, joined=joined, waiting=waiting)


def _still(row: OutboundMessage) -> bool:
    check = row.payload.get("still")
    return True if not check else bool(import_string(check)(row))


def bundle_render(bundle: Bundle) -> tuple[str, Rendered | None] | None:
    """(kind, rendering) of the message when it is not the carrier's own e-mail (the rendering None when the one
    request left has nothing to say any more); None when it is the carrier's own e-mail."""
    if bundle.waiting == [bundle.carrier]:
        return None
    if len(bundle.waiting) == 1:  # the carrier stopped waiting; the one left goes as written, under the carrier's ID
        only = bundle.waiting[0]
        if only.payload.get("render"):  # written when it goes
            return only.kind, import_string(only.payload["render"])(only)
        return only.kind, Rendered(subject=only.subject, body_text=only.body_text, body_html=only.body_html,
                                   headers=dict(only.headers), attachments=list(only.attachments))
    return MessageKind.REQUESTS, _render_requests(bundle)


def _render_requests(bundle: Bundle) -> Rendered:
    person = bundle.carrier.recipient
    groups: dict[str, list[dict]] = {name: [] for name in set(GROUPS.values())}
    lines = [import_string(row.payload["line"])(row) for row in bundle.waiting]
    for line in lines:
        groups[GROUPS[line["what"]]].append(line)
    projects = sorted({line["project"] for line in lines})
    with translation.override(person.language):
        summary = _summary(groups)
    context = {
        "person": person, **groups, "summary": summary, "project": projects[0] if len(projects) == 1 else "",
        "my_work_url": absolute(reverse("home")),
    }
    rendered = render_email("requests", context, language=person.language, time_zone=person.time_zone)
    reply_to = bundle.carrier.payload.get("bundle_reply_to")
    rendered.headers = {**bundle.carrier.headers, "X-Rapport-Kind": MessageKind.REQUESTS, **({"Reply-To": reply_to} if reply_to else {})}
    return rendered


def _summary(groups: dict[str, list[dict]]) -> str:
    """"3 tasks, 1 decision, the communication plan to sign off", in the active language (for the subject and the
    preheader)."""
    parts = []
    if groups["tasks"]:
        n = len(groups["tasks"])
        parts.append(ngettext("%(count)d task", "%(count)d tasks", n) % {"count": n})
    if groups["decisions"]:
        n = len(groups["decisions"])
        parts.append(ngettext("%(count)d decision", "%(count)d decisions", n) % {"count": n})
    if groups["sign_offs"]:
        n = len(groups["sign_offs"])
        parts.append(gettext("the communication plan to sign off") if n == 1 else
                     ngettext("%(count)d communication plan to sign off", "%(count)d communication plans to sign off", n)
                     % {"count": n})
    return ", ".join(parts)


def bundle_adopt(row: OutboundMessage, kind: str, rendered: Rendered) -> None:
    """The carrier row records what its message really was."""
    row.kind = kind
    row.subject, row.body_text, row.body_html = rendered.subject, rendered.body_text, rendered.body_html
    row.headers = {**row.headers, **rendered.headers}
    row.attachments = rendered.attachments
    OutboundMessage.objects.filter(pk=row.pk).update(
        kind=kind, subject=row.subject, body_text=row.body_text, body_html=row.body_html, headers=row.headers,
        attachments=row.attachments,
    )


def bundle_finish(bundle: Bundle, *, sent: bool) -> None:
    """After the carrier's message: the joined rows it told are `bundled`, those that stopped waiting `skipped`;
    when it was not sent (a retry, a failure) they all go back to pending and are told later."""
    now = timezone.now()
    for row in bundle.joined:
        mine = OutboundMessage.objects.filter(pk=row.pk, status=MessageStatus.SENDING, claimed_at=row.claimed_at)
        if not sent:
            mine.update(status=MessageStatus.PENDING, claimed_at=None)
        elif row in bundle.waiting:
            mine.update(status=MessageStatus.BUNDLED, sent_at=now, payload={**row.payload, "told_by": bundle.carrier.pk})
        else:
            mine.update(status=MessageStatus.SKIPPED, last_error="no longer waiting")


def still_mine(row: OutboundMessage) -> bool:
    """A request row a batch claimed may have been told by a bundle sent earlier in the same batch."""
    return OutboundMessage.objects.filter(pk=row.pk, status=MessageStatus.SENDING, claimed_at=row.claimed_at).exists()
