"""The inbox port: how services of this layer and of `engagement` tell people's inboxes what happened.

The inbox (its rows, its pages, its e-mails) belongs to `conversations`, which sits above both and which they never
import. It plugs itself in here when the app is ready (`conversations.apps`, like search kinds in `projects.search`):
services call `tell` with a plain `Event` inside their own transaction, so a line exists exactly when the change
does; the weekly digest asks `digest_lines` for what a person chose to read there. With nothing plugged in (an
install without conversations), telling does nothing and digests have no conversations part.

This is a direct call through one named seam, not a signal: one receiver, called in a known order, whose failure
rolls the change back like any other part of the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Event:
    """What changed. `kind`: "task" (a task was changed, or a report on it stored) or "decision" (a decision was
    recorded, asked, answered or closed). `changed`: the task's fields whose value changed; `people`: besides the
    task's owner, who else should hear (a task's previous owner). `task`: the task as the service just saved it,
    which spares reading it again."""

    kind: str
    actor_id: int | None
    task_id: int | None = None
    decision_id: int | None = None
    changed: tuple[str, ...] = ()
    people: tuple[int, ...] = field(default=())
    task: object = field(default=None, compare=False)  # the task as just saved (with its project and owner)


@dataclass(frozen=True)
class DigestLine:
    """One unread inbox line a person reads in their digest instead of an e-mail of its own."""

    id: int
    kind: str  # "mention", "reply" or "task"
    who: str  # who wrote or changed it ("" for nobody in particular)
    title: str  # what it is about
    project: str
    url: str  # absolute
    at: object  # an aware datetime


class Inbox(Protocol):
    def tell(self, event: Event) -> None: ...

    def digest_lines(self, people: list) -> dict[int, list[DigestLine]]: ...

    def digested(self, told: dict[int, list[int]]) -> None: ...


_INBOX: list[Inbox] = []


def plug(inbox: Inbox) -> None:
    """Called once from an app's `ready()`; plugging the same class again replaces it."""
    _INBOX[:] = [i for i in _INBOX if type(i) is not type(inbox)] + [inbox]


def tell(event: Event) -> None:
    for inbox in _INBOX:
        inbox.tell(event)


def digest_lines(people: list) -> dict[int, list[DigestLine]]:
    """{person id: their unread lines of kinds they read in the digest}, for many people in a fixed number of queries."""
    out: dict[int, list[DigestLine]] = {}
    for inbox in _INBOX:
        out.update(inbox.digest_lines(people))
    return out


def digested(told: dict[int, list[int]]) -> None:
    """{outbox row id of a digest: the line ids it listed}: no later digest or e-mail repeats them (one write for a
    batch)."""
    told = {message_id: ids for message_id, ids in told.items() if ids}
    if told:
        for inbox in _INBOX:
            inbox.digested(told)
