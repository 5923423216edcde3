"""One-click links: GET changes nothing; POST acts once; tampered, expired, reused, someone else's, revoked, changed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagement.models import ActionLink, Attendance, DecisionResponse, MeetingStatus
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.links import A, action_link_create, unsubscribe_url
from projects.models import AuditEvent, Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


def _decision(world, **extra):
    fields = {"involvement": Involvement.CONSULTED, "status": DecisionStatus.APPROVED, "title": "Hosting provider", **extra}
    return f.DecisionFactory(project=world.project, **fields)


def _url(token):
    return reverse("engagement:action-link", args=[token])


def _state():
    return (DecisionResponse.objects.count(), AuditEvent.objects.count(),
            list(ActionLink.objects.values_list("used_at", flat=True)), list(Attendance.objects.values_list("rsvp", flat=True)))


def test_get_and_head_change_nothing_and_show_a_post_form(world, client):
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    before = _state()
    response = client.get(_url(token))
    assert response.status_code == 200
    assert b'method="post"' in response.content and b"Hosting provider" in response.content
    assert response["Referrer-Policy"] == "same-origin"  # never to another site; the page's own POST keeps its Origin
    assert "sessionid" not in response.cookies
    assert client.head(_url(token)).status_code == 200
    assert _state() == before


def test_post_acts_once_then_already_done(world, client):
    decision = _decision(world)
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)
    response = client.post(_url(token), HTTP_USER_AGENT="Mail client")
    assert response.status_code == 200 and b"Done" in response.content
    assert "sessionid" not in response.cookies
    response_row = DecisionResponse.objects.get(decision=decision, user=world.client)
    assert response_row.kind == "acknowledged" and response_row.via == "email-link"
    link = ActionLink.objects.get()
    assert link.used_at is not None and link.used_ua == "Mail client"
    before = _state()
    again = client.post(_url(token))
    assert again.status_code == 200 and b"Already done" in again.content
    assert _state() == before


@pytest.mark.parametrize(("language", "said"), [("en", "You acknowledged “Hosting provider”."),
                                              ("ru", "Вы подтвердили, что ознакомились с «Hosting provider».")])
def test_the_done_page_says_what_was_done_and_links_to_it(world, client, language, said):
    world.client.language = language
    world.client.save()
    decision = _decision(world)
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)

    page = client.post(_url(token)).content.decode()

    assert said in page
    assert f'href="{reverse("engagement:decision", args=[world.project.slug, decision.pk])}"' in page


def test_tampered_token_is_404_and_changes_nothing(world, client):
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    before = _state()
    assert client.get(_url(tampered)).status_code == 404
    assert client.post(_url(tampered)).status_code == 404
    assert client.post(_url("not-a-token")).status_code == 404
    assert _state() == before


def test_expired_link_explains_and_changes_nothing(world, client):
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    before = _state()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        response = client.post(_url(token))
    assert response.status_code == 200 and b"expired" in response.content
    assert _state() == before


def test_someone_elses_link_is_refused_for_a_signed_in_person(world, client):
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    client.force_login(world.client_lead)
    before = _state()
    response = client.post(_url(token))
    assert response.status_code == 403 and b"someone else" in response.content and b"b\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2@acme.example" in response.content
    assert client.get(_url(token)).status_code == 403
    assert _state() == before


def test_revoked_access_is_refused(world, client):
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    Membership.objects.filter(user=world.client, project=world.project).delete()
    before = _state()
    assert client.post(_url(token)).status_code == 403
    assert _state() == before


def test_changed_object_is_refused_with_explanation(world, client):
    decision = _decision(world)
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)
    successor = _decision(world, title="Hosting provider v2")
    decision.status = DecisionStatus.SUPERSEDED
    decision.superseded_by = successor
    decision.save()
    before = _state()
    response = client.post(_url(token))
    assert response.status_code == 409 and b"superseded" in response.content
    assert _state() == before


def test_rsvp_link_records_answer_and_refuses_after_cancel(world, client):
    meeting = f.MeetingFactory(project=world.project)
    f.AttendanceFactory(meeting=meeting, user=world.client)
    yes = action_link_create(person=world.client, action=A.RSVP_YES, obj=meeting)
    no = action_link_create(person=world.client, action=A.RSVP_NO, obj=meeting)
    assert client.post(_url(yes)).status_code == 200
    assert Attendance.objects.get(meeting=meeting, user=world.client).rsvp == "yes"
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, "Holiday"
    meeting.save()
    assert client.post(_url(no)).status_code == 409
    assert Attendance.objects.get(meeting=meeting, user=world.client).rsvp == "yes"


def test_unsubscribe_one_click_post_without_cookies_or_csrf(world):
    from django.test import Client

    url = unsubscribe_url(person=world.client, preference="email_digest").removeprefix("http://127.0.0.1:8000")
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(url)
    assert page.status_code == 200 and b'method="post"' in page.content
    world.client.refresh_from_db()
    assert world.client.email_digest is True
    response = anonymous.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    world.client.refresh_from_db()
    assert world.client.email_digest is False
    assert AuditEvent.objects.filter(action="preferences.unsubscribe", object_id=str(world.client.pk)).count() == 1
    assert anonymous.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code == 200
    world.client.refresh_from_db()
    assert world.client.email_digest is False and world.client.email_reminders is True
    assert AuditEvent.objects.filter(action="preferences.unsubscribe").count() == 1


def test_unsubscribe_endpoint_refuses_other_tokens(world):
    from django.test import Client

    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    response = Client().post(reverse("engagement:unsubscribe", args=[token]), data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 404
    assert DecisionResponse.objects.count() == 0


def test_the_confirm_post_needs_no_csrf_cookie_and_no_origin(world):
    """What Chromium sends from the confirm page when cookies are blocked or the page said no-referrer (`Origin:
    null`): the token in the address authorises the POST, with or without a session."""
    from django.test import Client

    decision = _decision(world)
    anonymous, signed_in = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    signed_in.force_login(world.client)
    for browser, action in ((anonymous, A.ACKNOWLEDGE), (signed_in, A.ACKNOWLEDGE)):
        DecisionResponse.objects.filter(decision=decision).delete()
        token = action_link_create(person=world.client, action=action, obj=decision)
        response = browser.post(_url(token), HTTP_ORIGIN="null")
        assert response.status_code == 200 and b"Done" in response.content
        assert DecisionResponse.objects.filter(decision=decision, user=world.client).count() == 1


def test_someone_elses_session_is_refused_without_csrf_too(world):
    from django.test import Client

    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    other = Client(enforce_csrf_checks=True)
    other.force_login(world.client_lead)
    before = _state()
    assert other.post(_url(token), HTTP_ORIGIN="null").status_code == 403
    assert _state() == before


def test_confirm_page_shows_the_meeting_in_the_persons_zone_and_language(world, client):
    world.client.time_zone, world.client.language = "Asia/Tokyo", "ru"
    world.client.save()
    start = dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC)  # Thursday 10:00 in Tokyo
    meeting = f.MeetingFactory(project=world.project, title="Weekly sync", starts_at=start, ends_at=start + dt.timedelta(hours=1),
                               time_zone="Asia/Tokyo")
    f.AttendanceFactory(meeting=meeting, user=world.client)
    token = action_link_create(person=world.client, action=A.RSVP_YES, obj=meeting)
    page = client.get(_url(token)).content.decode()
    assert '<html lang="ru"' in page and "Weekly sync" in page
    assert "Чт 10 декабря, 10:00" in page
    assert "UTC" not in page and "01:00" not in page


def test_tokens_fit_one_header_line_and_follow_the_secret(world, client, settings):
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=_decision(world))
    assert len(token) <= 60
    assert len(unsubscribe_url(person=world.client, preference="email_digest").rsplit("/e/u/", 1)[1].strip("/")) <= 60
    settings.SECRET_KEY = "another-secret-" + "z" * 40
    before = _state()
    assert client.post(_url(token)).status_code == 404
    assert _state() == before


def test_handle_link_records_that_the_backup_took_it_on_and_needs_access(world, client):
    task = f.TaskFactory(project=world.project, owner=world.client, title="Logo files")
    internal = f.TaskFactory(project=world.project, owner=world.team, title="Internal", internal=True)
    token = action_link_create(person=world.client_lead, action=A.HANDLE, obj=task)
    hidden = action_link_create(person=world.client_lead, action=A.HANDLE, obj=internal)
    before = _state()
    assert client.post(_url(hidden)).status_code == 403  # the task page would 404 for a client too
    assert _state() == before
    assert client.post(_url(token)).status_code == 200
    assert AuditEvent.objects.filter(action="escalation.handle", actor=world.client_lead, object_id=str(task.pk)).count() == 1


def test_an_approval_link_after_the_decision_was_approved_asks_nothing(world, client):
    """Seen in a browser: the lead approved from her e-mail; her colleague's Approve button still showed "Approve this
    decision?" and recorded a second approval of a settled decision. It now says it was approved and changes nothing."""
    from engagement.models.decisions import ResponseKind
    from engagement.services.decisions import decision_respond

    decision = _decision(world, involvement=Involvement.APPROVAL, status=DecisionStatus.PROPOSED, recorded_by=world.manager)
    token = action_link_create(person=world.client, action=A.APPROVE, obj=decision)
    decision_respond(actor=world.client_lead, decision=decision, kind=ResponseKind.APPROVED)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    before = _state()
    page = client.get(_url(token))
    assert page.status_code == 409 and b"Approve this decision?" not in page.content
    assert b"already approved" in page.content
    response = client.post(_url(token))
    assert response.status_code == 409 and b"already approved" in response.content
    assert _state() == before
