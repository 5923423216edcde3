"""Every API endpoint × every persona → the expected status; a denied call changes nothing.

`test_every_endpoint_has_a_matrix_entry` walks the URL configuration, so a new
route under /api/v1/ without an entry here fails the suite.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conversations.models import Attachment, Comment, Notification
from conversations.services import attach_file
from engagement import models as em
from portal.outbox.models import OutboundMessage
from projects import models as pm
from tests.conftest import PERSONAS

ALL = frozenset(PERSONAS) - {"anonymous"}
MEMBERS = frozenset({"client", "client_lead", "team", "manager"})
STAFF = frozenset({"team", "manager"})
MANAGER = frozenset({"manager"})


def rule(ok: int, allowed=MEMBERS, **special) -> dict:
    """Statuses per persona: `ok` for the allowed, 403 for other members, 404 for people outside, 401 anonymous."""
    out = {"anonymous": 401, "outsider": 404, "other_client": 404}
    for persona in MEMBERS:
        out[persona] = ok if persona in allowed else 403
    out.update(special)
    return out


def slug(w, o):
    return {"slug": w.project.slug}


def obj(attr):
    return lambda w, o: {"slug": w.project.slug, "pk": getattr(o, attr).pk}


def managers_filter(w, o):
    return {"pk": pm.SavedTaskFilter.objects.get_or_create(user=w.manager, name="Mine", defaults={"filters": {"status": "all"}})[0].pk}


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"


def a_file(attr):
    """A file the client attached to the object (made when the address is built, before the fingerprint)."""

    def kwargs(w, o):
        target = getattr(o, attr)
        attachment = attach_file(actor=w.client, target=target, upload=SimpleUploadedFile("brief.pdf", PDF))
        return {"slug": w.project.slug, "pk": target.pk, "file_id": attachment.pk}

    return kwargs


def files_body(w, o, p):
    return {"files": [SimpleUploadedFile("notes.pdf", PDF)]}


# Uploads are multipart; every other call is JSON.
MULTIPART = frozenset(f"{field}-file-list" for field in ("task", "decision", "meeting", "risk"))

# "My tasks" is the team's: people of a staff kind (members or not) get their own; client people 404.
TEAM_PEOPLE = frozenset({"outsider", "team", "manager"})
PEOPLE_OF_THE_TEAM = {"anonymous": 401, **{p: 200 if p in TEAM_PEOPLE else 404 for p in ALL}}


def later(days=10):
    return (timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


# (url name, method): (kwargs(world, objects), body(world, objects, persona), statuses)
MATRIX = {
    ("auth-token", "post"): (
        lambda w, o: {},
        lambda w, o, p: {"email": p.email if p else "nobody@example.com", "password": "correct-horse-battery"},
        {**{p: 201 for p in ALL}, "anonymous": 400},
    ),
    ("auth-tokens", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("auth-token-detail", "delete"): (
        lambda w, o: {"token_id": "persona0"},
        None,
        {**{p: 204 for p in ALL}, "anonymous": 401},
    ),
    ("me", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("me", "patch"): (lambda w, o: {}, lambda w, o, p: {"digest_hour": 9}, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("project-list", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("project-list", "post"): (
        lambda w, o: {},
        lambda w, o, p: {"client": w.project.client_id, "name": "Brand new"},
        {"anonymous": 401, "outsider": 201, "other_client": 403, "client": 403, "client_lead": 403, "team": 201, "manager": 201},
    ),
    ("project-detail", "get"): (slug, None, rule(200)),
    ("project-detail", "patch"): (slug, lambda w, o, p: {"description": "New words"}, rule(200, MANAGER)),
    ("project-archive", "post"): (slug, None, rule(200, MANAGER)),
    ("membership-list", "get"): (slug, None, rule(200)),
    ("membership-list", "post"): (slug, lambda w, o, p: {"user": o.newcomer.pk, "role": "team"}, rule(201, MANAGER)),
    ("membership-detail", "get"): (obj("team_membership"), None, rule(200)),
    ("membership-detail", "patch"): (obj("client_membership"), lambda w, o, p: {"role": "client_lead"}, rule(200, MANAGER)),
    ("membership-detail", "delete"): (obj("team_membership"), None, rule(204, MANAGER)),
    ("invitation-list", "get"): (slug, None, rule(200, MANAGER)),
    ("invitation-list", "post"): (slug, lambda w, o, p: {"email": "olga@acme.example", "role": "client"}, rule(201, MANAGER)),
    ("invitation-resend", "post"): (obj("invitation"), None, rule(200, MANAGER)),
    ("invitation-revoke", "post"): (obj("invitation"), None, rule(200, MANAGER)),
    ("my-task-list", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("task-list", "get"): (slug, None, rule(200)),
    ("task-list", "post"): (
        slug,
        lambda w, o, p: {"title": "Send logos", "owner": w.client.pk},
        rule(201, {"client_lead", "team", "manager"}),
    ),
    ("task-detail", "get"): (obj("task"), None, rule(200)),
    ("task-detail", "patch"): (obj("task"), lambda w, o, p: {"title": "Renamed"}, rule(200, {"client_lead", "team", "manager"})),
    ("task-assign", "post"): (obj("task"), lambda w, o, p: {"owner": w.client_lead.pk}, rule(200, {"client_lead", "team", "manager"})),
    ("task-complete", "post"): (obj("task"), lambda w, o, p: {}, rule(200)),
    ("task-cancel", "post"): (obj("task"), lambda w, o, p: {"reason": "Not needed"}, rule(200, {"client_lead", "team", "manager"})),
    ("report-list", "get"): (obj("task"), None, rule(200)),
    ("report-list", "post"): (
        obj("task"),
        lambda w, o, p: {"percent": 50, "state": "on_track", "note": "Half way"},
        rule(201, {"client", "client_lead", "manager"}),
    ),
    ("risk-list", "get"): (slug, None, rule(200)),
    ("risk-list", "post"): (slug, lambda w, o, p: {"title": "Late content", "kind": "risk", "severity": "high"}, rule(201)),
    ("risk-detail", "get"): (obj("risk"), None, rule(200)),
    ("risk-detail", "patch"): (obj("risk"), lambda w, o, p: {"severity": "critical"}, rule(200, STAFF)),
    ("risk-close", "post"): (obj("risk"), lambda w, o, p: {"resolution": "Content arrived"}, rule(200, STAFF)),
    ("audit-list", "get"): (slug, None, rule(200, STAFF)),
    ("plan", "get"): (slug, None, rule(200)),
    ("plan", "patch"): (slug, lambda w, o, p: {"expectations": "Reports every Friday"}, rule(200, MANAGER)),
    ("plan-request-sign-off", "post"): (slug, None, rule(200, MANAGER)),
    ("plan-sign-off", "post"): (slug, lambda w, o, p: {"version": o.plan.version}, rule(200, {"client_lead"})),
    ("plan-version-list", "get"): (slug, None, rule(200, {"client_lead", "team", "manager"})),
    ("plan-version-compare", "get"): (
        slug, lambda w, o, p: {"from_version": o.plan.version, "to_version": o.plan.version}, rule(200, {"client_lead", "team", "manager"})
    ),
    ("stakeholder-list", "get"): (slug, None, rule(200)),
    ("stakeholder-list", "post"): (
        slug,
        lambda w, o, p: {"side": "client", "user": w.client_lead.pk, "is_primary": True},
        rule(201, MANAGER),
    ),
    ("stakeholder-detail", "get"): (obj("stakeholder"), None, rule(200)),
    ("stakeholder-detail", "patch"): (obj("stakeholder"), lambda w, o, p: {"responsibility": "Design"}, rule(200, MANAGER)),
    ("stakeholder-detail", "delete"): (obj("stakeholder"), None, rule(204, MANAGER)),
    ("series-list", "get"): (slug, None, rule(200)),
    ("series-list", "post"): (
        slug,
        lambda w, o, p: {
            "title": "Design review",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "first_start_local": later(3)[:19],
            "time_zone": "Europe/Moscow",
            "attendees": [w.manager.pk, w.client.pk],
        },
        rule(201, STAFF),
    ),
    ("series-detail", "get"): (obj("series"), None, rule(200)),
    ("series-detail", "patch"): (obj("series"), lambda w, o, p: {"location": "Room 2"}, rule(200, STAFF)),
    ("series-end", "post"): (obj("series"), lambda w, o, p: {"reason": "Project paused"}, rule(200, STAFF)),
    ("meeting-list", "get"): (slug, None, rule(200)),
    ("meeting-list", "post"): (
        slug,
        lambda w, o, p: {"title": "Kick-off", "starts_at": later(5), "attendees": [w.manager.pk, w.client.pk]},
        rule(201, STAFF),
    ),
    ("meeting-detail", "get"): (obj("meeting"), None, rule(200)),
    ("meeting-detail", "patch"): (obj("meeting"), lambda w, o, p: {"agenda": "1. Logos"}, rule(200, STAFF)),
    ("meeting-rsvp", "post"): (obj("meeting"), lambda w, o, p: {"answer": "yes"}, rule(200)),
    ("meeting-hold", "post"): (
        obj("past_meeting"),
        lambda w, o, p: {"minutes": "Agreed the layout", "attended": [w.manager.pk, w.client.pk]},
        rule(200, STAFF),
    ),
    ("meeting-cancel", "post"): (obj("meeting"), lambda w, o, p: {"reason": "Holiday"}, rule(200, STAFF)),
    ("meeting-reschedule", "post"): (obj("meeting"), lambda w, o, p: {"starts_at": later(4)}, rule(200, STAFF)),
    ("meeting-attendance", "get"): (obj("meeting"), None, rule(200)),
    ("decision-list", "get"): (slug, None, rule(200)),
    ("decision-list", "post"): (slug, lambda w, o, p: {"title": "Use SSO", "decision": "SSO"}, rule(201, MANAGER)),
    ("decision-propose", "post"): (slug, lambda w, o, p: {"title": "Use SSO", "decision": "SSO"}, rule(201, STAFF)),
    ("decision-detail", "get"): (obj("decision"), None, rule(200)),
    ("decision-approve", "post"): (obj("proposal"), None, rule(200, MANAGER)),
    ("decision-reject", "post"): (obj("proposal"), None, rule(200, MANAGER)),
    ("decision-supersede", "post"): (obj("decision"), lambda w, o, p: {"successor": o.successor.pk}, rule(200, MANAGER)),
    ("decision-responses", "get"): (obj("decision"), None, rule(200)),
    ("decision-responses", "post"): (obj("decision"), lambda w, o, p: {"kind": "approved"}, rule(201, {"client", "client_lead"})),
    ("health-list", "get"): (slug, None, rule(200, STAFF)),
    ("milestone-list", "get"): (slug, None, rule(200)),
    ("milestone-list", "post"): (slug, lambda w, o, p: {"name": "Beta", "date": "2030-01-01"}, rule(201, MANAGER)),
    ("milestone-detail", "get"): (obj("milestone"), None, rule(200)),
    ("milestone-detail", "patch"): (obj("milestone"), lambda w, o, p: {"name": "Beta 2"}, rule(200, MANAGER)),
    ("milestone-detail", "delete"): (obj("milestone"), None, rule(204, MANAGER)),
    ("me-absence-list", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("me-absence-list", "post"): (
        lambda w, o: {}, lambda w, o, p: {"starts_on": "2031-03-01", "ends_on": "2031-03-02"},
        {**{p: 201 for p in ALL}, "anonymous": 401},
    ),
    ("me-absence-detail", "delete"): (
        lambda w, o: {"pk": o.absence.pk}, None, {**{p: 404 for p in ALL}, "client": 204, "anonymous": 401},
    ),
    ("project-absence-list", "get"): (slug, None, rule(200, MANAGER)),
    ("project-absence-list", "post"): (
        slug, lambda w, o, p: {"person": w.client.pk, "starts_on": "2031-03-01", "ends_on": "2031-03-02"}, rule(201, MANAGER),
    ),
    ("project-absence-detail", "delete"): (obj("absence"), None, rule(204, MANAGER)),
    ("quiet-period-list", "get"): (slug, None, rule(200)),
    ("quiet-period-list", "post"): (slug, lambda w, o, p: {"starts_on": "2031-03-01", "ends_on": "2031-03-02"}, rule(201, MANAGER)),
    ("quiet-period-detail", "delete"): (obj("quiet_period"), None, rule(204, MANAGER)),
    ("search", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("digest-list", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("me-task-list", "get"): (lambda w, o: {}, None, PEOPLE_OF_THE_TEAM),
    ("me-task-filter-list", "get"): (lambda w, o: {}, None, PEOPLE_OF_THE_TEAM),
    ("me-task-filter-list", "post"): (lambda w, o: {}, lambda w, o, p: {"name": "Late"}, {**PEOPLE_OF_THE_TEAM, **{p: 201 for p in TEAM_PEOPLE}}),
    ("me-task-filter-detail", "get"): (managers_filter, None, {**PEOPLE_OF_THE_TEAM, "team": 404, "outsider": 404}),
    ("me-task-filter-detail", "patch"): (
        managers_filter, lambda w, o, p: {"name": "Renamed"}, {**PEOPLE_OF_THE_TEAM, "team": 404, "outsider": 404}
    ),
    ("me-task-filter-detail", "delete"): (managers_filter, None, {**PEOPLE_OF_THE_TEAM, "manager": 204, "team": 404, "outsider": 404}),
    ("digest-detail", "get"): (
        lambda w, o: {"pk": o.digest.pk},
        None,
        {**{p: 404 for p in ALL}, "client": 200, "anonymous": 401},
    ),
    **{
        (f"{field}-comment-list", method): (obj(field), body, rule(status))
        for field in ("task", "decision", "meeting", "risk")
        for method, body, status in (("get", None, 200), ("post", lambda w, o, p: {"body": "Is it final?"}, 201))
    },
    **{
        key: value
        for field in ("task", "decision", "meeting", "risk")
        for key, value in (
            ((f"{field}-file-list", "get"), (obj(field), None, rule(200))),
            ((f"{field}-file-list", "post"), (obj(field), files_body, rule(201))),
            ((f"{field}-file-detail", "get"), (a_file(field), None, rule(200))),
            ((f"{field}-file-detail", "delete"), (a_file(field), None, rule(204, {"client", "manager"}))),
            ((f"{field}-file-download", "get"), (a_file(field), None, rule(200))),
        )
    },
    ("comment-detail", "get"): (obj("comment"), None, rule(200)),
    ("comment-detail", "patch"): (obj("comment"), lambda w, o, p: {"body": "Is it final now?"}, rule(200, {"client"})),
    ("comment-detail", "delete"): (obj("comment"), None, rule(204, {"client", "manager"})),
    ("mentionable-list", "get"): (slug, None, rule(200)),
    ("inbox", "get"): (lambda w, o: {}, None, {**{p: 200 for p in ALL}, "anonymous": 401}),
    ("inbox-read", "post"): (lambda w, o: {}, lambda w, o, p: {}, {**{p: 200 for p in ALL}, "anonymous": 401}),
}

WATCHED = (
    pm.Project, pm.Membership, pm.Invitation, pm.Task, pm.ProgressReport, pm.Risk, pm.AuditEvent,
    em.CommunicationPlan, em.Stakeholder, em.MeetingSeries, em.Meeting, em.Attendance, em.Decision,
    em.DecisionResponse, em.Absence, em.QuietPeriod, OutboundMessage, Token, Comment, Notification, pm.SavedTaskFilter, Attachment,
)


def fingerprint() -> dict:
    """Row counts and the versions of every versioned row: a denied call must leave all of it as it was."""
    out = {model.__name__: model.objects.count() for model in WATCHED}
    for model in (pm.Task, pm.Risk, em.CommunicationPlan, em.Meeting, em.Decision):
        out[f"{model.__name__}.versions"] = sorted(model.objects.values_list("pk", "version"))
    out["Attendance.rsvp"] = sorted(em.Attendance.objects.values_list("pk", "rsvp"))
    out["User.digest_hour"] = sorted(pm.Membership.objects.values_list("user_id", "user__digest_hour"))
    out["Membership.roles"] = sorted(pm.Membership.objects.values_list("pk", "role"))
    out["Stakeholder.rows"] = sorted(em.Stakeholder.objects.values_list("pk", "responsibility"))
    out["Project.rows"] = sorted(pm.Project.objects.values_list("pk", "description", "archived_at"))
    out["Invitation.rows"] = sorted(pm.Invitation.objects.values_list("pk", "sent_count", "revoked_at"))
    out["SavedTaskFilter.rows"] = sorted(pm.SavedTaskFilter.objects.values_list("pk", "name", "is_default"))
    out["Series.rows"] = sorted(em.MeetingSeries.objects.values_list("pk", "location", "ended_at"))
    out["Comment.rows"] = sorted(Comment.objects.values_list("pk", "body", "removed_at"))
    out["Attachment.rows"] = sorted(Attachment.objects.values_list("pk", "removed_at"))
    return out


CASES = [(name, method, persona) for (name, method) in MATRIX for persona in PERSONAS]


@pytest.mark.parametrize(("name", "method", "persona"), CASES, ids=[f"{m.upper()} {n} as {p}" for n, m, p in CASES])
def test_permission_matrix(api, world, objects, django_capture_on_commit_callbacks, name, method, persona):
    kwargs_fn, body_fn, expected = MATRIX[(name, method)]
    user = world.persona(persona)
    if name == "auth-token-detail" and user is not None:
        token = Token.objects.create(user=user)
        kwargs = {"token_id": token.key[:8]}
    else:
        kwargs = kwargs_fn(world, objects)
    url = reverse(f"api:{name}", kwargs=kwargs)
    body = body_fn(world, objects, user) if body_fn else None
    client = api if name == "auth-token" else api.as_(user)
    before = fingerprint()

    with django_capture_on_commit_callbacks() as callbacks:
        response = getattr(client, method)(url, body, format="multipart" if name in MULTIPART else "json")

    assert response.status_code == expected[persona], response.content
    if response.status_code >= 400:
        body = response.json()
        assert set(body) >= {"detail", "code"}
        assert fingerprint() == before
        assert callbacks == []
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"


def _api_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            yield route, entry


def test_every_endpoint_has_a_matrix_entry():
    missing = []
    routes = list(_api_routes())
    assert len(routes) > 40
    for route, entry in routes:
        view = entry.callback.view_class
        methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
        for method in methods:
            if (entry.name, method) not in MATRIX:
                missing.append(f"{method.upper()} /{route} ({entry.name})")
    assert missing == []


def test_matrix_names_exist():
    names = {entry.name for _route, entry in _api_routes()}
    assert {name for name, _method in MATRIX} <= names
