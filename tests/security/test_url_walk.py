"""Walk the whole URL configuration (HTML, API and admin) as every persona, with objects of a project
none of them belongs to: the answer is 404 / 403 / 405 / the log-in redirect / 401, never a page with the
other project's text, never a 5xx, and nothing in the database changes (row counts, the foreign
objects, no on-commit work such as e-mails).

The route tables live in `tests/security/routes.py`; a route missing from them fails
`test_every_route_is_covered` with its name.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from conversations.models import Attachment, Comment, Notification
from engagement.models import QuietPeriod
from portal.outbox.models import Suppression
from projects.models import Membership, Role, SavedTaskFilter
from tests import factories as f
from tests.conftest import PERSONAS
from tests.security import routes as r

MARK = "ZQXFOREIGNZQX"
API_METHODS_EXTRA = ("patch", "put", "delete")
MEMBERS = ("client", "client_lead", "team", "manager")
TRACKED_APPS = {"accounts", "projects", "engagement", "outbox", "authtoken", "conversations"}


def test_every_route_is_covered():
    missing = r.uncovered(r.all_routes())
    assert not missing, f"routes without an entry in tests/security/routes.py: {missing}"


def test_route_tables_name_only_existing_routes():
    names = {route.name for route in r.all_routes()}
    stale = (r.PUBLIC | r.PERSONAL | r.SLUG_ONLY | set(r.PK_OBJECT) | r.FOREIGN_TOKEN) - names
    assert not stale, f"tables name routes that no longer exist: {sorted(stale)}"


def _foreign_world():
    """A third project (another client, another manager) with one object of every kind, all marked."""
    stranger = f.StaffFactory(email="stranger@initech.example", full_name="Sam Stranger")
    initech = f.ClientFactory(name="Initech")
    their_client = f.ClientUserFactory(email="ivan@initech.example", full_name="Ivan Initech", organisation=initech)
    project = f.ProjectFactory(client=initech, manager=stranger, name=f"{MARK} project", slug="initech-secret")
    Membership.objects.create(project=project, user=stranger, role=Role.MANAGER)
    membership = Membership.objects.create(project=project, user=their_client, role=Role.CLIENT_LEAD)
    task = f.TaskFactory(project=project, owner=their_client, title=f"{MARK} task")
    f.ProgressReportFactory(task=task, note=f"{MARK} report")
    risk = f.RiskFactory(project=project, title=f"{MARK} risk")
    plan = f.CommunicationPlanFactory(project=project, expectations=f"{MARK} plan")
    stakeholder = f.StakeholderFactory(plan=plan, user=their_client, responsibility=f"{MARK} stakeholder")
    series = f.MeetingSeriesFactory(project=project, title=f"{MARK} series")
    meeting = f.MeetingFactory(project=project, series=series, title=f"{MARK} meeting", agenda=f"{MARK} agenda")
    f.AttendanceFactory(meeting=meeting, user=their_client)
    decision = f.DecisionFactory(project=project, title=f"{MARK} decision", context=f"{MARK} context")
    f.DecisionResponseFactory(decision=decision, user=their_client)
    milestone = f.MilestoneFactory(project=project, name=f"{MARK} milestone")
    milestone.tasks.add(task)
    invitation = f.InvitationFactory(project=project, email="new@initech.example")
    warning = f.HealthWarningFactory(
        project=project, person=their_client, opened_at=timezone.now() - dt.timedelta(days=1)
    )
    digest = f.DigestFactory(
        recipient=their_client, subject=f"{MARK} digest", body_text=MARK, body_html=f"<p>{MARK}</p>"
    )
    f.AuditEventFactory(project=project, actor=stranger)
    comment = Comment.objects.create(project=project, task=task, author=their_client, body=MARK, body_html=f"<p>{MARK}</p>")
    notification = Notification.objects.create(
        recipient=their_client, kind="mention", project=project, actor=stranger, comment=comment, task=task
    )
    token = Token.objects.create(user=their_client)
    files = {
        f"{field}_file": Attachment.objects.create(
            project=project, uploaded_by=their_client, file=f"attachments/{MARK}-{field}", name=f"{MARK}.png", size=70,
            content_type="image/png", **{field: target},
        )
        for field, target in (("task", task), ("decision", decision), ("meeting", meeting), ("risk", risk))
    }
    objects = {
        **files,
        "comment": comment,
        "notification": notification,
        "task": task,
        "risk": risk,
        "stakeholder": stakeholder,
        "series": series,
        "meeting": meeting,
        "decision": decision,
        "milestone": milestone,
        "invitation": invitation,
        "membership": membership,
        "warning": warning,
        "digest": digest,
        "absence": f.AbsenceFactory(user=their_client, note=f"{MARK} absence"),
        "quiet_period": QuietPeriod.objects.create(project=project, starts_on=dt.date(2030, 1, 1), ends_on=dt.date(2030, 1, 2), reason=f"{MARK} quiet"),
        "saved_filter": SavedTaskFilter.objects.create(user=stranger, name=f"{MARK} filter", filters={"project": project.slug}),
        "suppression": Suppression.objects.create(address=their_client.email, kind="hard", reason=f"{MARK} bounce", source="dsn"),
    }
    return project, objects, token


def _counts_sql() -> str:
    tables = [m._meta.db_table for m in apps.get_models() if m._meta.app_label in TRACKED_APPS and m._meta.managed]
    return "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)  # noqa: S608 - table names from the model registry


def _counts(sql: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def _snapshot(objects: dict) -> dict:
    return {key: model_to_dict(type(obj).objects.get(pk=obj.pk)) for key, obj in objects.items()}


def _requests(route: r.Route, foreign, objects, token, own_slug):
    """(path, personas) for each way the route is called with foreign objects: the foreign project's
    slug for everyone, and for members of the own project also the own slug with a foreign pk."""
    name = route.name
    if name in r.SLUG_ONLY:
        yield reverse(name, kwargs={"slug": foreign.slug}), PERSONAS
    elif name in r.PK_OBJECT and "file_id" in route.kwargs:
        attachment = objects[r.PK_OBJECT[name]]
        yield reverse(name, kwargs={"slug": foreign.slug, "pk": attachment.target_id, "file_id": attachment.pk}), PERSONAS
        yield reverse(name, kwargs={"slug": own_slug, "pk": attachment.target_id, "file_id": attachment.pk}), MEMBERS
    elif name in r.PK_OBJECT:
        pk = objects[r.PK_OBJECT[name]].pk
        if "slug" in route.kwargs:
            yield reverse(name, kwargs={"slug": foreign.slug, "pk": pk}), PERSONAS
            yield reverse(name, kwargs={"slug": own_slug, "pk": pk}), MEMBERS
        else:
            yield reverse(name, kwargs={"pk": pk}), PERSONAS
    elif name in r.FOREIGN_TOKEN:
        yield reverse(name, kwargs={"token_id": token.key[:8]}), PERSONAS
    elif name in r.PERSONAL:
        yield reverse(name), PERSONAS


def _admin_path(route: r.Route, objects) -> str:
    """Admin routes with a foreign task's id (unnamed ones are filled by hand from their pattern)."""
    fill = {"object_id": str(objects["task"].pk), "id": str(objects["task"].owner_id), "app_label": "projects"}
    fill |= {"content_type_id": "1", "model_name": "task", "url": "projects/task/"}
    if "(?P" in route.path:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: fill.get(m.group(1), "1"), route.path)
        return path.replace("^", "").replace("$", "")
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: fill.get(m.group(1), "1"), route.path)


def _verdict(persona: str, response, is_api: bool, personal: bool) -> str | None:
    status = response.status_code
    body = getattr(response, "content", b"") or b""
    if status >= 500:
        return f"server error {status}"
    if MARK.encode() in body:
        return f"foreign text in the response ({status})"
    if persona == "anonymous":
        if is_api:
            return None if status in (401, 403, 404, 405) else f"anonymous API got {status}"
        if status == 302 and response["Location"].startswith("/accounts/login/"):
            return None
        return None if status in (403, 404, 405) else f"anonymous got {status}"
    if personal and status in (200, 204, 302, 400):
        return None
    return None if status in (403, 404, 405) else f"got {status}"


def _call(client: Client, method: str, path: str, is_api: bool):
    if method == "get":
        return client.get(path)
    if is_api:
        return getattr(client, method)(path, data="{}", content_type="application/json")
    return getattr(client, method)(path, data={})


@pytest.fixture
def clients(world):
    result = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        if persona != "anonymous":
            client.force_login(world.persona(persona))
        result[persona] = client
    return result


def test_no_route_shows_or_changes_another_project(world, clients, django_capture_on_commit_callbacks):
    # given: a project none of the personas belongs to, with one object of every kind
    foreign, objects, token = _foreign_world()
    sql = _counts_sql()
    before_rows, before_objects = _counts(sql), _snapshot(objects)
    failures: list[str] = []
    walked = 0
    # when: every route is requested as every persona
    for route in r.all_routes():
        if route.name in r.PUBLIC or r.is_admin(route):
            continue
        is_api = route.path.startswith("/api/")
        personal = route.name in r.PERSONAL
        methods = ("get", "post") + (API_METHODS_EXTRA if is_api and route.name in r.PK_OBJECT else ())
        for path, personas in _requests(route, foreign, objects, token, world.project.slug):
            for persona in personas:
                for method in methods:
                    with django_capture_on_commit_callbacks(execute=False) as callbacks:
                        response = _call(clients[persona], method, path, is_api)
                    walked += 1
                    problem = _verdict(persona, response, is_api, personal)
                    if problem is None and callbacks:
                        problem = f"scheduled {len(callbacks)} on-commit callback(s)"
                    if problem is None and _counts(sql) != before_rows:
                        problem = "row counts changed"
                        before_rows = _counts(sql)
                    if problem:
                        failures.append(f"{method.upper()} {path} as {persona} [{route.name}]: {problem}")
    # then
    assert walked > 1000
    assert not failures, "\n".join(failures)
    assert _snapshot(objects) == before_objects
    assert Token.objects.filter(pk=token.pk).exists()


def test_admin_is_closed_to_every_persona(world, clients):
    foreign, objects, _token = _foreign_world()
    sql = _counts_sql()
    before = _counts(sql)
    failures = []
    admin_routes = [route for route in r.all_routes() if r.is_admin(route)]
    for route in admin_routes:
        path = _admin_path(route, objects)
        for persona in PERSONAS:
            for method in ("get", "post"):
                response = _call(clients[persona], method, path, False)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {path} as {persona}: server error")
                location = response.get("Location", "")
                ok = response.status_code == 302 and location.startswith("/admin/login/")
                if not ok and route.name not in ("admin:login", "admin:logout"):
                    failures.append(f"{method.upper()} {path} as {persona}: {response.status_code} {location}")
    assert len(admin_routes) > 50
    assert not failures, "\n".join(failures)
    assert _counts(sql) == before


def test_public_routes_answer_forged_tokens_without_leaking(world, clients):
    foreign, objects, _token = _foreign_world()
    sql = _counts_sql()
    before = _counts(sql)
    forged = {"token": "forged-token-AAAA", "uidb64": "MQ", "token_id": "deadbeef"}
    failures = []
    for route in r.all_routes():
        if route.name not in r.PUBLIC:
            continue
        path = reverse(route.name, kwargs={k: forged[k] for k in route.kwargs})
        for persona in ("anonymous", "client"):
            response = clients[persona].get(path)
            body = getattr(response, "content", b"") or b""
            if response.status_code >= 500 or MARK.encode() in body:
                failures.append(f"GET {path} as {persona}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert _counts(sql) == before
