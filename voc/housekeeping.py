"""Routine clean-up of what expires: sessions, stale login-failure counters and API tokens."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.authtoken.models import Token


def purge_expired() -> dict[str, int]:
    """Delete sessions past expiry, login-failure counters older than the lock-out window and
    API tokens past ``VOC_API_TOKEN_DAYS`` (refused already; a dead key is no key to keep).

    Returns the counts deleted; a second run straight after deletes nothing."""
    now = timezone.now()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()
    tokens, _ = Token.objects.filter(created__lte=now - timedelta(days=settings.VOC_API_TOKEN_DAYS)).delete()
    return {"sessions": sessions, "login_attempts": attempts, "api_tokens": tokens}
