"""Every list endpoint runs the same number of queries at 10 rows and at 1,000 rows (pinned)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import Attachment, Comment, Notification
from engagement import models as em
from portal.accounts.models import User
from portal.outbox.models import MessageKind, OutboundMessage
from projects import models as pm


def _people(world, n, start, kind="client"):
    users = User.objects.bulk_create(
        [
            User(email=f"p{start + i}@acme.example", full_name=f"P {start + i}", kind=kind, organisation=world.project.client if kind == "client" else None)
            for i in range(n)
        ]
    )
    pm.Membership.objects.bulk_create([pm.Membership(project=world.project, user=u, role="client") for u in users])
    return users


def add_projects(world, objects, n, start):
    projects = pm.Project.objects.bulk_create(
        [pm.Project(client=world.project.client, name=f"P{start + i}", slug=f"p-{start + i}", manager=world.manager) for i in range(n)]
    )
    pm.Membership.objects.bulk_create([pm.Membership(project=p, user=world.manager, role="manager") for p in projects])


def add_memberships(world, objects, n, start):
    _people(world, n, start)


def add_invitations(world, objects, n, start):
    now = timezone.now()
    pm.Invitation.objects.bulk_create(
        [
            pm.Invitation(project=world.project, email=f"i{start + i}@x.example", role="client", invited_by=world.manager, nonce=f"n{start + i}", expires_at=now + dt.timedelta(days=7))
            for i in range(n)
        ]
    )


def add_tasks(world, objects, n, start):
    owners = [world.client, world.client_lead, world.team]
    pm.Task.objects.bulk_create(
        [
            pm.Task(project=world.project, title=f"T{start + i}", owner=owners[i % 3], side="team" if i % 3 == 2 else "client", last_reported_at=timezone.now(), last_percent=30, last_state="on_track")
            for i in range(n)
        ]
    )


def add_my_tasks(world, objects, n, start):
    """The team member's own tasks and client tasks they gave out (what "my tasks" lists)."""
    owners = [world.client, world.team]
    pm.Task.objects.bulk_create(
        [
            pm.Task(project=world.project, title=f"M{start + i}", owner=owners[i % 2], side="client" if i % 2 == 0 else "team", created_by=world.team)
            for i in range(n)
        ]
    )


def add_saved_filters(world, objects, n, start):
    pm.SavedTaskFilter.objects.bulk_create(
        [pm.SavedTaskFilter(user=world.team, name=f"Filter {start + i}", filters={"status": "all"}) for i in range(n)]
    )


def add_reports(world, objects, n, start):
    authors = [world.client, world.manager]
    pm.ProgressReport.objects.bulk_create(
        [pm.ProgressReport(task=objects.task, author=authors[i % 2], percent=i % 100, state="on_track") for i in range(n)]
    )


def add_risks(world, objects, n, start):
    pm.Risk.objects.bulk_create(
        [pm.Risk(project=world.project, title=f"R{start + i}", raised_by=world.client, owner=world.team if i % 2 else None) for i in range(n)]
    )


def add_audit(world, objects, n, start):
    pm.AuditEvent.objects.bulk_create(
        [pm.AuditEvent(project=world.project, actor=world.manager if i % 2 else None, action="task.update", object_type="task", object_id=str(i)) for i in range(n)]
    )


def add_stakeholders(world, objects, n, start):
    em.Stakeholder.objects.bulk_create(
        [em.Stakeholder(plan=objects.plan, external_name=f"S{start + i}", external_email=f"s{start + i}@x.example", side="client") for i in range(n)]
    )


def add_plan_versions(world, objects, n, start):
    em.PlanVersion.objects.bulk_create(
        [em.PlanVersion(plan=objects.plan, version=objects.plan.version + 1 + start + i, content={"stakeholders": []},
                        created_by=world.manager, signed_off_by=world.client_lead, signed_off_at=timezone.now())
         for i in range(n)]
    )


def add_series(world, objects, n, start):
    series = em.MeetingSeries.objects.bulk_create(
        [em.MeetingSeries(project=world.project, title=f"S{start + i}", rrule="FREQ=WEEKLY", first_start=timezone.now(), organiser=world.manager) for i in range(n)]
    )
    through = em.MeetingSeries.attendees.through
    through.objects.bulk_create([through(meetingseries=s, user=u) for s in series for u in (world.manager, world.client)])


def add_meetings(world, objects, n, start):
    now = timezone.now()
    meetings = em.Meeting.objects.bulk_create(
        [em.Meeting(project=world.project, title=f"M{start + i}", starts_at=now + dt.timedelta(hours=i + 1), ends_at=now + dt.timedelta(hours=i + 2)) for i in range(n)]
    )
    em.Attendance.objects.bulk_create([em.Attendance(meeting=m, user=u) for m in meetings for u in (world.manager, world.client)])


def add_attendance(world, objects, n, start):
    users = _people(world, n, start)
    em.Attendance.objects.bulk_create([em.Attendance(meeting=objects.meeting, user=u) for u in users])


def add_decisions(world, objects, n, start):
    em.Decision.objects.bulk_create(
        [em.Decision(project=world.project, title=f"D{start + i}", recorded_by=world.manager, decided_by=world.manager if i % 2 else None) for i in range(n)]
    )


def add_responses(world, objects, n, start):
    users = _people(world, n, start)
    em.DecisionResponse.objects.bulk_create([em.DecisionResponse(decision=objects.decision, user=u, kind="acknowledged") for u in users])


def add_health(world, objects, n, start):
    em.HealthSnapshot.objects.bulk_create(
        [
            em.HealthSnapshot(project=world.project, person=world.client if i % 2 else None, iso_year=1000 + start + i, iso_week=1, as_of=timezone.now(), score=50)
            for i in range(n)
        ]
    )


def add_digests(world, objects, n, start):
    messages = OutboundMessage.objects.bulk_create(
        [OutboundMessage(kind=MessageKind.DIGEST, recipient=world.client, to_email=world.client.email,
                         dedupe_key=f"digest:{world.client.pk}:{2000 + start + i}-W01", subject="s", body_text="t", body_html="h")
         for i in range(n)]
    )
    em.Digest.objects.bulk_create(
        [em.Digest(recipient=world.client, iso_week=f"{2000 + start + i}-W01", subject="s", message=message)
         for i, message in enumerate(messages)]
    )


def _absences(user, n, start):
    first = dt.date(2040, 1, 1)
    return [em.Absence(user=user, starts_on=first + dt.timedelta(days=2 * (start + i)), ends_on=first + dt.timedelta(days=2 * (start + i))) for i in range(n)]


def add_absences(world, objects, n, start):
    em.Absence.objects.bulk_create(_absences(world.client, n, start))


def add_quiet_periods(world, objects, n, start):
    first = dt.date(2040, 1, 1)
    em.QuietPeriod.objects.bulk_create(
        [em.QuietPeriod(project=world.project, starts_on=first + dt.timedelta(days=2 * (start + i)), ends_on=first + dt.timedelta(days=2 * (start + i))) for i in range(n)]
    )


def add_milestones(world, objects, n, start):
    first = dt.date(2040, 1, 1)
    made = em.Milestone.objects.bulk_create(
        [em.Milestone(project=world.project, name=f"m{start + i}", date=first + dt.timedelta(days=start + i),
                      internal=start > 0 and i % 5 == 4) for i in range(n)]
    )
    for milestone in made[:3]:  # some depend on work, so the dependencies are read too
        milestone.tasks.add(objects.task)
        milestone.decisions.add(objects.decision)


def slug(w, o):
    return {"slug": w.project.slug}


def task(w, o):
    return {"slug": w.project.slug, "pk": o.task.pk}


def meeting(w, o):
    return {"slug": w.project.slug, "pk": o.meeting.pk}


def decision(w, o):
    return {"slug": w.project.slug, "pk": o.decision.pk}


def _add_comments(field):
    def add(world, objects, n, start):
        target = getattr(objects, field)
        authors = [world.client, world.manager, world.team]
        Comment.objects.bulk_create(
            [
                Comment(project=world.project, author=authors[i % 3], body=f"c{start + i}", body_html=f"<p>c{start + i}</p>",
                        internal=start > 0 and i % 5 == 4, **{field: target})
                for i in range(n)
            ]
        )

    return add


def _add_files(field):
    """Files rows straight in the database (the bytes do not matter to a list)."""

    def add(world, objects, n, start):
        target = getattr(objects, field)
        uploaders = [world.client, world.manager, world.team]
        Attachment.objects.bulk_create(
            [
                Attachment(project=world.project, uploaded_by=uploaders[i % 3], file=f"attachments/x{start + i}", name=f"f{start + i}.pdf",
                           size=10, content_type="application/pdf", internal=start > 0 and i % 5 == 4, **{field: target})
                for i in range(n)
            ]
        )

    return add


def add_inbox(world, objects, n, start):
    comment = Comment.objects.create(project=world.project, task=objects.task, author=world.manager, body="x")
    Notification.objects.bulk_create(
        [
            Notification(recipient=world.client, kind="reply" if i % 2 else "mention", project=world.project,
                         actor=world.manager, comment=comment if i == 0 and start == 0 else None, task=objects.task)
            for i in range(n)
        ]
    )


def risk(w, o):
    return {"slug": w.project.slug, "pk": o.risk.pk}


# url name: (kwargs, add rows, who asks, queries pinned)
LISTS = {
    "project-list": (lambda w, o: {}, add_projects, "manager", 2),
    "membership-list": (slug, add_memberships, "manager", 3),
    "invitation-list": (slug, add_invitations, "manager", 3),
    "task-list": (slug, add_tasks, "client_lead", 3),
    "my-task-list": (lambda w, o: {}, add_tasks, "client", 2),
    "me-task-list": (lambda w, o: {}, add_my_tasks, "team", 2),
    "me-task-filter-list": (lambda w, o: {}, add_saved_filters, "team", 2),
    "report-list": (task, add_reports, "client", 3),
    "risk-list": (slug, add_risks, "client", 3),
    "audit-list": (slug, add_audit, "team", 3),
    "stakeholder-list": (slug, add_stakeholders, "client", 3),
    "plan-version-list": (slug, add_plan_versions, "client_lead", 4),
    "series-list": (slug, add_series, "client", 4),
    "meeting-list": (slug, add_meetings, "client", 4),
    "meeting-attendance": (meeting, add_attendance, "client", 4),
    "decision-list": (slug, add_decisions, "client", 3),
    "decision-responses": (decision, add_responses, "client", 5),
    "health-list": (slug, add_health, "team", 3),
    "digest-list": (lambda w, o: {}, add_digests, "client", 2),
    "task-comment-list": (task, _add_comments("task"), "client", 3),
    "decision-comment-list": (decision, _add_comments("decision"), "client", 5),
    "meeting-comment-list": (meeting, _add_comments("meeting"), "client", 5),
    "risk-comment-list": (risk, _add_comments("risk"), "client", 5),
    "task-file-list": (task, _add_files("task"), "client", 3),
    "decision-file-list": (decision, _add_files("decision"), "client", 5),
    "meeting-file-list": (meeting, _add_files("meeting"), "client", 5),
    "risk-file-list": (risk, _add_files("risk"), "client", 5),
    "mentionable-list": (slug, add_memberships, "client", 3),
    "inbox": (lambda w, o: {}, add_inbox, "client", 2),
    "me-absence-list": (lambda w, o: {}, add_absences, "client", 2),
    "project-absence-list": (slug, add_absences, "manager", 3),
    "quiet-period-list": (slug, add_quiet_periods, "client", 3),
    "milestone-list": (slug, add_milestones, "client", 5),
}


def _count(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200, response.content
    body = response.json()
    rows = len(body["results"]) if isinstance(body, dict) else len(body)
    return len(ctx.captured_queries), rows


@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_queries_do_not_grow_with_rows(api, world, objects, name):
    kwargs, add, persona, pinned = LISTS[name]
    client = api.as_(getattr(world, persona))
    path = reverse(f"api:{name}", kwargs=kwargs(world, objects))

    add(world, objects, 10, 0)
    small, small_rows = _count(client, path)
    add(world, objects, 990, 10)
    large, large_rows = _count(client, path)

    assert small_rows >= 10
    assert large_rows > small_rows
    assert (small, large) == (pinned, pinned)


def test_every_list_endpoint_is_pinned():
    from tests.api.test_permission_matrix import _api_routes

    lists = set()
    for _route, entry in _api_routes():
        view = entry.callback.view_class
        if hasattr(view, "get") and getattr(view, "queryset", None) is not None or entry.name in ("meeting-attendance",):
            lists.add(entry.name)
    assert lists <= set(LISTS)
