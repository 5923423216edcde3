"""Every client-portal URL as an outsider, a client of another project and an anonymous visitor:
404 or a redirect to log-in, nothing leaked, nothing changed. And: internal items never reach a client page."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from engagement.models import Attendance, CommunicationPlan, DecisionResponse, Involvement
from portal.accounts.models import User
from projects.models import AuditEvent, ProgressReport, Task
from tests import factories as f

pytestmark = pytest.mark.django_db

SECRET = "Zebra-7f3q"


@pytest.fixture
def items(world):
    task = f.TaskFactory(project=world.project, owner=world.client, title=f"Task {SECRET}")
    decision = f.DecisionFactory(project=world.project, title=f"Decision {SECRET}", involvement=Involvement.APPROVAL)
    meeting = f.MeetingFactory(project=world.project, title=f"Meeting {SECRET}")
    f.AttendanceFactory(meeting=meeting, user=world.client)
    f.AttendanceFactory(meeting=meeting, user=world.client_lead)
    f.CommunicationPlanFactory(project=world.project)
    digest = f.DigestFactory(recipient=world.client, subject=f"Digest {SECRET}", body_text=SECRET)
    return {"task": task, "decision": decision, "meeting": meeting, "digest": digest}


def _requests(world, items):
    slug = world.project.slug
    t, d, m, g = items["task"], items["decision"], items["meeting"], items["digest"]
    return [
        ("get", reverse("projects:task-report", args=[slug, t.pk]), {}),
        (
            "post",
            reverse("projects:task-report", args=[slug, t.pk]),
            {"task": t.pk, "percent": 50, "state": "on_track"},
        ),
        ("get", reverse("engagement:decision-respond", args=[slug, d.pk]), {}),
        ("post", reverse("engagement:decision-respond", args=[slug, d.pk]), {"kind": "approved"}),
        ("post", reverse("engagement:meeting-rsvp", args=[slug, m.pk]), {"answer": "yes"}),
        ("get", reverse("engagement:meeting-ics", args=[slug, m.pk]), {}),
        ("post", reverse("engagement:plan-signoff", args=[slug]), {"version": 1, "confirm": "on"}),
        ("get", reverse("engagement:digest", args=[g.pk]), {}),
    ]


def _fingerprint():
    return {
        "reports": ProgressReport.objects.count(),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status", "version", "last_percent")),
        "responses": DecisionResponse.objects.count(),
        "rsvp": list(Attendance.objects.order_by("pk").values_list("pk", "rsvp")),
        "plans": list(CommunicationPlan.objects.values_list("pk", "signed_off_version")),
        "tokens": list(User.objects.order_by("pk").values_list("pk", "calendar_token", "language", "email_digest")),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.parametrize("persona", ["outsider", "other_client"])
def test_people_of_other_projects_get_404_and_change_nothing(client, world, items, persona):
    client.force_login(world.persona(persona))
    before = _fingerprint()

    for method, url, data in _requests(world, items):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
        assert SECRET not in response.content.decode(errors="replace"), (method, url)

    assert _fingerprint() == before


def test_anonymous_is_sent_to_log_in_and_changes_nothing(client, world, items):
    before = _fingerprint()
    requests = _requests(world, items) + [
        ("get", reverse("engagement:digests"), {}),
        ("get", reverse("accounts:preferences"), {}),
        ("post", reverse("accounts:preferences"), {"language": "ru"}),
        ("get", reverse("accounts:calendar"), {}),
        ("post", reverse("accounts:calendar"), {}),
        ("get", "/", {}),
    ]

    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response["Location"].startswith(reverse("login")), (method, url)
        assert SECRET not in response.content.decode(errors="replace")

    assert _fingerprint() == before


def test_own_pages_of_another_person_show_nothing_of_the_client(client, world, items):
    client.force_login(world.other_client)

    for url in ("/", reverse("engagement:digests"), reverse("accounts:preferences"), reverse("accounts:calendar")):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert SECRET not in body and world.client.calendar_token not in body


# --- internal items never reach a client page ---------------------------------

INTERNAL = "Internal-Okapi-91"


def _workspace_urls(world, items):
    """The workspace pages a client may open (another engineer's views): checked for leaks too."""
    slug = world.project.slug
    names = [
        ("projects:overview", [slug]),
        ("projects:tasks", [slug]),
        ("projects:task", [slug, items["task"].pk]),
        ("projects:risks", [slug]),
        ("engagement:plan", [slug]),
        ("engagement:meetings", [slug]),
        ("engagement:meeting", [slug, items["meeting"].pk]),
        ("engagement:decisions", [slug]),
        ("engagement:decision", [slug, items["decision"].pk]),
    ]
    urls = []
    for name, args in names:
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:
            continue
    return urls


@pytest.fixture
def internal_items(world, items):
    items["meeting"].minutes, items["meeting"].minutes_shared = f"Minutes {INTERNAL}", False
    items["meeting"].save(update_fields=["minutes", "minutes_shared"])
    f.TaskFactory(
        project=world.project, owner=world.team, title=f"Task {INTERNAL}", internal=True, description=INTERNAL
    )
    f.DecisionFactory(project=world.project, title=f"Decision {INTERNAL}", internal=True, context=INTERNAL)
    f.RiskFactory(project=world.project, title=f"Risk {INTERNAL}", internal=True, description=INTERNAL)
    f.HealthSnapshotFactory(project=world.project, score=13, reasons=[INTERNAL])
    f.HealthWarningFactory(project=world.project, person=world.client, reasons=[INTERNAL])


def _assert_clean(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        assert INTERNAL not in body, url
        assert "/health/" not in body, url


@pytest.mark.parametrize("persona", ["client", "client_lead"])
def test_internal_items_never_appear_on_client_pages(client, world, items, internal_items, persona):
    client.force_login(world.persona(persona))
    slug = world.project.slug
    urls = [
        "/",
        reverse("projects:task-report", args=[slug, items["task"].pk]),
        reverse("engagement:decision-respond", args=[slug, items["decision"].pk]),
        reverse("engagement:meeting-ics", args=[slug, items["meeting"].pk]),
        reverse("engagement:digests"),
        reverse("accounts:preferences"),
        reverse("accounts:calendar"),
    ]
    if persona == "client":
        urls.append(reverse("engagement:digest", args=[items["digest"].pk]))

    _assert_clean(client, urls)

    fragment = client.post(
        reverse("engagement:meeting-rsvp", args=[slug, items["meeting"].pk]),
        {"answer": "maybe"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200 and INTERNAL not in fragment.content.decode()


@pytest.mark.parametrize("persona", ["client", "client_lead"])
def test_internal_items_never_appear_on_workspace_pages_a_client_opens(client, world, items, internal_items, persona):
    client.force_login(world.persona(persona))

    _assert_clean(client, _workspace_urls(world, items))
