"""Token log-in (counted by django-axes), token listing and revocation, session auth with CSRF, throttling, /me."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.api.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_token_login_returns_a_token_that_authenticates(world):
    client = APIClient()

    response = client.post(reverse("api:auth-token"), {"email": "BOB@acme.example", "password": PASSWORD}, format="json")

    assert response.status_code == 201
    token = Token.objects.get(user=world.client)
    assert response.json()["token"] == token.key
    assert response.json()["id"] == token.key[:8]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    me = client.get(reverse("api:me"))
    assert me.status_code == 200
    assert me.json()["email"] == "bob@acme.example"


def test_token_login_twice_returns_the_same_token(world):
    client = APIClient()
    body = {"email": world.client.email, "password": PASSWORD}
    first = client.post(reverse("api:auth-token"), body, format="json").json()["token"]
    second = client.post(reverse("api:auth-token"), body, format="json").json()["token"]
    assert first == second
    assert Token.objects.filter(user=world.client).count() == 1


def test_wrong_password_is_400_and_counted_by_axes(world):
    response = APIClient().post(reverse("api:auth-token"), {"email": world.client.email, "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "non_field_errors" in response.json()["fields"]
    assert not Token.objects.exists()
    assert AccessAttempt.objects.get(username=world.client.email).failures_since_start == 1


def test_locked_out_after_too_many_failures_even_with_the_right_password(world, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("api:auth-token"), {"email": world.client.email, "password": "wrong"}, format="json")

    response = client.post(reverse("api:auth-token"), {"email": world.client.email, "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert not Token.objects.exists()


def test_token_lock_out_is_per_account_and_address_and_says_when(world, settings, monkeypatch):
    _rates(monkeypatch, token="100/minute", anon="100/minute")
    office = "203.0.113.50"
    url = reverse("api:auth-token")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient(REMOTE_ADDR=office).post(url, {"email": world.client.email, "password": "wrong"}, format="json")

    locked = APIClient(REMOTE_ADDR=office).post(url, {"email": world.client.email, "password": PASSWORD}, format="json")
    russian = APIClient(REMOTE_ADDR=office, HTTP_ACCEPT_LANGUAGE="ru").post(
        url, {"email": world.client.email, "password": PASSWORD}, format="json"
    )
    colleague = APIClient(REMOTE_ADDR=office).post(url, {"email": world.team.email, "password": PASSWORD}, format="json")
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.9").post(url, {"email": world.client.email, "password": PASSWORD}, format="json")

    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "Too many failed log-ins for this account from this address. Try again in 15 minutes.",
        "code": "locked_out",
    }
    assert locked["Retry-After"] == "900"
    assert russian.json()["detail"].endswith("Попробуйте снова через 15 минут.")
    assert colleague.status_code == 201
    assert elsewhere.status_code == 201
    assert set(Token.objects.values_list("user__email", flat=True)) == {world.team.email, world.client.email}


def test_token_lock_out_does_not_lock_the_log_in_page_of_a_colleague(world, settings, monkeypatch):
    _rates(monkeypatch, token="100/minute", anon="100/minute")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient(REMOTE_ADDR="203.0.113.50").post(
            reverse("api:auth-token"), {"email": world.client.email, "password": "wrong"}, format="json"
        )

    page = APIClient(REMOTE_ADDR="203.0.113.50").post(
        reverse("login"), {"username": world.team.email, "password": PASSWORD}
    )

    assert page.status_code == 302


def test_missing_fields_are_named(db):
    response = APIClient().post(reverse("api:auth-token"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "password"}


def _rates(monkeypatch, **rates):
    # DRF binds the rates to the throttle class when it is imported; patch them there.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, **rates})


def test_token_endpoint_has_its_own_stricter_throttle(world, monkeypatch):
    _rates(monkeypatch, token="2/minute")
    client = APIClient()
    body = {"email": world.client.email, "password": PASSWORD}

    codes = [client.post(reverse("api:auth-token"), body, format="json").status_code for _ in range(3)]

    assert codes == [201, 201, 429]


def test_user_throttle_answers_429_with_the_error_body(world, monkeypatch):
    _rates(monkeypatch, user="2/minute")
    client = APIClient()
    client.force_authenticate(world.client)

    codes = [client.get(reverse("api:me")).status_code for _ in range(2)]
    last = client.get(reverse("api:me"))

    assert codes == [200, 200]
    assert last.status_code == 429
    assert last.json()["code"] == "throttled"
    assert "Retry-After" in last


def test_anonymous_throttle_is_per_address(db, monkeypatch):
    _rates(monkeypatch, anon="1/minute")
    first = APIClient(REMOTE_ADDR="10.0.0.1").post(reverse("api:auth-token"), {}, format="json")
    again = APIClient(REMOTE_ADDR="10.0.0.1").post(reverse("api:auth-token"), {}, format="json")
    elsewhere = APIClient(REMOTE_ADDR="10.0.0.2").post(reverse("api:auth-token"), {}, format="json")
    assert (first.status_code, again.status_code, elsewhere.status_code) == (400, 429, 400)


def test_tokens_list_shows_only_my_token_and_marks_the_current_one(world):
    mine = Token.objects.create(user=world.client)
    Token.objects.create(user=world.manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {mine.key}")

    response = client.get(reverse("api:auth-tokens"))

    assert response.status_code == 200
    assert response.json() == [{"id": mine.key[:8], "created": response.json()[0]["created"], "current": True}]


def test_revoking_a_token_stops_it_working(world):
    token = Token.objects.create(user=world.client)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.delete(reverse("api:auth-token-detail", kwargs={"token_id": token.key[:8]}))

    assert response.status_code == 204
    assert not Token.objects.filter(user=world.client).exists()
    assert client.get(reverse("api:me")).status_code == 401


def test_cannot_revoke_someone_elses_token(world):
    other = Token.objects.create(user=world.manager)
    client = APIClient()
    client.force_authenticate(world.client)

    response = client.delete(reverse("api:auth-token-detail", kwargs={"token_id": other.key[:8]}))

    assert response.status_code == 404
    assert Token.objects.filter(pk=other.pk).exists()


def test_anonymous_gets_401_with_www_authenticate(db):
    response = APIClient().get(reverse("api:project-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


def test_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_writes_need_the_csrf_token(world, objects):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.client)
    url = reverse("api:report-list", kwargs={"slug": world.project.slug, "pk": objects.task.pk})
    body = {"percent": 30, "state": "on_track"}

    refused = client.post(url, body, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not objects.task.reports.exists()

    csrf_value = "k" * 32  # any 32-character secret: the cookie and the header must match
    client.cookies["csrftoken"] = csrf_value
    accepted = client.post(url, body, format="json", HTTP_X_CSRFTOKEN=csrf_value)
    assert accepted.status_code == 201
    assert objects.task.reports.get().percent == 30


def test_me_shows_my_profile(world):
    client = APIClient()
    client.force_authenticate(world.client_lead)
    body = client.get(reverse("api:me")).json()
    assert body["email"] == "lead@acme.example"
    assert body["kind"] == "client"
    assert body["organisation"] == "Acme"


def test_me_patch_saves_preferences(world):
    client = APIClient()
    client.force_authenticate(world.client)

    response = client.patch(reverse("api:me"), {"digest_weekday": 4, "digest_hour": 9, "language": "ru"}, format="json")

    assert response.status_code == 200
    assert response.json()["digest_hour"] == 9
    world.client.refresh_from_db()
    assert (world.client.digest_weekday, world.client.digest_hour, world.client.language) == (4, 9, "ru")


def test_me_patch_rejects_a_bad_zone_and_changes_nothing(world):
    client = APIClient()
    client.force_authenticate(world.client)
    response = client.patch(reverse("api:me"), {"time_zone": "Mars/Olympus"}, format="json")
    assert response.status_code == 400
    assert "time_zone" in response.json()["fields"]
    world.client.refresh_from_db()
    assert world.client.time_zone == "Europe/Moscow"


def test_me_cannot_change_email_or_kind(world):
    client = APIClient()
    client.force_authenticate(world.client)
    client.patch(reverse("api:me"), {"email": "x@example.com", "kind": "staff"}, format="json")
    world.client.refresh_from_db()
    assert (world.client.email, world.client.kind) == ("bob@acme.example", "client")
