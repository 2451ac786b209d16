"""The real path: a Celery worker on the real broker renders the PDF and sends through a real
SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from newsletter import services, tasks
from newsletter.models import Delivery, Issue
from tests.celery_worker import running_worker, wait_for
from tests.newsletter.conftest import TODAY, WEEK


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_pdf_and_emails_every_reader_once_over_smtp(
    add_notes, cast, lead, smtp_server, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    add_notes(5, caused_by_us=True, text="You charged me twice for the same transfer")
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    with running_worker() as queue:
        monkeypatch.setattr(
            services,
            "_queue_delivery",
            lambda issue_id=None, pack_id=None, countdown=0: tasks.deliver.apply_async(
                kwargs={"issue_id": issue_id, "pack_id": pack_id}, queue=queue
            ),
        )
        monkeypatch.setattr(services, "_queue_pdf", lambda issue: None)
        services.approve_issue(issue=issue, by=lead)
        services.send_issue(issue=issue)
        assert wait_for(lambda: len(smtp_server.messages) == len(cast), seconds=120), smtp_server.messages
        assert wait_for(lambda: not Delivery.objects.exclude(status=Delivery.Status.SENT).exists())
        services.send_issue(issue=Issue.objects.get(pk=issue.pk))  # the job again: nothing new goes out
        tasks.deliver.apply_async(kwargs={"issue_id": issue.pk}, queue=queue).get(timeout=60)
    assert sorted(r[0] for r, _ in smtp_server.messages) == sorted(u.email for u in cast.values())
    parsed = message_from_bytes(smtp_server.messages[0][1])
    parts = {p.get_content_type(): p for p in parsed.walk()}
    assert {"text/plain", "text/html", "application/pdf"} <= set(parts)
    assert parts["application/pdf"].get_payload(decode=True).startswith(b"%PDF")
    assert Issue.objects.get(pk=issue.pk).pdf_rendered_at is not None
