"""Builders for hand-made histories used by the health tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from engagement import models as em
from projects import models as pm
from tests import factories as f

UTC = dt.UTC


def at(value: str, tz: str = "UTC") -> dt.datetime:
    """'2025-04-03 16:20' in `tz`, as an aware UTC datetime."""
    return dt.datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def set_created(obj, when: dt.datetime) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)
    obj.created_at = when


def project(name: str = "Acme website relaunch", tz: str = "Europe/Berlin", start: dt.date | None = None, created=None):
    client = f.ClientFactory(name=f"{name} client", time_zone=tz)
    manager = f.StaffFactory(full_name=f"{name} PM")
    proj = f.ProjectFactory(client=client, manager=manager, name=name, start_date=start, target_launch=None)
    pm.Membership.objects.create(project=proj, user=manager, role=pm.Role.MANAGER)
    if created:
        set_created(proj, created)
    return proj


def person(proj, name: str, role=pm.Role.CLIENT, joined: dt.datetime | None = None):
    user = f.ClientUserFactory(full_name=name, organisation=proj.client, time_zone=proj.client.time_zone)
    membership = pm.Membership.objects.create(project=proj, user=user, role=role)
    if joined:
        set_created(membership, joined)
    return user


def task(proj, owner, title: str, *, created: dt.datetime, due: dt.date | None, status=pm.TaskStatus.TODO, completed=None, cadence=7):
    t = f.TaskFactory(project=proj, owner=owner, title=title, due_date=due, status=status, completed_at=completed, report_cadence_days=cadence)
    set_created(t, created)
    return t


def report(t, when: dt.datetime, author=None):
    return pm.ProgressReport.objects.create(task=t, author=author or t.owner, created_at=when, percent=50, state=pm.ReportState.ON_TRACK)


def decision(proj, title: str, requested: dt.datetime, *, task=None, involvement=em.Involvement.APPROVAL):
    return f.DecisionFactory(project=proj, title=title, requested_at=requested, task=task, involvement=involvement)


def respond(d, user, when: dt.datetime):
    return em.DecisionResponse.objects.create(decision=d, user=user, kind="approved", at=when)


def meeting(proj, start: dt.datetime, *, status=em.MeetingStatus.HELD, original=None, invited=(), attended=()):
    m = em.Meeting.objects.create(
        project=proj,
        title="Weekly",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        original_start=original,
        rescheduled_from=original,
        status=status,
        cancel_reason="conflict" if status == em.MeetingStatus.CANCELLED else "",
        time_zone=proj.client.time_zone,
    )
    for user in invited:
        em.Attendance.objects.create(
            meeting=m, user=user, attended=(user in attended) if status == em.MeetingStatus.HELD else None
        )
    return m


def plan(proj, *, created: dt.datetime, versions=(), signed=None, signer=None, response_hours=72, **fields):
    p = em.CommunicationPlan.objects.create(
        project=proj,
        version=max([v for v, _ in versions], default=1),
        expectations="Weekly status, answers within 3 days.",
        client_response_hours=response_hours,
        escalation_path=fields.pop("escalation_path", "PM, then sponsor"),
        signed_off_version=signed[0] if signed else None,
        signed_off_at=signed[1] if signed else None,
        signed_off_by=signer if signed else None,
        **fields,
    )
    set_created(p, created)
    for version, when in versions:
        v = em.PlanVersion.objects.create(plan=p, version=version, content={})
        em.PlanVersion.objects.filter(pk=v.pk).update(created_at=when)
    return p


def stakeholder(p, user, side, *, primary=False, backup_for=None):
    return em.Stakeholder.objects.create(plan=p, user=user, side=side, is_primary=primary, backup_for=backup_for)
