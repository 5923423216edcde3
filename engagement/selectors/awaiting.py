"""What awaits a person: the one definition every page, digest, nudge, escalation, health signal and API list uses.

- A **decision** awaits a client person while it still asks something and they may answer it and have not
  (`DecisionQuerySet.asking` / `awaiting_rows`: an approval only while proposed; an acknowledgement while the
  decision is proposed or approved; never once rejected or superseded).
- A **report** awaits the owner of an open, client-visible task when the task is overdue or its report is due.
- A **plan sign-off** awaits a client lead while no version, or an older one than the current, is signed off.
- An **RSVP** awaits an invited person with no answer for a scheduled meeting that has not started.

The rules live on the models' QuerySets so that `projects` (which never imports `engagement`) reads the same
rule through the app registry; every reader in `engagement` comes through this module. Each function here runs a
fixed number of queries, whatever the number of people or rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils import timezone

from engagement.models import Attendance, CommunicationPlan, Decision, MeetingStatus, Rsvp
from engagement.models.decisions import Involvement, ResponseKind
from portal.core.time import zone
from projects.models import Membership, Project, Role, Task, TaskSide

# --- decisions -------------------------------------------------------------------------------------


def decisions_awaiting(person, project_ids=None) -> QuerySet[Decision]:
    """The decisions that await `person`, oldest request first (one query)."""
    qs = Decision.objects.awaiting(person)
    if project_ids is not None:
        qs = qs.filter(project_id__in=project_ids)
    return qs.select_related("project", "recorded_by").order_by("requested_at", "id")


def decision_ids_awaiting(person) -> QuerySet:
    """The ids of the decisions that await `person`, as a subquery (for filters)."""
    return Decision.objects.awaiting(person).values("pk")


def decisions_awaiting_by_person(people_ids, project_ids=None) -> dict[int, list[Decision]]:
    """{person id: the decisions that await them, oldest request first} for many people in one query."""
    qs = Decision.objects.awaiting_rows(people=list(people_ids))
    if project_ids is not None:
        qs = qs.filter(project_id__in=project_ids)
    out: dict[int, list[Decision]] = defaultdict(list)
    for decision in qs.order_by("requested_at", "id"):
        out[decision.awaited_id].append(decision)
    return out


def decisions_awaiting_anyone(project=None) -> QuerySet[Decision]:
    """Decisions that await at least one client person: what the team is waiting for (one query)."""
    qs = Decision.objects.awaiting_anyone()
    if project is not None:
        qs = qs.filter(project=project)
    return qs


def decision_awaits(decision: Decision, person) -> bool:
    """Whether this decision awaits this person now (one query)."""
    return Decision.objects.awaiting(person).filter(pk=decision.pk).exists()


def approvers(decision: Decision) -> list:
    """The people whose approval an "approval required" decision needs: the client leads, or the plain clients of a
    project without a lead."""
    members = list(
        Membership.objects.filter(project_id=decision.project_id, role__in=[Role.CLIENT_LEAD, Role.CLIENT])
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
    leads = [m.user for m in members if m.role == Role.CLIENT_LEAD]
    return leads or [m.user for m in members]


def approval_awaited_from(decision: Decision, responses=None) -> list:
    """The approvers an "approval required" decision still waits for (empty once it no longer asks for approval)."""
    if decision.involvement != Involvement.APPROVAL or not Decision.objects.asking().filter(pk=decision.pk).exists():
        return []
    responses = list(decision.responses.all()) if responses is None else responses
    approved = {r.user_id for r in responses if r.kind == ResponseKind.APPROVED}
    return [person for person in approvers(decision) if person.pk not in approved]


# --- reports, plan sign-off, RSVPs ------------------------------------------------------------------


def report_awaited(task: Task, now: dt.datetime, today: dt.date) -> bool:
    """An open task's report is awaited when the task is overdue or its report is due."""
    return (task.due_date is not None and task.due_date < today) or task.report_due_at() <= now


def reports_awaiting(person, now: dt.datetime | None = None) -> list[Task]:
    """Open, client-visible client tasks of `person` whose report is awaited, overdue first (one query)."""
    return reports_awaiting_by_person([person], now=now).get(person.pk, [])


def reports_awaiting_by_person(people, now: dt.datetime | None = None) -> dict[int, list[Task]]:
    """{person id: tasks whose report awaits them} for many people in one query; "today" is in each one's zone."""
    now = now or timezone.now()
    by_id = {p.pk: p for p in people}
    out: dict[int, list[Task]] = defaultdict(list)
    tasks = (
        Task.objects.open()
        .visible_to_clients()
        .filter(owner_id__in=by_id, side=TaskSide.CLIENT, project__in=Project.objects.open(), project__archived_at__isnull=True)
        .select_related("project")
        .order_by("due_date", "pk")
    )
    for task in tasks:
        today = now.astimezone(zone(by_id[task.owner_id].time_zone)).date()
        if report_awaited(task, now, today):
            out[task.owner_id].append(task)
    return out


def sign_off_awaiting(person) -> QuerySet[CommunicationPlan]:
    """Plans the person, a client lead, has to sign off: none or an older version signed (one query)."""
    lead_of = Membership.objects.filter(user=person, role=Role.CLIENT_LEAD).values("project_id")
    return (
        CommunicationPlan.objects.awaiting_sign_off()
        .filter(project_id__in=lead_of, project__archived_at__isnull=True)
        .select_related("project")
        .order_by("project__name")
    )


def rsvps_awaiting(person, now: dt.datetime | None = None) -> QuerySet[Attendance]:
    """The person's invitations to scheduled meetings not yet started that have no answer (one query)."""
    now = now or timezone.now()
    return (
        Attendance.objects.filter(user=person, rsvp=Rsvp.NONE, meeting__status=MeetingStatus.SCHEDULED, meeting__starts_at__gt=now)
        .select_related("meeting", "meeting__project")
        .order_by("meeting__starts_at", "pk")
    )


# --- per person, for many people ---------------------------------------------------------------------


@dataclass
class Awaiting:
    """What awaits one person."""

    decisions: list = field(default_factory=list)
    reports: list = field(default_factory=list)
    sign_offs: list = field(default_factory=list)  # plan ids
    rsvps: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.decisions) + len(self.reports) + len(self.sign_offs) + len(self.rsvps)


def awaiting_summary(people, now: dt.datetime | None = None, rsvp_days: int = 14) -> dict[int, Awaiting]:
    """{person id: Awaiting} for many people in four queries, whatever their number."""
    now = now or timezone.now()
    people = list(people)
    ids = [p.pk for p in people]
    out = {pk: Awaiting() for pk in ids}
    for pk, decisions in decisions_awaiting_by_person(ids).items():
        out[pk].decisions = decisions
    for pk, tasks in reports_awaiting_by_person(people, now=now).items():
        out[pk].reports = tasks
    leads = Membership.objects.filter(user_id__in=ids, role=Role.CLIENT_LEAD, project__archived_at__isnull=True)
    for plan_id, user_id in (
        CommunicationPlan.objects.awaiting_sign_off()
        .filter(project__memberships__in=leads)
        .annotate(lead_id=F("project__memberships__user_id"))
        .order_by("project__name")
        .values_list("pk", "lead_id")
    ):
        out[user_id].sign_offs.append(plan_id)
    for attendance in Attendance.objects.filter(
        user_id__in=ids, rsvp=Rsvp.NONE, meeting__status=MeetingStatus.SCHEDULED,
        meeting__starts_at__gt=now, meeting__starts_at__lt=now + dt.timedelta(days=rsvp_days),
    ).select_related("meeting").order_by("meeting__starts_at", "pk"):
        out[attendance.user_id].rsvps.append(attendance)
    return out


# --- the preferences rule ---------------------------------------------------------------------------


def person_owes_answers(*, user) -> bool:
    """True while the person owns an open task or a decision waits for their answer (two queries at most): while
    it holds, `portal.accounts.services.preferences_update` keeps nudges or the weekly digest on."""
    if Task.objects.open().visible_to_clients().filter(owner=user).exists():
        return True
    return Decision.objects.awaiting(user).exists()


__all__ = [
    "Awaiting",
    "approval_awaited_from",
    "approvers",
    "awaiting_summary",
    "decision_awaits",
    "decision_ids_awaiting",
    "decisions_awaiting",
    "decisions_awaiting_anyone",
    "decisions_awaiting_by_person",
    "person_owes_answers",
    "report_awaited",
    "reports_awaiting",
    "reports_awaiting_by_person",
    "rsvps_awaiting",
    "sign_off_awaiting",
]
