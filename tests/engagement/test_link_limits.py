"""One-click pages are rate-limited per link and per address (high for an office behind one address), with a clear
page; the counters live in Django's cache and work the same in locmem and in Redis."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from engagement.models import DecisionResponse
from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.links import A, action_link_create, unsubscribe_url
from tests import factories as f

pytestmark = pytest.mark.django_db
OFFICE = "203.0.113.50"


@pytest.fixture(params=["locmem", "redis"])
def counters(request, settings):
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": request.getfixturevalue("redis_url"),
                "KEY_PREFIX": "test-link-limits",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def _link(world, title="Hosting provider"):
    decision = f.DecisionFactory(
        project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED, title=title
    )
    return decision, reverse("engagement:action-link", args=[action_link_create(person=world.client, action=A.ACKNOWLEDGE, obj=decision)])


def test_one_link_opened_too_often_is_paused_with_a_clear_page(world, settings, counters):
    settings.ONE_CLICK_LIMIT_PER_LINK = 3
    decision, url = _link(world)
    other_decision, other_url = _link(world, "Second decision")
    for _ in range(3):
        assert Client().get(url, REMOTE_ADDR=OFFICE).status_code == 200

    paused = Client().post(url, REMOTE_ADDR="198.51.100.9")
    other = Client().post(other_url, REMOTE_ADDR=OFFICE)

    assert paused.status_code == 429
    html = paused.content.decode()
    assert "Too many tries in a short while" in html
    assert "Please open it again in 10 minutes." in html
    assert not DecisionResponse.objects.filter(decision=decision).exists()  # nothing was done
    assert other.status_code == 200
    assert DecisionResponse.objects.filter(decision=other_decision, user=world.client).count() == 1


def test_one_address_is_paused_past_its_high_bar_and_other_addresses_are_not(world, settings, counters):
    settings.ONE_CLICK_LIMIT_PER_ADDRESS = 4
    urls = [_link(world, f"Decision {i}")[1] for i in range(5)]
    for url in urls[:4]:
        assert Client().get(url, REMOTE_ADDR=OFFICE).status_code == 200

    paused = Client().get(urls[4], REMOTE_ADDR=OFFICE)
    elsewhere = Client().get(urls[4], REMOTE_ADDR="198.51.100.9")

    assert paused.status_code == 429
    assert elsewhere.status_code == 200


def test_the_paused_page_speaks_the_visitors_language(world, settings, counters):
    # a paused link is not read from the database, so the page follows the browser's language
    settings.ONE_CLICK_LIMIT_PER_LINK = 1
    _decision, url = _link(world)
    Client().get(url)

    paused = Client(HTTP_ACCEPT_LANGUAGE="ru").get(url)

    assert paused.status_code == 429
    assert "Слишком много попыток за короткое время" in paused.content.decode()


def test_one_click_unsubscribes_from_a_mail_providers_address_are_counted_per_link_only(world, settings, counters):
    settings.ONE_CLICK_LIMIT_PER_ADDRESS = 2
    people = [world.client, world.client_lead, world.team]
    urls = [unsubscribe_url(person=p, preference="email_digest").removeprefix(settings.SITE_URL) for p in people]
    body = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}

    answers = [Client().post(url, REMOTE_ADDR="209.85.220.41", **body).status_code for url in urls]

    assert answers == [200, 200, 200]
    for person in people:
        person.refresh_from_db()
        assert person.email_digest is False
