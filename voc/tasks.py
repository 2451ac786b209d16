"""Celery adapters for voc services."""

from celery import shared_task

from voc import housekeeping, imports


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def purge_expired() -> dict[str, int]:
    """Delete expired sessions and stale login attempts. At least once; idempotent."""
    return housekeeping.purge_expired()


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def run_import(job_id: int) -> None:
    """Import an uploaded CSV. At least once; the job is claimed first, so a redelivery is a no-op."""
    imports.run_import_job(job_id)
