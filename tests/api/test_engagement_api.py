"""Plan, stakeholders, meetings, decisions, health and digests through the API: the response and the database."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from engagement.models import (
    Attendance,
    CommunicationPlan,
    Decision,
    DecisionResponse,
    Meeting,
    MeetingSeries,
    Stakeholder,
)
from tests import factories as f


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def soon(days):
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0, second=0, minute=0)


def test_plan_of_a_project_without_one_reads_empty(api, world):
    response = api.as_(world.client).get(url("plan", slug="acme-portal"))
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response["ETag"] == '"1"'
    assert not CommunicationPlan.objects.exists()


def test_plan_update_raises_the_version_and_checks_if_match(api, world, objects):
    client = api.as_(world.manager)
    updated = client.patch(url("plan", slug="acme-portal"), {"client_response_hours": 24}, format="json", HTTP_IF_MATCH='"1"')
    assert updated.status_code == 200
    assert updated["ETag"] == '"2"'
    stale = client.patch(url("plan", slug="acme-portal"), {"client_response_hours": 12}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    objects.plan.refresh_from_db()
    assert (objects.plan.client_response_hours, objects.plan.version) == (24, 2)


def test_plan_sign_off_flow(api, world, objects):
    requested = api.as_(world.manager).post(url("plan-request-sign-off", slug="acme-portal"))
    assert requested.json()["sign_off_requested_at"] is not None
    old = api.as_(world.client_lead).post(url("plan-sign-off", slug="acme-portal"), {"version": 9}, format="json")
    assert old.status_code == 400
    assert old.json()["code"] == "plan_outdated"
    signed = api.as_(world.client_lead).post(url("plan-sign-off", slug="acme-portal"), {"version": 1}, format="json")
    assert signed.status_code == 200
    assert signed.json()["is_signed_off"] is True
    objects.plan.refresh_from_db()
    assert (objects.plan.signed_off_by, objects.plan.signed_off_version) == (world.client_lead, 1)


def test_stakeholders_add_update_remove(api, world, objects):
    client = api.as_(world.manager)
    added = client.post(
        url("stakeholder-list", slug="acme-portal"), {"side": "client", "user": world.client_lead.pk, "is_primary": True, "raci": "A"}, format="json"
    )
    assert added.status_code == 201
    stakeholder = Stakeholder.objects.get(pk=added.json()["id"])
    assert (stakeholder.user, stakeholder.is_primary, stakeholder.raci) == (world.client_lead, True, "A")

    backup = client.post(
        url("stakeholder-list", slug="acme-portal"), {"side": "client", "user": world.client.pk, "backup_for": stakeholder.pk}, format="json"
    )
    assert backup.json()["backup_for"] == stakeholder.pk

    updated = client.patch(url("stakeholder-detail", slug="acme-portal", pk=stakeholder.pk), {"channel": "phone"}, format="json")
    assert updated.json()["channel"] == "phone"
    removed = client.delete(url("stakeholder-detail", slug="acme-portal", pk=objects.stakeholder.pk))
    assert removed.status_code == 204
    assert not Stakeholder.objects.filter(pk=objects.stakeholder.pk).exists()
    listed = api.as_(world.client).get(url("stakeholder-list", slug="acme-portal")).json()["results"]
    assert {s["user"]["id"] for s in listed} == {world.client_lead.pk, world.client.pk}


def test_second_primary_on_a_side_is_a_field_error(api, world, objects):
    objects.stakeholder.is_primary = True
    objects.stakeholder.save()
    response = api.as_(world.manager).post(
        url("stakeholder-list", slug="acme-portal"), {"side": "team", "user": world.manager.pk, "is_primary": True}, format="json"
    )
    assert response.status_code == 400
    assert "is_primary" in response.json()["fields"]
    assert objects.plan.stakeholders.count() == 1


def test_series_create_materialises_meetings(api, world):
    first = soon(3)
    response = api.as_(world.team).post(
        url("series-list", slug="acme-portal"),
        {
            "title": "Weekly check-in",
            "rrule": "FREQ=WEEKLY;COUNT=4",
            "first_start_local": first.strftime("%Y-%m-%dT%H:%M:%S"),
            "time_zone": "UTC",
            "attendees": [world.manager.pk, world.client.pk],
        },
        format="json",
    )
    assert response.status_code == 201
    series = MeetingSeries.objects.get(pk=response.json()["id"])
    assert response.json()["attendees"] == sorted([world.manager.pk, world.client.pk])
    assert series.meetings.count() == 4
    assert Attendance.objects.filter(meeting__series=series, user=world.client).count() == 4


def test_series_bad_rrule_is_a_field_error(api, world):
    response = api.as_(world.manager).post(
        url("series-list", slug="acme-portal"),
        {"title": "Bad", "rrule": "FREQ=SOMETIMES", "first_start_local": "2030-01-01T10:00:00", "time_zone": "UTC"},
        format="json",
    )
    assert response.status_code == 400
    assert not MeetingSeries.objects.filter(title="Bad").exists()


def test_series_update_and_end(api, world, objects):
    client = api.as_(world.manager)
    updated = client.patch(url("series-detail", slug="acme-portal", pk=objects.series.pk), {"location": "Room 2"}, format="json")
    assert updated.json()["location"] == "Room 2"
    ended = client.post(url("series-end", slug="acme-portal", pk=objects.series.pk), {"reason": "Paused"}, format="json")
    assert ended.json()["ended_at"] is not None
    objects.meeting.refresh_from_db()
    assert (objects.meeting.status, objects.meeting.cancel_reason) == ("cancelled", "Paused")


def test_meeting_create_one_off(api, world):
    response = api.as_(world.manager).post(
        url("meeting-list", slug="acme-portal"),
        {"title": "Kick-off", "starts_at": soon(5).isoformat(), "duration_minutes": 60, "attendees": [world.client.pk]},
        format="json",
    )
    assert response.status_code == 201
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert meeting.ends_at - meeting.starts_at == dt.timedelta(minutes=60)
    assert [a["user"]["id"] for a in response.json()["attendance"]] == [world.client.pk]


def test_meeting_list_filters_upcoming(api, world, objects):
    upcoming = api.as_(world.client).get(url("meeting-list", slug="acme-portal"), {"upcoming": "true"}).json()["results"]
    past = api.as_(world.client).get(url("meeting-list", slug="acme-portal"), {"upcoming": "false"}).json()["results"]
    assert [m["id"] for m in upcoming] == [objects.meeting.pk]
    assert [m["id"] for m in past] == [objects.past_meeting.pk]


def test_rsvp_sets_my_answer(api, world, objects):
    response = api.as_(world.client).post(url("meeting-rsvp", slug="acme-portal", pk=objects.meeting.pk), {"answer": "maybe"}, format="json")
    assert response.status_code == 200
    mine = [a for a in response.json()["attendance"] if a["user"]["id"] == world.client.pk]
    assert mine[0]["rsvp"] == "maybe"
    assert Attendance.objects.get(meeting=objects.meeting, user=world.client).rsvp == "maybe"


def test_rsvp_by_a_member_who_is_not_invited_is_403(api, world):
    meeting = f.MeetingFactory(project=world.project)
    response = api.as_(world.client).post(url("meeting-rsvp", slug="acme-portal", pk=meeting.pk), {"answer": "yes"}, format="json")
    assert response.status_code == 403
    assert not Attendance.objects.filter(meeting=meeting).exists()


def test_hold_records_minutes_attendance_and_outcomes(api, world, objects):
    response = api.as_(world.team).post(
        url("meeting-hold", slug="acme-portal", pk=objects.past_meeting.pk),
        {
            "minutes": "Agreed the layout.",
            "attended": [world.manager.pk, world.client.pk],
            "outcomes": [{"kind": "task", "title": "Send logo files", "owner_id": world.client.pk}],
        },
        format="json",
    )
    assert response.status_code == 200
    meeting = objects.past_meeting
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == ("held", "Agreed the layout.")
    attended = set(Attendance.objects.filter(meeting=meeting, attended=True).values_list("user_id", flat=True))
    assert attended == {world.manager.pk, world.client.pk}
    assert list(meeting.outcome_tasks.values_list("title", flat=True)) == ["Send logo files"]


def test_unshared_minutes_are_hidden_from_clients(api, world):
    meeting = f.MeetingFactory(project=world.project, minutes="Internal talk", minutes_shared=False, status="held")
    client_view = api.as_(world.client).get(url("meeting-detail", slug="acme-portal", pk=meeting.pk)).json()
    staff_view = api.as_(world.team).get(url("meeting-detail", slug="acme-portal", pk=meeting.pk)).json()
    assert (client_view["minutes"], staff_view["minutes"]) == ("", "Internal talk")


def test_cancel_needs_a_reason_and_keeps_the_row(api, world, objects):
    path = url("meeting-cancel", slug="acme-portal", pk=objects.meeting.pk)
    missing = api.as_(world.manager).post(path, {"reason": ""}, format="json")
    assert missing.status_code == 400
    cancelled = api.as_(world.manager).post(path, {"reason": "Holiday"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    objects.meeting.refresh_from_db()
    assert (objects.meeting.status, objects.meeting.cancel_reason, objects.meeting.sequence) == ("cancelled", "Holiday", 1)


def test_reschedule_moves_the_meeting(api, world, objects):
    old_start = objects.meeting.starts_at
    new_start = soon(6)
    response = api.as_(world.manager).post(
        url("meeting-reschedule", slug="acme-portal", pk=objects.meeting.pk), {"starts_at": new_start.isoformat()}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    objects.meeting.refresh_from_db()
    assert (objects.meeting.starts_at, objects.meeting.rescheduled_from) == (new_start, old_start)
    assert response["ETag"] == f'"{objects.meeting.version}"'


def test_agenda_patch_and_attendance_list(api, world, objects):
    patched = api.as_(world.team).patch(url("meeting-detail", slug="acme-portal", pk=objects.meeting.pk), {"agenda": "1. Logos"}, format="json")
    assert patched.json()["agenda"] == "1. Logos"
    objects.meeting.refresh_from_db()
    assert objects.meeting.agenda == "1. Logos"
    attendance = api.as_(world.client).get(url("meeting-attendance", slug="acme-portal", pk=objects.meeting.pk)).json()
    assert len(attendance) == 4


def test_decision_record_and_propose(api, world):
    recorded = api.as_(world.manager).post(
        url("decision-list", slug="acme-portal"), {"title": "Use SSO", "decision": "SSO", "impact": "high"}, format="json"
    )
    assert recorded.status_code == 201
    assert recorded.json()["status"] == "approved"
    proposed = api.as_(world.team).post(url("decision-propose", slug="acme-portal"), {"title": "Drop IE"}, format="json")
    assert proposed.json()["status"] == "proposed"
    assert set(Decision.objects.values_list("title", "recorded_by")) == {("Use SSO", world.manager.pk), ("Drop IE", world.team.pk)}


def test_decision_linked_to_a_task_of_another_project_is_refused(api, world):
    foreign = f.TaskFactory(project=world.other_project, owner=world.manager)
    response = api.as_(world.manager).post(url("decision-list", slug="acme-portal"), {"title": "X", "task": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "task" in response.json()["fields"]
    assert not Decision.objects.filter(title="X").exists()


def test_client_approves_and_the_decision_follows(api, world, objects):
    lead = api.as_(world.client_lead).post(url("decision-responses", slug="acme-portal", pk=objects.decision.pk), {"kind": "approved"}, format="json")
    assert lead.status_code == 201
    response = DecisionResponse.objects.get(decision=objects.decision, user=world.client_lead)
    assert (response.kind, response.via) == ("approved", "api")
    objects.decision.refresh_from_db()
    assert objects.decision.status == "approved"
    twice = api.as_(world.client_lead).post(url("decision-responses", slug="acme-portal", pk=objects.decision.pk), {"kind": "objected"}, format="json")
    assert twice.status_code == 400
    listed = api.as_(world.manager).get(url("decision-responses", slug="acme-portal", pk=objects.decision.pk)).json()["results"]
    assert [(r["user"]["id"], r["kind"]) for r in listed] == [(world.client_lead.pk, "approved")]


def test_approve_reject_supersede(api, world, objects):
    client = api.as_(world.manager)
    approved = client.post(url("decision-approve", slug="acme-portal", pk=objects.proposal.pk))
    assert approved.json()["status"] == "approved"
    superseded = client.post(url("decision-supersede", slug="acme-portal", pk=objects.proposal.pk), {"successor": objects.successor.pk}, format="json")
    assert superseded.json()["superseded_by"] == objects.successor.pk
    objects.proposal.refresh_from_db()
    assert (objects.proposal.status, objects.proposal.superseded_by) == ("superseded", objects.successor)
    proposal = f.DecisionFactory(project=world.project, status="proposed", involvement="consulted")
    rejected = client.post(url("decision-reject", slug="acme-portal", pk=proposal.pk))
    assert rejected.json()["status"] == "rejected"


def test_supersede_by_a_decision_of_another_project_is_refused_like_a_missing_id(api, world, objects):
    foreign = f.DecisionFactory(project=world.other_project, status="approved")
    response = api.as_(world.manager).post(url("decision-supersede", slug="acme-portal", pk=objects.successor.pk), {"successor": foreign.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"successor": ["There is no such decision in this project."]}
    objects.successor.refresh_from_db()
    assert objects.successor.status == "approved"


def test_internal_decision_is_hidden_from_clients(api, world):
    hidden = f.DecisionFactory(project=world.project, internal=True)
    listed = api.as_(world.client_lead).get(url("decision-list", slug="acme-portal")).json()["results"]
    assert hidden.pk not in [d["id"] for d in listed]
    assert api.as_(world.client_lead).get(url("decision-detail", slug="acme-portal", pk=hidden.pk)).status_code == 404


def test_health_snapshots_for_staff(api, world, objects):
    f.HealthSnapshotFactory(project=world.other_project)
    person = f.HealthSnapshotFactory(project=world.project, person=world.client, score=55, level="watch")
    body = api.as_(world.team).get(url("health-list", slug="acme-portal")).json()
    assert {s["id"] for s in body["results"]} == {objects.snapshot.pk, person.pk}
    only_project = api.as_(world.team).get(url("health-list", slug="acme-portal"), {"project_only": "true"}).json()["results"]
    assert [s["id"] for s in only_project] == [objects.snapshot.pk]
    assert api.as_(world.client_lead).get(url("health-list", slug="acme-portal")).status_code == 403


def test_digests_are_my_own_only(api, world, objects):
    f.DigestFactory(recipient=world.client_lead, iso_week="2026-W47")
    mine = api.as_(world.client).get(url("digest-list")).json()["results"]
    assert [d["id"] for d in mine] == [objects.digest.pk]
    detail = api.as_(world.client).get(url("digest-detail", pk=objects.digest.pk)).json()
    assert detail["body_text"] == "Nothing due"
    assert api.as_(world.client_lead).get(url("digest-detail", pk=objects.digest.pk)).status_code == 404


def test_decisions_awaiting_me_follow_the_one_rule(api, world):
    # given: only the proposal awaits the lead; the approved approval and the rejected one ask nothing any more
    proposal = f.DecisionFactory(project=world.project, title="Pick the CMS", involvement="approval")
    f.DecisionFactory(project=world.project, title="Use SSO", involvement="approval", status="approved")
    f.DecisionFactory(project=world.project, title="Drop the blog", involvement="consulted", status="rejected")
    lead = api.as_(world.client_lead)

    # when
    mine = lead.get(url("decision-list", slug="acme-portal"), {"awaiting_me": "true"}).json()["results"]
    others = lead.get(url("decision-list", slug="acme-portal"), {"awaiting_me": "false"}).json()["results"]

    # then
    assert [d["id"] for d in mine] == [proposal.pk]
    assert proposal.pk not in [d["id"] for d in others] and len(others) >= 2
    assert api.as_(world.manager).get(url("decision-list", slug="acme-portal"), {"awaiting_me": "true"}).json()["results"] == []
