"""Two web processes (gunicorn on two ports, one PostgreSQL database, one Redis): nothing a request depends on is kept
by one process alone. A log-in on one is valid on the other (sessions in the database); the API rate-limit counters
are shared (Redis cache); a lock-out counted on one holds on the other (django-axes' records in the database)."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from bench.faults import report_load
from bench.faults.procs import Gunicorn, RedisServer, app_env
from tests import factories as f
from tests.conftest import _need

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PASSWORD = "two-processes-password-42"


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _log_in(session, base: str, email: str, password: str):
    login_url = f"{base}/accounts/login/"
    token = report_load._token(session, login_url)
    return session.post(login_url, data={"csrfmiddlewaretoken": token, "username": email, "password": password},
                        headers={"Referer": login_url}, allow_redirects=False, timeout=30)


def test_a_log_in_rate_limits_and_a_lock_out_hold_across_two_web_processes(postgres, transactional_db, world):
    import requests

    _need(bool(shutil.which("redis-server")), "redis-server is not installed")
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "twoprocsalt01234", iterations=1000)
    world.manager.password = hashed
    world.manager.save(update_fields=["password"])
    victim = f.StaffFactory(email="victim@example.com", password=hashed)
    redis = RedisServer().start()
    # the product's own settings (axes on, API throttles on), with a user rate low enough to reach
    env = app_env(_database_url(), redis.url, DJANGO_SETTINGS_MODULE="portal.settings.base",
                  API_THROTTLE_USER="6/minute")
    one, two = Gunicorn(env, workers=1, threads=2), Gunicorn(env, workers=1, threads=2)
    try:
        one.start()
        two.start()
        # a log-in on one process, the next pages from the other
        manager = requests.Session()
        assert _log_in(manager, one.base, world.manager.email, PASSWORD).status_code == 302
        page = manager.get(two.base + "/", timeout=10, allow_redirects=False)
        assert page.status_code == 200 and "Acme portal" in page.text

        # the API's per-person rate: six calls spread over both processes, the seventh refused by either
        answers = [manager.get((one, two)[i % 2].base + "/api/v1/me/", timeout=10).status_code for i in range(7)]
        assert answers == [200] * 6 + [429], answers

        # five wrong passwords, spread over both processes, lock the account on both
        outsider = requests.Session()
        wrong = [_log_in(outsider, (one, two)[i % 2].base, victim.email, "not-the-password").status_code for i in range(5)]
        right_on_one = _log_in(requests.Session(), one.base, victim.email, PASSWORD)
        right_on_two = _log_in(requests.Session(), two.base, victim.email, PASSWORD)
    finally:
        one.stop()
        two.stop()
        redis.stop()

    assert wrong[:4] == [200] * 4, wrong  # the form again, with its error
    assert right_on_one.status_code == 429 and right_on_two.status_code == 429
