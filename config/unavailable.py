"""The 500 handler: a database that dropped the connection (or is briefly away) answers 503.

A PostgreSQL connection ended by the server in the middle of a request (``pg_terminate_backend``,
a restart, a failover) raises ``OperationalError`` or ``InterfaceError`` from whatever query comes
next. Nothing is half-written: every service that writes several rows runs in one transaction,
which the server rolls back with the connection. The request is answered 503 with
``Retry-After`` so clients and the proxy try again; Django closes the broken connection when the
request ends, and the next request opens a new one. Any other error is the usual 500 page.

The handler runs inside Django's exception handling, for errors raised by views and middleware
alike, so it must not touch the database: templates render without the request's context
processors.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

RETRY_AFTER_SECONDS = 2


# SQLSTATEs of a connection that is gone: class 08 (connection exception), and the server
# shutting down or refusing connections (57P01-57P03). A statement timeout (57014), a lock
# timeout or a missing table is a fault of the request or of the code: a 500, not "try again".
_CONNECTION_GONE = frozenset({"57P01", "57P02", "57P03"})


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` says the database connection was lost, not that a query was wrong."""
    if isinstance(exc, InterfaceError):
        return True  # Django's "connection already closed"
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if cause is None:
        return True  # raised by Django itself about the connection, not by the driver
    if not hasattr(cause, "sqlstate"):
        return False  # another driver's error (SQLite's "no such table", "database is locked")
    state = cause.sqlstate  # type: ignore[attr-defined]  # psycopg's errors carry it (checked above)
    return state is None or state.startswith("08") or state in _CONNECTION_GONE


def server_error(request: HttpRequest) -> HttpResponse:
    if not database_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("The service is briefly unavailable. Please try again in a moment.")}, status=503
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
