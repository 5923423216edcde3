"""Redis down: pages and the API keep serving (throttles and rate limits fail open with a log line, sessions are in
the database), `/healthz` says 503. A real Redis server is started on its own port, used, then stopped."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from engagement.models.decisions import DecisionStatus, Involvement
from engagement.services.links import A, action_link_create
from portal.outbox.models import OutboundMessage
from tests import factories as f
from tests.conftest import _need

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test alone; `stop()` shuts it down like an outage would."""
    binary = shutil.which("redis-server")
    _need(binary is not None, "redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _answers(port):
        assert process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        @staticmethod
        def stop() -> None:
            process.terminate()
            process.wait(timeout=10)
            assert not _answers(port)

    yield Server
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def redis_backed(settings, own_redis, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = own_redis.url
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "user": "3/minute"})
    return own_redis


def test_with_redis_stopped_the_api_pages_and_links_keep_serving_and_healthz_says_503(world, redis_backed, caplog):
    person = world.client
    token = Token.objects.create(user=person)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    # given: while Redis runs, the API's throttle counts there
    assert [api.get("/api/v1/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert Client().get(reverse("healthz")).status_code == 200

    # when: Redis goes away
    redis_backed.stop()
    caplog.set_level(logging.WARNING)

    # then: the token API answers (the throttle fails open, with a log line)
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["email"] == person.email
    assert any("the cache is unavailable" in record.getMessage() for record in caplog.records)
    token_login = Client().post("/api/v1/auth/token/", {"email": person.email, "password": PASSWORD}, content_type="application/json")
    assert token_login.status_code == 201
    # the portal: log in (sessions are in the database) and see the home page
    browser = Client()
    assert browser.post(reverse("login"), {"username": person.email, "password": PASSWORD}).status_code == 302
    assert browser.get(reverse("home")).status_code == 200
    # a password reset is queued (its rate limit fails open) and a one-click page opens
    assert Client().post(reverse("password_reset"), {"email": person.email}).status_code == 302
    assert OutboundMessage.objects.filter(to_email=person.email, kind="password_reset").count() == 1
    decision = f.DecisionFactory(project=world.project, involvement=Involvement.CONSULTED, status=DecisionStatus.APPROVED)
    link = action_link_create(person=person, action=A.ACKNOWLEDGE, obj=decision)
    page = Client().get(reverse("engagement:action-link", args=[link]))
    assert page.status_code == 200 and decision.title in page.content.decode()
    # and the health check tells the operator
    health = Client().get(reverse("healthz"))
    assert health.status_code == 503
    assert health.json()["broker"]["ok"] is False
