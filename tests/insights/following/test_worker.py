"""The real path: a Celery worker on the real broker sends the waiting e-mails through a real
SMTP server and posts the waiting webhook calls to a real HTTP server, each once."""

from __future__ import annotations

import json
from email import message_from_bytes

import pytest

from insights import tasks
from insights.actions import services as actions
from insights.following import services, webhooks
from insights.models import Mail, WebhookCall
from insights.services import accept_theme
from tests.celery_worker import running_worker, wait_for
from tests.factories import ThemeFactory
from tests.insights.following.test_webhooks import Receiver
from voc.models import Outgoing


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_emails_followers_and_calls_the_webhook_once(smtp_server, hq, lead, settings):
    settings.VOC_WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver()
    theme = ThemeFactory(name="Card not arrived")
    accept_theme(theme=theme, by=lead)
    lead.email, lead.language = "marta@example.com", "es"
    lead.save()
    services.follow(user=lead, theme=theme, alert_email=True)
    webhooks.register(name="Cards team", url=receiver.url, department="Cards")
    actions.record_action(by=hq, title="New courier", department="Cards", themes=[theme], status="done")
    try:
        with running_worker() as queue:
            for _run in range(2):  # the second run finds nothing left to send
                tasks.send_following_mail.apply_async(queue=queue).get(timeout=60)
                tasks.call_webhooks.apply_async(queue=queue).get(timeout=60)
            assert wait_for(lambda: len(smtp_server.messages) == 1 and len(receiver.requests) == 1)
    finally:
        receiver.server.shutdown()
    ((recipients, raw),) = smtp_server.messages
    parsed = message_from_bytes(raw)
    assert recipients == ["marta@example.com"]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "New courier" in str(parsed["Subject"]) or "New_courier" in str(parsed["Subject"])
    assert json.loads(receiver.requests[0][1])["event"].startswith("action:")
    assert Mail.objects.get().status == WebhookCall.objects.get().status == Outgoing.Status.SENT
