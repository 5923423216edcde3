"""The searchable kinds of `engagement`: decisions and meetings (agenda; minutes where the reader may read them)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from engagement.models import Decision, Meeting
from projects.search import SearchSource, register


def _meeting_url(meeting) -> str:
    return reverse("engagement:meeting", kwargs={"slug": meeting.project.slug, "pk": meeting.pk})


def register_kinds() -> None:
    register(
        SearchSource(
            kind="decisions", label=_("Decisions"), model=Decision,
            fields=("title", "context", "options", "decision"), title="title", order=20,
            scoped=lambda rows, scope: scope.rows(rows, client_visible=Q(internal=False)),
            url=lambda decision: reverse("engagement:decision", kwargs={"slug": decision.project.slug, "pk": decision.pk}),
        )
    )
    register(
        SearchSource(
            kind="meetings", label=_("Meetings"), model=Meeting, fields=("title", "agenda"), title="title", order=30,
            scoped=lambda rows, scope: scope.rows(rows),
            url=_meeting_url,
        )
    )
    register(
        SearchSource(
            kind="meetings", label=_("Meetings"), model=Meeting, fields=("minutes",), title="title", order=31,
            scoped=lambda rows, scope: scope.rows(rows, client_visible=Q(minutes_shared=True)),
            url=_meeting_url,
        )
    )
