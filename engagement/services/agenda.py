"""The agenda that writes itself: what the next meeting should talk about."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from engagement.models import Meeting, MeetingStatus
from engagement.selectors.awaiting import decisions_awaiting_anyone
from projects.models import Risk, Task


def decisions_awaiting_client(project):
    """Client-visible decisions that still await a client person's answer, oldest request first."""
    return decisions_awaiting_anyone(project).order_by("requested_at")


def _previous_meeting(meeting: Meeting) -> Meeting | None:
    qs = Meeting.objects.filter(project_id=meeting.project_id, status=MeetingStatus.HELD, starts_at__lt=meeting.starts_at)
    if meeting.series_id:
        qs = qs.filter(series_id=meeting.series_id)
    return qs.order_by("-starts_at").first()


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def agenda_draft(meeting: Meeting) -> str:
    """A bullet list in the active language: overdue client tasks, decisions awaiting the client,
    open risks and the actions from the previous meeting. Empty when there is nothing to raise."""
    project = meeting.project
    today = timezone.localdate()
    sections = []
    overdue = Task.objects.filter(project=project).client_side().visible_to_clients().overdue(today).select_related("owner")
    sections.append((
        _("Overdue client tasks"),
        [_("%(title)s — %(owner)s, due %(due)s") % {"title": t.title, "owner": t.owner, "due": _date(t.due_date)} for t in overdue],
    ))
    sections.append((
        _("Decisions awaiting the client"),
        [_("%(title)s (asked %(asked)s)") % {"title": d.title, "asked": _date(timezone.localdate(d.requested_at))}
         for d in decisions_awaiting_client(project)],
    ))
    risks = Risk.objects.filter(project=project).visible_to_clients().exclude(status=Risk.Status.CLOSED).order_by("-created_at")
    sections.append((
        _("Open risks and issues"),
        [f"{r.title} ({r.get_severity_display()})" for r in risks],
    ))
    previous = _previous_meeting(meeting)
    actions = []
    if previous is not None:
        tasks = previous.outcome_tasks.visible_to_clients().select_related("owner").order_by("due_date", "id")
        actions = [_("%(title)s — %(owner)s (%(status)s)") % {"title": t.title, "owner": t.owner, "status": t.get_status_display()}
                   for t in tasks]
    sections.append((_("Actions from the last meeting"), actions))
    blocks = [title + "\n" + "\n".join(f"- {line}" for line in lines) for title, lines in sections if lines]
    return "\n\n".join(blocks)
