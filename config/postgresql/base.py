"""Django's PostgreSQL backend, with a health check that skips connections busy a moment ago.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` before the first query of every request,
a round trip and a third of the queries of a note POST. That check is there for connections
that sat idle while the server restarted or a firewall dropped them. A connection that finished
a request without a database error less than ``TRUSTED_FOR`` seconds ago is trusted instead;
one idle for longer, or whose last request hit a database error, is checked as before (and
Django closes it when the check fails). Under load every connection is busy and skips the
check; a quiet intranet keeps it.
"""

from __future__ import annotations

import time

from django.db.backends.postgresql import base

TRUSTED_FOR = 2.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    used_ok_at = float("-inf")  # time.monotonic() at the end of the last request that used it

    def close_if_unusable_or_obsolete(self) -> None:
        # Called when a request starts and when it finishes; only a request that used this
        # connection (its health check done or skipped) without a database error counts.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.used_ok_at = time.monotonic()
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and time.monotonic() - self.used_ok_at < TRUSTED_FOR
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close(self) -> None:
        self.used_ok_at = float("-inf")
        super().close()
