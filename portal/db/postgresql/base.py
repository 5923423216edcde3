"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet, and
date-times read by psycopg's own (compiled) loader.

Health check.

`CONN_HEALTH_CHECKS` makes Django send `SELECT 1` before the first query of every request on a reused connection:
a round trip on every page (bench/README.md). PostgreSQL sends nothing on an idle connection unless it is closing it
(`pg_terminate_backend`, `idle_session_timeout`, a shutdown: a FATAL message, then EOF), and a socket closed by the
peer reads EOF. So an idle connection whose socket has nothing to read is as healthy as `SELECT 1` could tell; when
there is something to read, or the connection is not idle, Django's own check runs. A path that silently drops
packets is caught by neither check before the real query; TCP keepalives and timeouts are for that.

Date-times. Django reads every `timestamptz` through a loader of its own, a Python subclass of psycopg's pure-Python
loader that parses the text and then sets Django's time zone on the result. psycopg's default loader (compiled, in
psycopg[binary]) gives the same value when the session's time zone is UTC: Django sets the session to UTC
(`ensure_timezone`) whenever it works in UTC, and psycopg returns `datetime.timezone.utc` for it. The report POST,
the portal's hottest write (bench/README.md), reads about a dozen date-times: with psycopg's loader it takes 6.7 %
fewer instructions (callgrind, 6.10 → 5.69 M per request in one process). So when Django works in UTC, the
connection uses psycopg's loader, marked with the time zone Django's cursor checks (`timezone`); with any other
database time zone Django's loader stays. A statement that changes the session's time zone (`SET TIME ZONE`) would
get date-times in that zone — the same instants, another `tzinfo`; the portal never sends one.
"""

from __future__ import annotations

import datetime as dt
import select
from functools import cache

from django.conf import settings
from django.db.backends.postgresql import base
from psycopg import adapt, adapters, pq
from psycopg.pq import Format


@cache
def _utc_loader() -> type:
    """psycopg's default text loader for timestamptz (the compiled one where installed, which cannot be subclassed),
    behind a class that carries the time zone Django compares before each cursor (`DatabaseWrapper.create_cursor`)
    and makes psycopg's loader when psycopg asks for one."""
    default = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)

    class UTCTimestamptzLoader:
        timezone = dt.UTC
        format = Format.TEXT

        def __new__(cls, oid, context=None):
            return default(oid, context)

    return UTCTimestamptzLoader


@cache
def _with_utc_loader(context: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """`context` (Django's adapters, built once per time zone) with psycopg's loader for timestamptz."""
    derived = adapt.AdaptersMap(context)
    derived.register_loader("timestamptz", _utc_loader())
    return derived


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if settings.USE_TZ and self.timezone_name == "UTC" and "context" in params:
            params["context"] = _with_utc_loader(params["context"])
        return params

    def close_if_health_check_failed(self):
        if (
            not self.pool
            and self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self._idle_and_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self) -> bool:
        """True when the connection is idle outside a transaction and the server has sent nothing since it answered."""
        conn = self.connection
        if conn.closed or conn.broken or conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False
