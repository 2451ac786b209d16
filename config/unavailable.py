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


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


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
