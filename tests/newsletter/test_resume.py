"""The delivery sweep: a send whose worker died resumes within minutes, each reader still
e-mailed once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from newsletter import delivery, services, tasks
from newsletter.models import Delivery, Issue
from tests.newsletter.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(add_notes, cast, lead) -> Issue:
    """An issue sent to the cast: its deliveries created, no worker has taken them yet."""
    add_notes(5, caused_by_us=True, text="You charged me twice for the same transfer")
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    issue.pdf.save("issue.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    issue.pdf_rendered_at = timezone.now()
    issue.save()
    services.approve_issue(issue=issue, by=lead)
    services.send_issue(issue=issue)
    return Issue.objects.get(pk=issue.pk)


def minutes_ago(n: float):
    return timezone.now() - timedelta(minutes=n)


def test_a_send_just_started_or_retrying_on_time_or_claimed_within_its_lease_is_not_stalled(sent):
    first, second, third, *_rest = sent.deliveries.all()
    Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.SENDING, claimed_at=minutes_ago(14))
    Delivery.objects.filter(pk=second.pk).update(next_attempt_at=minutes_ago(-4))  # a backoff not yet due
    Delivery.objects.filter(pk=third.pk).update(status=Delivery.Status.SENT, sent_at=minutes_ago(60))
    assert delivery.stalled() == []


def test_deliveries_left_waiting_after_a_worker_died_are_stalled_once_per_issue(sent):
    sent.deliveries.update(created_at=minutes_ago(6))
    assert delivery.stalled() == [(sent.pk, None)]


def test_a_claim_whose_lease_ran_out_is_stalled_even_when_the_rest_was_sent(sent):
    sent.deliveries.update(status=Delivery.Status.SENT, sent_at=minutes_ago(6))
    claimed = sent.deliveries.first()
    Delivery.objects.filter(pk=claimed.pk).update(status=Delivery.Status.SENDING, claimed_at=minutes_ago(16))
    assert delivery.stalled() == [(sent.pk, None)]


def test_a_retry_overdue_by_minutes_is_stalled(sent):
    sent.deliveries.update(status=Delivery.Status.SENT, sent_at=minutes_ago(6))
    retrying = sent.deliveries.first()
    Delivery.objects.filter(pk=retrying.pk).update(status=Delivery.Status.PENDING, next_attempt_at=minutes_ago(6))
    assert delivery.stalled() == [(sent.pk, None)]


def test_a_send_that_is_alive_but_slow_gets_no_second_sender(sent):
    sent.deliveries.update(created_at=minutes_ago(30))  # a long list, still being worked through
    Delivery.objects.filter(pk=sent.deliveries.first().pk).update(status=Delivery.Status.SENT, sent_at=minutes_ago(1))
    assert delivery.stalled() == []
    sent.deliveries.filter(status=Delivery.Status.SENT).update(sent_at=minutes_ago(6))  # then it went quiet
    assert delivery.stalled() == [(sent.pk, None)]


def test_an_issue_whose_pdf_fails_to_render_is_not_requeued_until_a_render_succeeds(sent):
    sent.deliveries.update(created_at=minutes_ago(30))
    Issue.objects.filter(pk=sent.pk).update(pdf_rendered_at=None, pdf_error="OSError: no fonts")
    assert delivery.stalled() == []
    Issue.objects.filter(pk=sent.pk).update(pdf_rendered_at=timezone.now(), pdf_error="")
    assert delivery.stalled() == [(sent.pk, None)]


def test_the_sweep_run_twice_resumes_a_dead_send_and_each_reader_gets_one_email(sent, cast, monkeypatch):
    queued: list[dict] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda **kwargs: queued.append(kwargs))
    first, *_rest = sent.deliveries.all()
    # The worker died 20 minutes ago holding the first reader's claim; the rest never started.
    sent.deliveries.update(created_at=minutes_ago(20))
    Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.SENDING, claimed_at=minutes_ago(20), attempts=1)

    assert tasks.resume_deliveries() == 1
    assert tasks.resume_deliveries() == 1  # a second sweep before any worker ran: queued again
    assert queued == [{"issue_id": sent.pk, "pack_id": None}] * 2
    for kwargs in queued:  # both run: the claims keep it to one e-mail each
        tasks.deliver.run(**kwargs)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in cast.values())
    assert not sent.deliveries.exclude(status=Delivery.Status.SENT).exists()
    assert tasks.resume_deliveries() == 0
