"""``/healthz``: is the database reachable, is the broker reachable.

200 when both are, 503 when either is not. Anyone (the load balancer) learns only that:
``{"status": "ok"}`` or ``{"status": "down"}``. Which part is down, and why, is for admins signed
in: exception names and timings tell an outsider what runs behind the site."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery import app
from voc.roles import Capability, has_capability


def check_database() -> str | None:
    """None when a query succeeds, else the reason."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return type(exc).__name__
    return None


def check_broker() -> str | None:
    """None when the broker accepts a connection within two seconds, else the reason."""
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return type(exc).__name__
    return None


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(reason is None for reason in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "down"}
    # Who is asking is read from the database: with it down, nobody is known to be an admin.
    if checks["database"] is None and has_capability(request.user, Capability.ADMINISTER):
        body["checks"] = {name: ("ok" if reason is None else f"down: {reason}") for name, reason in checks.items()}
        body["seconds"] = round(time.monotonic() - started, 3)
    return JsonResponse(body, status=200 if healthy else 503)
