"""The one-click pages under /e/ in Chromium: opening a link changes nothing, pressing the button does it once,
with or without a session, and the address (which holds the secret token) never goes to another site."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import ActionLink, Attendance, DecisionResponse
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.links import A, action_link_create
from tests import factories as f
from tests.browser.conftest import login, screenshot

RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
             "ноября", "декабря"]


def _path(token: str) -> str:
    return reverse("engagement:action-link", args=[token])


def _press_confirm(page, label: str = "Confirm"):
    """Press the page's one button and return the POST the browser sent."""
    with page.expect_request(lambda request: request.method == "POST") as sent, page.expect_navigation():
        page.get_by_role("button", name=label).click()
    return sent.value


def _decision(world, **fields):
    return f.DecisionFactory(project=world.project, title="Hosting provider", **fields)


def test_approve_link_without_a_session_acts_once_on_the_button_only(world, page, console_errors):
    decision = _decision(world, involvement=Involvement.APPROVAL, status=DecisionStatus.PROPOSED)
    token = action_link_create(person=world.client, action=A.APPROVE, obj=decision)

    page.goto(_path(token))  # what a mail scanner's headless browser does: load the page, run its scripts
    assert page.locator("h1").inner_text() == "Please confirm"
    assert "Hosting provider" in page.locator("#main").inner_text()
    screenshot(page, "email-link-approve-confirm")
    assert DecisionResponse.objects.count() == 0 and ActionLink.objects.get().used_at is None

    post = _press_confirm(page)

    assert post.headers.get("origin") not in (None, "null")
    assert page.locator("h1").inner_text() == "Done, thank you"
    screenshot(page, "email-link-approve-done")
    answer = DecisionResponse.objects.get(decision=decision, user=world.client)
    assert answer.kind == "approved" and answer.via == "email-link"
    assert ActionLink.objects.get().used_at is not None
    assert "sessionid" not in {cookie["name"] for cookie in page.context.cookies()}

    page.goto(_path(token))  # single use: the same link again
    assert page.locator("h1").inner_text() == "Already done"
    assert page.get_by_role("button", name="Confirm").count() == 0
    assert DecisionResponse.objects.count() == 1
    assert console_errors == []


def test_acknowledge_link_with_the_persons_own_session(world, page, console_errors):
    decision = _decision(world, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)
    login(page, world.client)

    page.goto(_path(token))
    assert page.locator("h1").inner_text() == "Please confirm"
    screenshot(page, "email-link-acknowledge-signed-in")
    post = _press_confirm(page)

    assert post.headers.get("origin") not in (None, "null")
    assert page.locator("h1").inner_text() == "Done, thank you"
    answer = DecisionResponse.objects.get(decision=decision, user=world.client)
    assert answer.kind == "acknowledged" and answer.via == "email-link"
    assert console_errors == []


def test_rsvp_link_in_the_persons_zone_and_language(world, page, console_errors):
    person = world.client
    person.time_zone, person.language = "Asia/Tokyo", "ru"
    person.save()
    day = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=7)
    start = dt.datetime.combine(day, dt.time(1, 0), tzinfo=dt.UTC)  # 10:00 in Tokyo, the same day
    meeting = f.MeetingFactory(project=world.project, title="Weekly sync", starts_at=start,
                               ends_at=start + dt.timedelta(hours=1), time_zone="Europe/Moscow")
    f.AttendanceFactory(meeting=meeting, user=person)
    token = action_link_create(person=person, action=A.RSVP_YES, obj=meeting)
    tokyo = start.astimezone(ZoneInfo("Asia/Tokyo"))

    page.goto(_path(token))
    text = page.locator("#main").inner_text()
    screenshot(page, "email-link-rsvp-tokyo-ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Подтвердите, пожалуйста"
    assert f"{tokyo.day} {RU_MONTHS[tokyo.month - 1]}, 10:00" in text  # Tokyo time, Russian month
    assert "04:00" in text  # and the meeting's own zone (Moscow) beside it
    assert "UTC" not in text and "01:00" not in text
    assert Attendance.objects.get(meeting=meeting, user=person).rsvp == "none"

    _press_confirm(page, "Подтвердить")

    assert page.locator("h1").inner_text() == "Готово, спасибо"
    screenshot(page, "email-link-rsvp-done-ru")
    assert Attendance.objects.get(meeting=meeting, user=person).rsvp == "yes"
    assert console_errors == []


def test_someone_elses_link_is_refused_in_a_signed_in_browser(world, page):
    decision = _decision(world, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)
    login(page, world.client_lead)

    response = page.goto(_path(token))

    assert response.status == 403
    assert page.locator("h1").inner_text() == "This link was sent to someone else"
    assert page.locator("#main form").count() == 0
    screenshot(page, "email-link-someone-else")
    assert DecisionResponse.objects.count() == 0 and ActionLink.objects.get().used_at is None


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_address_with_the_token_never_goes_to_another_site(world, page, signed_in):
    decision = _decision(world, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)
    token = action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)
    if signed_in:
        login(page, world.client)
    elsewhere = []

    def answer(route):
        elsewhere.append(route.request.headers)
        route.fulfill(status=200, content_type="text/html", body="<p>elsewhere</p>")

    page.route("http://elsewhere.example/**", answer)
    page.goto(_path(token))
    with page.expect_request(lambda request: "elsewhere.example" in request.url), page.expect_navigation():
        page.evaluate(
            "() => { const a = document.createElement('a'); a.href = 'http://elsewhere.example/page';"
            " document.body.append(a); a.click(); }"
        )

    assert len(elsewhere) == 1 and "referer" not in elsewhere[0]
    assert page.evaluate("() => document.referrer") == ""
    assert DecisionResponse.objects.count() == 0
