"""Celery adapters for voc services."""

from typing import Any

from celery import shared_task
from django.utils import timezone

from voc import housekeeping, machinery, periods
from voc.notes import import_jobs
from voc.programme.cases import services as cases
from voc.programme.listening import services as listening


@shared_task(bind=True, ignore_result=True, expires=120)
def heartbeat(self: Any) -> None:
    """Every minute (beat): the worker that runs it is alive. Safe to run twice."""
    machinery.worker_alive(hostname=self.request.hostname or "")


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def purge_expired() -> dict[str, int]:
    """Delete expired sessions and stale login attempts. At least once; idempotent."""
    return housekeeping.purge_expired()


@shared_task(acks_late=True, autoretry_for=import_jobs.TRANSIENT, retry_backoff=True, max_retries=3)
def run_import(job_id: int) -> None:
    """Import an uploaded CSV. At least once; the job is claimed first, so a redelivery is a no-op.
    A large file is imported over several runs: each queues the next, resuming after the last
    committed row. A transient fault leaves the job queued and is retried here (and, once retries
    run out, by the hourly housekeeping)."""
    import_jobs.run_import_job(job_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def import_housekeeping() -> dict[str, int]:
    """Hourly: queue again imports whose worker died, delete import files past retention.
    At least once; safe to run twice (a second run finds nothing more to resume or delete)."""
    counts = import_jobs.purge_expired_imports()
    counts["resumed"] = import_jobs.resume_stalled_imports()
    return counts


@shared_task(acks_late=True)
def assign_cases() -> int:
    """Weekdays at 07:00: on the month's first working day, give every active executive a case.
    Safe to run twice (one case per executive per month); other days it does nothing."""
    today = timezone.localdate()
    if not periods.is_first_working_day(today):
        return 0
    return len(cases.assign_monthly_cases(month=periods.month_start(today)).assigned)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def notify_case_assigned(case_id: int, who: str) -> None:
    """E-mail the executive or the buddy of a new case; retried if the mail server is down
    (the daily reminder reaches the executive anyway)."""
    cases.notify_assigned(case_id, who)


@shared_task(acks_late=True)
def case_reminders() -> dict[str, int]:
    """Weekday mornings: remind executives of ageing cases, escalate unacknowledged ones to the
    admins. Safe to run twice (each case is reminded at most once per reminder period)."""
    return cases.send_reminders()


@shared_task(acks_late=True)
def listening_nudges() -> int:
    """Monday morning: a gentle e-mail to those behind on their listening. One per person per week."""
    return listening.nudge_behind()
