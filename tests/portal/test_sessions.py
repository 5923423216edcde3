"""The session engine used with Redis (portal/accounts/sessions.py): read through the cache, the database is the
record, and every cache failure falls back to the database."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.urls import reverse

from portal.accounts.sessions import CACHE_SECONDS, SessionStore

UNREACHABLE = {"BACKEND": "portal.core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:9/0",
               "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "portal.accounts.sessions"
    settings.CACHES = {**settings.CACHES, "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                       "LOCATION": "test-sessions"}}
    settings.SESSION_CACHE_ALIAS = "sessions"
    caches["sessions"].clear()
    return caches["sessions"]


def _log_in(client, user) -> None:
    response = client.post(reverse("login"), {"username": user.email, "password": "rapport-test-password"})
    assert response.status_code == 302, response.content[:300]


def test_a_signed_in_page_reads_the_session_from_the_cache(client, world, cached_sessions, django_assert_num_queries):
    world.client.set_password("rapport-test-password")
    world.client.save()
    _log_in(client, world.client)
    key = client.cookies["sessionid"].value
    assert cached_sessions.get(SessionStore.cache_key_prefix + key)["_auth_user_id"] == str(world.client.pk)
    assert Session.objects.filter(session_key=key).exists()  # the database stays the record

    client.get("/")
    with django_assert_num_queries(1):  # the person (with their data key); no session query
        assert client.get("/").status_code == 200


def test_log_out_removes_the_session_from_both(client, world, cached_sessions):
    world.client.set_password("rapport-test-password")
    world.client.save()
    _log_in(client, world.client)
    key = client.cookies["sessionid"].value

    client.post(reverse("logout"))

    assert cached_sessions.get(SessionStore.cache_key_prefix + key) is None
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # replaying the old cookie does not sign anyone in
    assert client.get("/").status_code == 302


def test_the_cached_copy_lives_minutes_not_weeks(world, cached_sessions, settings):
    import time

    store = SessionStore()
    store["answer"] = 42
    store.save(must_create=True)
    cached_sessions.delete(store.cache_key)
    SessionStore(session_key=store.session_key).load()  # read from the database, copied to the cache again

    expires_in = cached_sessions._expire_info[cached_sessions.make_key(store.cache_key)] - time.time()
    assert 0 < expires_in <= CACHE_SECONDS < settings.SESSION_COOKIE_AGE
    assert cached_sessions.get(store.cache_key) == {"answer": 42}


def test_with_the_cache_unreachable_people_sign_in_work_and_sign_out(client, world, settings):
    settings.SESSION_ENGINE = "portal.accounts.sessions"
    settings.CACHES = {**settings.CACHES, "sessions": UNREACHABLE, "pages": UNREACHABLE}
    settings.SESSION_CACHE_ALIAS = "sessions"
    world.client.set_password("rapport-test-password")
    world.client.save()

    _log_in(client, world.client)
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))

    assert not Session.objects.exists()
    assert client.get("/").status_code == 302
