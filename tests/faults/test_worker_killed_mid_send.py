"""A worker killed (SIGKILL) in the middle of a newsletter send: a new worker and the delivery
sweep finish it, every reader e-mailed exactly once, through a real broker, worker and SMTP server."""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from config.celery import app
from newsletter import delivery, services, tasks
from newsletter.models import Delivery, Fact, Issue
from tests.celery_worker import wait_for
from tests.factories import UserFactory
from tests.faults.conftest import celery_worker, free_port, kill_group
from voc.models import User

READERS = 8
HOLD_AT = 3  # the SMTP server keeps the worker waiting on the third message


class Inbox:
    """Accepts every message except the HOLD_AT-th, which it holds until released, then refuses
    (the worker that sent it is dead by then: that message was never delivered)."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.holding = threading.Event()
        self.release = threading.Event()
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == HOLD_AT:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 try again later"
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    handler.release.set()
    controller.stop()


def queue(task, redis_url: str, **kwargs) -> None:
    with app.connection_for_write(redis_url) as conn:
        task.apply_async(kwargs=kwargs, connection=conn)


@pytest.mark.worker
def test_a_send_whose_worker_was_killed_resumes_and_every_reader_gets_exactly_one_email(
    redis, service_env, spawn, inbox, settings, tmp_path, lead, monkeypatch
):
    handler, port = inbox
    settings.MEDIA_ROOT = tmp_path / "media"
    for n in range(READERS):
        UserFactory(username=f"reader{n}", role=User.Role.HQ, email=f"reader{n}@example.com")
    issue = Issue.objects.create(
        week_start=date(2026, 11, 2), status=Issue.Status.APPROVED, approved_by=lead,
        approved_at=timezone.now(),
    )  # fmt: skip
    Fact.objects.create(
        issue=issue, key="thanks", position=0, number=12, base=40, period_start=issue.week_start,
        period_end=issue.week_start + timedelta(days=6),
        sentence_en="12 customers called to thank us.", sentence_es="12 clientes llamaron para darnos las gracias.",
    )  # fmt: skip
    issue.pdf.save("issue.pdf", ContentFile(b"%PDF-1.7 fault test"), save=False)
    issue.pdf_rendered_at = timezone.now()
    issue.save()
    monkeypatch.setattr(services, "_queue_delivery", lambda **kwargs: None)  # queued below, on the test's broker
    services.send_issue(issue=issue, by=lead)
    readers = sorted(Delivery.objects.filter(issue=issue).values_list("email", flat=True))
    assert len(readers) >= READERS

    env = {**service_env, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_TIMEOUT": "60"}  # fmt: skip
    first = spawn("worker-1", celery_worker("faults-first"), env)
    queue(tasks.deliver, service_env["CELERY_BROKER_URL"], issue_id=issue.pk)
    assert handler.holding.wait(60), first.log_path.read_text()[-3000:]
    kill_group(first)  # SIGKILL while the SMTP server has not yet answered the third message
    handler.release.set()

    assert len(handler.accepted) == HOLD_AT - 1
    statuses = dict(Delivery.objects.filter(issue=issue).values_list("email", "status"))
    assert sorted(statuses.values()).count(Delivery.Status.SENDING) == 1  # the claim it died holding
    assert list(statuses.values()).count(Delivery.Status.PENDING) == len(readers) - HOLD_AT

    # Time passes: past the dead claim's lease, and long enough for the rest to count as stalled.
    gone = delivery.LEASE + delivery.STALLED_AFTER
    Delivery.objects.filter(issue=issue).update(created_at=F("created_at") - gone)
    Delivery.objects.filter(issue=issue, status=Delivery.Status.SENDING).update(claimed_at=F("claimed_at") - gone)
    Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).update(
        claimed_at=F("claimed_at") - gone, sent_at=F("sent_at") - gone
    )

    second = spawn("worker-2", celery_worker("faults-second"), env)
    queue(tasks.resume_deliveries, service_env["CELERY_BROKER_URL"])  # what beat runs every five minutes
    done = wait_for(
        lambda: not Delivery.objects.filter(issue=issue).exclude(status=Delivery.Status.SENT).exists(), seconds=60
    )
    assert done, second.log_path.read_text()[-3000:]
    assert sorted(handler.accepted) == readers  # each reader once: none lost, none twice
