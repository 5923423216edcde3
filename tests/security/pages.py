"""Own-project objects of every kind and the HTML pages that show them (headers and escaping tests)."""

from __future__ import annotations

from django.urls import reverse

from conversations.models import Comment, Notification
from conversations.text import render
from engagement.models import QuietPeriod
from portal.outbox.models import Suppression
from projects.models import Membership, SavedTaskFilter
from tests import factories as f
from tests.security import routes as r


def own_objects(world, **titles) -> dict:
    """One object of every kind in `world.project`; `titles` overrides text fields per kind."""
    p = world.project
    task = f.TaskFactory(project=p, owner=world.client, **titles.get("task", {}))
    series = f.MeetingSeriesFactory(project=p, **titles.get("series", {}))
    meeting = f.MeetingFactory(project=p, series=series, **titles.get("meeting", {}))
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.manager)
    plan = f.CommunicationPlanFactory(project=p, **titles.get("plan", {}))
    milestone = f.MilestoneFactory(project=p, date=task.due_date, **titles.get("milestone", {}))
    milestone.tasks.add(task)
    body = titles.get("comment", {}).get("body", "Is the copy final?")
    comment = Comment.objects.create(project=p, task=task, author=world.client, body=body, body_html=render(body))
    return {
        "comment": comment,
        "notification": Notification.objects.create(
            recipient=world.client, kind="mention", project=p, actor=world.manager, comment=comment, task=task
        ),
        "task": task,
        "risk": f.RiskFactory(project=p, **titles.get("risk", {})),
        "stakeholder": f.StakeholderFactory(plan=plan, user=world.client),
        "series": series,
        "meeting": meeting,
        "decision": f.DecisionFactory(project=p, **titles.get("decision", {})),
        "invitation": f.InvitationFactory(project=p),
        "membership": Membership.objects.get(project=p, user=world.client),
        "warning": f.HealthWarningFactory(project=p, person=world.client, opened_at=task.created_at),
        "digest": f.DigestFactory(recipient=world.client, **titles.get("digest", {})),
        "milestone": milestone,
        "absence": f.AbsenceFactory(user=world.client, **titles.get("absence", {})),
        "suppression": Suppression.objects.create(  # the manager's plan page lists who cannot be reached and why
            address=world.client.email, kind="hard", source="dsn", **{"reason": "5.1.1 User unknown", **titles.get("suppression", {})}
        ),
        "quiet_period": QuietPeriod.objects.create(project=p, starts_on=task.due_date, ends_on=task.due_date, **titles.get("quiet_period", {})),
        "saved_filter": SavedTaskFilter.objects.create(
            user=world.manager, filters={"project": p.slug}, **{"name": "Acme", **titles.get("saved_filter", {})}
        ),
    }


def html_pages(world, objects):
    """Paths of every HTML page of the own project, the personal pages and the log-in pages."""
    for route in r.all_routes():
        if route.path.startswith(("/api/", "/admin/")) or route.name in r.PUBLIC - {"login", "password_reset"}:
            continue
        if route.name.startswith("conversations:file-"):
            continue  # a file's bytes or a POST, not a page: tests/conversations/test_files_* check those answers
        if route.name in r.SLUG_ONLY:
            yield reverse(route.name, kwargs={"slug": world.project.slug})
        elif route.name in r.PK_OBJECT:
            pk = objects[r.PK_OBJECT[route.name]].pk
            kwargs = {"pk": pk} | ({"slug": world.project.slug} if "slug" in route.kwargs else {})
            yield reverse(route.name, kwargs=kwargs)
        elif route.name in r.PERSONAL or route.name in r.PUBLIC:
            yield reverse(route.name)
