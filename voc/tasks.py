"""Celery adapters for voc services."""

from celery import shared_task

from voc import housekeeping


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def purge_expired() -> dict[str, int]:
    """Delete expired sessions and stale login attempts. At least once; idempotent."""
    return housekeeping.purge_expired()
