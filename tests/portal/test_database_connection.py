"""The PostgreSQL connection prepares the statements it runs again and again (Django leaves this off by default)."""

import pytest
from django.db import connection

from portal.accounts.models import User


@pytest.mark.django_db
def test_a_statement_run_repeatedly_is_prepared_by_the_server(postgres):
    # given a lookup the portal runs on every request
    User.objects.create(email="p@example.com", full_name="P")

    # when it runs a few times more than the threshold on one connection
    threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for _ in range(threshold + 2):
        assert User.objects.filter(email="p@example.com").exists()

    # then the server holds it as a prepared statement, so it is no longer parsed and planned per run
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"accounts_user"."email" = ' in sql for sql in prepared), [s for s in prepared if "accounts_user" in s]


# The health check (CONN_HEALTH_CHECKS) on a reused connection, as at the start of every request: no round trip
# while the connection is quiet, Django's SELECT 1 (and a new connection) when the server has closed it.

def _server_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _as_at_the_start_of_a_request() -> None:
    connection.close_if_unusable_or_obsolete()  # what request_started runs: the check is due again


@pytest.mark.django_db(transaction=True)
def test_a_quiet_connection_passes_the_health_check_without_a_round_trip(postgres, monkeypatch):
    pid = _server_pid()
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append(1) or True)

    _as_at_the_start_of_a_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid

    assert asked == []  # Django's SELECT 1 was not needed


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_closed_is_replaced_before_the_first_query(postgres):
    import time

    import psycopg

    pid = _server_pid()
    # the server ends this session (as an administrator, an idle timeout or a restart would)
    params = {k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "user", "password", "host", "port")}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while connection._idle_and_quiet() and time.monotonic() < deadline:  # the FATAL message is on its way
        time.sleep(0.05)

    _as_at_the_start_of_a_request()
    with connection.cursor() as cursor:  # no error: the check saw the closed session and connected again
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


@pytest.mark.django_db(transaction=True)
def test_a_connection_inside_a_transaction_gets_djangos_own_check(postgres, monkeypatch):
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append(1) or True)
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        connection.health_check_done = False
        connection.close_if_health_check_failed()
    finally:
        connection.rollback()
        connection.set_autocommit(True)

    assert asked == [1]
