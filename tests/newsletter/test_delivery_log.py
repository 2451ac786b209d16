"""A failed delivery leaves no address in the log, and its stored reason is redacted."""

from __future__ import annotations

import logging
import smtplib

import pytest
from django.core import mail

from newsletter import delivery, services
from newsletter.models import Delivery
from tests.newsletter.conftest import TODAY, WEEK

pytestmark = pytest.mark.django_db


def test_a_refused_recipient_is_logged_by_id_and_stored_without_the_address(add_notes, cast, monkeypatch, caplog):
    add_notes(5, caused_by_us=True, text="You charged me twice for the same transfer")
    issue, _ = services.prepare_weekly_issue(week_start=WEEK, today=TODAY)
    issue = services.approve_issue(issue=issue, by=cast["lead"])
    services.send_issue(issue=issue)
    refused = cast["hq"].email
    assert refused

    def refuse(self, *args, **kwargs):
        if self.to[0] == refused:
            raise smtplib.SMTPRecipientsRefused({refused: (550, b"No such user")})
        return 1

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", refuse)
    with caplog.at_level(logging.WARNING, logger="voc.outbox"):
        delivery.deliver_pending(issue=issue)
    failed = Delivery.objects.get(recipient=cast["hq"])
    assert failed.status == Delivery.Status.FAILED
    assert "No such user" in failed.error and refused not in failed.error
    logged = [r.getMessage() for r in caplog.records if r.name == "voc.outbox"]
    assert logged == [f"Delivery {failed.pk} failed (attempt 1): SMTPRecipientsRefused"]
