"""Comments as a searchable kind: the text of comments not removed, on objects the reader may see.

A client finds only comments that are not internal on tasks, decisions and risks that are not internal (meetings
have no internal flag); the hit links to the comment in its thread."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from conversations.emails import thread_url
from conversations.models import TARGET_FIELDS, Comment
from projects.search import SearchSource, register

CLIENT_VISIBLE = (
    Q(internal=False)
    & (Q(task__isnull=True) | Q(task__internal=False))
    & (Q(decision__isnull=True) | Q(decision__internal=False))
    & (Q(risk__isnull=True) | Q(risk__internal=False))
)


def _heading(comment: Comment) -> str:
    return _("%(author)s on “%(target)s”") % {"author": comment.author.display_name, "target": comment.target.title}


def _url(comment: Comment) -> str:
    return thread_url(comment.project.slug, TARGET_FIELDS[comment.target_kind], comment.target_id, comment.pk)


def register_kinds() -> None:
    register(
        SearchSource(
            kind="comments", label=_("Comments"), model=Comment, fields=("body",), title="body", order=50,
            scoped=lambda rows, scope: scope.rows(rows.filter(removed_at__isnull=True), client_visible=CLIENT_VISIBLE),
            url=_url, heading=_heading, related=("project", "author", *TARGET_FIELDS.values()),
        )
    )
