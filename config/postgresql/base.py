"""Django's PostgreSQL backend with two additions for the hot paths (a note POST, a token check).

``prepared_cursor()``: a cursor that sends its parameters apart from the SQL, so psycopg
prepares a statement once a connection has run it ``prepare_threshold`` times (set in
config/env.py) and the server skips parse and plan from then on: half the PostgreSQL CPU of a
note INSERT. Every other query keeps Django's default client-side binding (no 65,535-parameter
limit on ``pk__in`` lists and bulk inserts, no GROUP BY surprises); psycopg never prepares for
those cursors.

A health check that skips connections busy a moment ago: with ``CONN_HEALTH_CHECKS`` Django runs
``SELECT 1`` before the first query of every request, a round trip and a third of the queries of
a note POST. The check is there for connections that sat idle while the server restarted or a
firewall dropped them. A connection that served a request without a database error less than
``TRUSTED_FOR`` seconds ago (or opened that recently) is trusted instead; one idle for longer, or
whose last request hit a database error, is checked as before (and closed when the check fails).
Under load every connection is busy and skips the check; a quiet intranet keeps it.

Trusted is not blind: a server that ends a connection (``pg_terminate_backend``, a restart, a
crash) says so on the socket ("terminating connection …", then end of file), so a trusted
connection whose socket has anything to read between requests is checked like an idle one, and
replaced before the request's first query. That costs one ``poll()`` system call, no round trip.
A connection dropped in the middle of a request cannot be saved that way: the request is
answered 503 with Retry-After (``config/unavailable.py``), never 500.
"""

from __future__ import annotations

import select
import time

import psycopg
from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper

TRUSTED_FOR = 2.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    used_ok_at = float("-inf")  # time.monotonic() at the end of the last request that used it
    _used = False  # a cursor was made since the last request boundary

    def prepared_cursor(self) -> CursorWrapper:
        """Like ``cursor()``, but server-side binding (prepared after a few runs)."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(psycopg.Cursor(self.connection))  # type: ignore[attr-defined]  # Django's, not in the stubs

    def close_if_unusable_or_obsolete(self) -> None:
        # Called when a request starts and when it finishes: a request that made a cursor and
        # had no database error stamps the time; then the next request starts unused.
        if self._used and self.connection is not None and not self.errors_occurred:
            self.used_ok_at = time.monotonic()
        self._used = False
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        self._used = True  # called by every cursor() before its first query
        if (
            self.connection is not None
            and self.health_check_enabled  # type: ignore[attr-defined]  # Django 5.1+, not in the stubs
            and not self.health_check_done  # type: ignore[has-type]  # set by Django's base class
            and time.monotonic() - self.used_ok_at < TRUSTED_FOR
            and self._socket_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _socket_quiet(self) -> bool:
        """Nothing to read on an idle connection: the server has not ended it. Between requests
        a connection that LISTENs for nothing receives nothing, so anything readable (a FATAL
        message, end of file, an error) sends the connection to the real check."""
        if self.connection.closed or self.connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, psycopg.Error):
            return False

    def connect(self) -> None:
        super().connect()
        # Just opened, so good now; its own set-up queries are no request's use.
        self.used_ok_at, self._used = time.monotonic(), False

    def close(self) -> None:
        self.used_ok_at = float("-inf")
        super().close()
