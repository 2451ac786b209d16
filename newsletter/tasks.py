"""Celery adapters for newsletter services: ids in, one service call each; retry policy here."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from newsletter import delivery, demo, services
from newsletter.models import Issue


@shared_task(acks_late=True)
def draft_weekly_issue() -> int:
    """Monday morning: draft last week's issue. Safe to run twice (one issue per ISO week)."""
    return services.draft_last_week(today=timezone.localdate()).pk


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def render_issue_pdf(issue_id: int) -> str:
    """Render (again) an issue's PDF. At least once; rendering twice only replaces the file."""
    return services.render_issue_pdf(issue=Issue.objects.get(pk=issue_id)).pdf.name


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def deliver(self: object, issue_id: int | None = None, pack_id: int | None = None) -> dict[str, int]:
    """E-mail the pending deliveries of an issue or a pack: exactly once per recipient (see
    ``delivery.deliver_pending``), then come back when the next retry is due. If the PDF cannot
    be rendered the task retries with backoff; the deliveries wait, nothing is lost."""
    run = delivery.deliver(issue_id=issue_id, pack_id=pack_id)
    if run.retry_in is not None:
        deliver.apply_async(kwargs={"issue_id": issue_id, "pack_id": pack_id}, countdown=max(run.retry_in, 1))
    return {"sent": run.sent, "failed": run.failed}


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_test_issue(issue_id: int, user_id: int) -> None:
    """An editor's test e-mail of an issue. At least once: a retry may send the test twice."""
    services.deliver_test(issue_id=issue_id, user_id=user_id)


@shared_task(acks_late=True)
def resume_deliveries() -> int:
    """Every five minutes: queue ``deliver`` for each issue or pack whose sending stopped (a
    worker killed mid-send, a lost message; see ``delivery.stalled``), so it resumes within
    minutes instead of waiting for the broker to hand the dead task out again. Safe to run twice:
    deliveries are claimed one by one, so each reader still gets one e-mail."""
    owners = delivery.stalled()
    for issue_id, pack_id in owners:
        deliver.delay(issue_id=issue_id, pack_id=pack_id)
    return len(owners)


@shared_task(acks_late=True)
def send_due() -> list[int]:
    """Every few minutes: send approved issues whose automatic sending time has passed."""
    return services.send_due_issues()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def monthly_pack() -> int:
    """First of the month: render last month's head-office pack and e-mail it. Safe to run twice
    (one pack per month, one delivery per person)."""
    return services.publish_last_month_pack(today=timezone.localdate()).pk


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def seed_demo_issues() -> dict[str, int]:
    """After the demo themes: an archive of past issues, last week's draft and last month's pack."""
    return demo.seed_issues()


def queue_demo_issues(sender: object, **kwargs: object) -> None:
    """insights.signals.demo_themes_ready handler."""
    seed_demo_issues.delay()
