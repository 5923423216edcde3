"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is quiet.

`CONN_HEALTH_CHECKS` makes Django send `SELECT 1` before the first query of every request on a reused connection:
a round trip on every page (bench/README.md). PostgreSQL sends nothing on an idle connection unless it is closing it
(`pg_terminate_backend`, `idle_session_timeout`, a shutdown: a FATAL message, then EOF), and a socket closed by the
peer reads EOF. So an idle connection whose socket has nothing to read is as healthy as `SELECT 1` could tell; when
there is something to read, or the connection is not idle, Django's own check runs. A path that silently drops
packets is caught by neither check before the real query; TCP keepalives and timeouts are for that.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
