import socket
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.urls import reverse


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _warm_up(client, settings) -> None:
    """A process's first request imports the URL configuration, the middleware and the views, and the probe imports its
    Redis client: start-up work, not the probe. The timed tests time a running server's answer (under pytest-xdist any
    of them may be a worker's first request, and on a busy machine start-up alone can take seconds)."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    client.get(reverse("healthz"))


@pytest.mark.django_db
def test_healthz_is_200_with_database_and_embedded_broker(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "detail": "filesystem"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_embedded_broker_folder_is_missing(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "gone")}

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


@pytest.mark.django_db
def test_healthz_is_503_within_3_seconds_when_redis_refuses(client, settings):
    _warm_up(client, settings)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    started = time.monotonic()
    response = client.get(reverse("healthz"))
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert elapsed < 3


@pytest.mark.django_db
def test_healthz_is_503_within_3_seconds_when_redis_accepts_but_never_answers(client, settings):
    _warm_up(client, settings)
    # A listening socket that never replies: the connect succeeds, the PING hangs until the read timeout.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"

        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert elapsed < 3


@pytest.mark.django_db
def test_healthz_is_200_with_a_real_redis_broker(client, settings, redis_url):
    settings.CELERY_BROKER_URL = redis_url

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "detail": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, settings, tmp_path, monkeypatch):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == {"ok": False, "detail": "OperationalError"}
    assert body["broker"]["ok"] is True


def test_healthz_refuses_post(client):
    response = client.post(reverse("healthz"))

    assert response.status_code == 405
