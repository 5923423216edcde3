"""The PostgreSQL connection: prepared statements (Django leaves them off by default), the quiet-connection health
check, and date-times read by psycopg's own loader."""

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


# Date-times: read by psycopg's own loader (compiled where installed) instead of Django's pure-Python one, with the
# same values and the same time zone object Django's would give.

TIMESTAMPS = [
    "2026-12-03 23:04:51.462065+00",  # microseconds, as every auto-stamped column
    "2024-02-29 00:00:00+00",  # leap day, whole seconds
    "1969-07-20 20:17:40.5+00",  # before the epoch, a fraction
    "2026-03-29 01:30:00+02",  # an offset: stored and read back in UTC
    "9999-12-31 23:59:59.999999+00",  # the last representable
]


def _djangos_loader():
    """The loader Django itself registers for its connection time zone (what the connection used before)."""
    from django.db.backends.postgresql.psycopg_any import get_adapters_template
    from psycopg import adapters
    from psycopg.pq import Format

    oid = adapters.types["timestamptz"].oid
    return get_adapters_template(True, connection.timezone).get_loader(oid, Format.TEXT)(oid, None)


@pytest.mark.django_db
def test_date_times_read_as_djangos_loader_reads_them_in_utc(postgres):
    import datetime as dt

    django_loader = _djangos_loader()
    with connection.cursor() as cursor:
        for text in TIMESTAMPS:
            cursor.execute("SELECT %s::timestamptz::text, %s::timestamptz", [text, text])
            as_sent, value = cursor.fetchone()
            expected = django_loader.load(as_sent.encode())
            assert value == expected, text
            assert value.tzinfo is dt.UTC  # the object Django's loader sets, not an equal ZoneInfo
            assert value.utcoffset() == dt.timedelta(0)


@pytest.mark.django_db
def test_the_connection_does_not_parse_date_times_with_djangos_python_loader(postgres):
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg import adapters
    from psycopg.pq import Format

    oid = adapters.types["timestamptz"].oid
    connection.ensure_connection()
    registered = connection.connection.adapters.get_loader(oid, Format.TEXT)
    made = registered(oid, None)

    assert not isinstance(made, BaseTzLoader)
    assert type(made) is adapters.get_loader(oid, Format.TEXT)  # psycopg's default: the compiled one with [binary]
    assert registered.timezone == connection.timezone  # what Django checks before each cursor


@pytest.mark.django_db
def test_stored_date_times_come_back_unchanged_through_the_orm_and_a_server_side_cursor(postgres):
    import datetime as dt

    joined = dt.datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    person = User.objects.create(email="t@example.com", full_name="T", date_joined=joined)

    assert User.objects.get(pk=person.pk).date_joined == joined
    # .iterator() reads through a named (server-side) cursor, which Django makes in a transaction
    from django.db import transaction

    with transaction.atomic():
        (streamed,) = [u.date_joined for u in User.objects.filter(pk=person.pk).iterator(chunk_size=10)]
    assert streamed == joined and streamed.tzinfo is dt.UTC


def test_with_another_database_time_zone_djangos_loader_stays(postgres):
    from django.db import connections
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg import adapters
    from psycopg.pq import Format

    berlin = type(connections["default"])({**connection.settings_dict, "TIME_ZONE": "Europe/Berlin"}, alias="berlin")
    context = berlin.get_connection_params()["context"]
    loader = context.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)

    assert issubclass(loader, BaseTzLoader)
    assert str(loader.timezone) == "Europe/Berlin"
