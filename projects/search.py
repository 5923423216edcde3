"""Search over what a person may see: one registry of searchable kinds, one runner, highlighted snippets.

A kind of object becomes searchable with one `register(SearchSource(...))` call from its app's `ready()`: the
model, the text fields, how rows are scoped to the projects the person may see and the page a hit links to. Several
sources may fill one group (a task is found by its own text and by the notes of its reports).

On PostgreSQL every source is one full-text query (`to_tsvector('russian', …) @@ websearch_to_tsquery(...)`) that
uses the source's GIN expression index (`portal.core.search.search_index(...)` in the model's `Meta.indexes`, the
same expression); the highlighted fragments come from `ts_headline` in that query. Elsewhere (SQLite) every word must occur in one of the fields
(`icontains`) and the words are marked in Python.

The query count is one for the person's projects plus one per source, whatever the number of hits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import Q, Value
from django.db.models.functions import Concat

from portal.core.search import SEARCH_CONFIG, search_vector
from projects.models import CLIENT_ROLES, STAFF_ROLES, Membership

HITS_PER_SOURCE = 20
MAX_QUERY_LENGTH = 200
# Markers ts_headline puts around a match; they are split off before anything is shown (see `segments`).
_START, _STOP = "\x02", "\x03"


@dataclass(frozen=True)
class SearchScope:
    """The projects a person may search: where they see everything, where they see the client's part only."""

    staff_project_ids: frozenset[int]
    client_project_ids: frozenset[int]

    @classmethod
    def for_user(cls, user) -> SearchScope:
        staff, client = set(), set()
        for project_id, role in Membership.objects.filter(user=user).order_by().values_list("project_id", "role"):
            if role in STAFF_ROLES:
                staff.add(project_id)
            elif role in CLIENT_ROLES:
                client.add(project_id)
        return cls(frozenset(staff), frozenset(client))

    @property
    def is_empty(self) -> bool:
        return not (self.staff_project_ids or self.client_project_ids)

    def rows(self, queryset, *, project: str = "project", client_visible: Q | None = None):
        """Rows of the person's projects; in projects where they are a client, only rows matching `client_visible`."""
        for_clients = Q(**{f"{project}__in": self.client_project_ids})
        if client_visible is not None:
            for_clients &= client_visible
        return queryset.filter(Q(**{f"{project}__in": self.staff_project_ids}) | for_clients)


@dataclass(frozen=True)
class SearchSource:
    """One searchable text of one model. `fields` are searched (on PostgreSQL through the index over the same
    fields); `title` is the hit's heading; `scoped(queryset, scope)` keeps what the person may see; `url(obj)` links
    the hit; `project(obj)` names its project."""

    kind: str
    label: object
    model: type[models.Model]
    fields: tuple[str, ...]
    title: str
    scoped: Callable
    url: Callable
    project: Callable = field(default=lambda obj: obj.project)
    related: tuple[str, ...] = ("project",)
    order: int = 100
    heading: Callable | None = None  # the hit's heading as plain text, when `title`'s text is not one (a comment's)


@dataclass
class Hit:
    kind: str
    key: tuple
    title: list
    snippet: list
    url: str
    project: object
    rank: float = 0.0


@dataclass
class Group:
    kind: str
    label: object
    hits: list = field(default_factory=list)
    more: bool = False


_SOURCES: list[SearchSource] = []


def register(source: SearchSource) -> None:
    """Make a kind searchable (called from an app's `ready()`; registering the same source twice is harmless)."""
    if not any(s.kind == source.kind and s.model is source.model and s.fields == source.fields for s in _SOURCES):
        _SOURCES.append(source)
        _SOURCES.sort(key=lambda s: s.order)


def sources() -> list[SearchSource]:
    return list(_SOURCES)


def clean_query(text: str | None) -> str:
    """The query as searched: control characters (NUL included, which PostgreSQL refuses) out, spaces collapsed."""
    printable = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search(*, user, text: str) -> list[Group]:
    """The hits for `text` among what `user` may see, grouped by kind in registration order (empty groups left out)."""
    text = clean_query(text)
    if not text or not getattr(user, "is_authenticated", False):
        return []
    scope = SearchScope.for_user(user)
    if scope.is_empty:
        return []
    groups: dict[str, Group] = {}
    for source in _SOURCES:
        group = groups.setdefault(source.kind, Group(source.kind, source.label))
        rows = list(_query(source, scope, text)[: HITS_PER_SOURCE + 1])
        group.more = group.more or len(rows) > HITS_PER_SOURCE
        seen = {hit.key for hit in group.hits}
        for obj in rows[:HITS_PER_SOURCE]:
            hit = _hit(source, obj, text)
            if hit.key not in seen:
                group.hits.append(hit)
                seen.add(hit.key)
    for group in groups.values():
        group.hits.sort(key=lambda hit: -hit.rank)
    return [group for group in groups.values() if group.hits]


def _uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _text_of(fields: tuple[str, ...]):
    if len(fields) == 1:
        return fields[0]
    parts = []
    for name in fields:
        parts += [name, Value(" … ")]
    return Concat(*parts[:-1], output_field=models.TextField())


def _query(source: SearchSource, scope: SearchScope, text: str):
    rows = source.scoped(source.model.objects.select_related(*source.related), scope)
    if _uses_full_text():
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        vector = search_vector(*source.fields)
        body = tuple(name for name in source.fields if name != source.title) or source.fields
        headline = {"config": SEARCH_CONFIG, "start_sel": _START, "stop_sel": _STOP}
        return (
            rows.annotate(search_match=vector)
            .filter(search_match=query)
            .annotate(
                search_rank=SearchRank(vector, query),
                search_title=SearchHeadline(source.title, query, highlight_all=True, **headline),
                search_snippet=SearchHeadline(
                    _text_of(body), query, max_words=30, min_words=12, max_fragments=2, fragment_delimiter=" … ",
                    **headline,
                ),
            )
            .order_by("-search_rank", "-pk")
        )
    condition = Q()
    for word in _words(text):
        condition &= Q(*[Q(**{f"{name}__icontains": word}) for name in source.fields], _connector=Q.OR)
    return rows.filter(condition).order_by("-pk")


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"[\s\"'()+\-|&!:]+", text) if word and word.lower() != "or"]


def _hit(source: SearchSource, obj, text: str) -> Hit:
    if _uses_full_text():
        title, snippet, rank = obj.search_title, obj.search_snippet, obj.search_rank or 0.0
    else:
        title = _mark(_value(obj, source.title), text)
        body = [_value(obj, name) for name in (tuple(n for n in source.fields if n != source.title) or source.fields)]
        snippet = _mark(_excerpt(" … ".join(part for part in body if part), text), text)
        rank = 0.0
    if source.heading is not None:
        title = source.heading(obj).replace(_START, "").replace(_STOP, "")  # plain text: nothing in it marked
    url = source.url(obj)
    return Hit(source.kind, (source.kind, url), segments(title), segments(snippet), url, source.project(obj), rank)


def _value(obj, path: str) -> str:
    for name in path.split("__"):
        obj = getattr(obj, name)
    return obj or ""


def _excerpt(text: str, query: str, width: int = 200) -> str:
    lowered = text.lower()
    positions = [lowered.find(word.lower()) for word in _words(query)]
    start = min((p for p in positions if p >= 0), default=0)
    start = max(0, start - width // 3)
    excerpt = text[start : start + width]
    return ("… " if start else "") + excerpt + (" …" if start + width < len(text) else "")


def _mark(text: str, query: str) -> str:
    words = sorted(_words(query), key=len, reverse=True)
    if not text or not words:
        return text or ""
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", text.replace(_START, "").replace(_STOP, ""))


def segments(marked: str | None) -> list[tuple[str, bool]]:
    """Split marked text into (text, is_match) pieces; the template escapes every piece and wraps matches in <mark>,
    so nothing a person typed is ever trusted as HTML."""
    pieces: list[tuple[str, bool]] = []
    for index, part in enumerate(re.split(f"[{_START}{_STOP}]", marked or "")):
        if part:
            pieces.append((part, index % 2 == 1))
    return pieces
