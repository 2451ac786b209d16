"""Routine clean-up of what expires: sessions and stale login-failure counters."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def purge_expired() -> dict[str, int]:
    """Delete sessions past expiry and login-failure counters older than the lock-out window.

    Returns the counts deleted; a second run straight after deletes nothing."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()
    return {"sessions": sessions, "login_attempts": attempts}
