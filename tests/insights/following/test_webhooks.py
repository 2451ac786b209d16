"""Webhooks: an admin registers an address per subscription or department; each event is posted
once, signed, retried with backoff when the receiver fails, and failures show in admin. The
receiver here is a real HTTP server on loopback."""

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from insights.actions import services as actions
from insights.following import services, webhooks
from insights.models import Webhook, WebhookCall
from insights.services import accept_theme
from tests.factories import ThemeFactory
from tests.insights.conftest import direction
from voc import outbox
from voc.errors import DomainError

pytestmark = pytest.mark.django_db


class Receiver:
    """A loopback HTTP server that records each POST and answers with ``status``."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/cards?team=1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.VOC_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    found = Receiver()
    yield found
    found.server.shutdown()


@pytest.fixture
def theme(lead):
    theme = ThemeFactory(name="Card not arrived")
    accept_theme(theme=theme, by=lead)
    return theme


def _done(hq, theme, capture):
    with capture(execute=True):
        return actions.record_action(by=hq, title="New courier", department="Cards", themes=[theme], status="done")


def test_a_departments_webhook_gets_its_action_once_signed(receiver, hq, theme, django_capture_on_commit_callbacks):
    hook = webhooks.register(name="Cards team", url=receiver.url, department="Cards")
    _done(hq, theme, django_capture_on_commit_callbacks)
    assert webhooks.call_pending().sent == 1
    assert webhooks.call_pending().sent == 0  # called again: nothing more
    ((headers, body),) = receiver.requests
    expected = hmac.new(
        hook.secret.encode(), headers["X-Listening-Post-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Listening-Post-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["title"] == "You said, we did: New courier"
    assert payload["text"].startswith("*You said, we did: New courier*")  # what Slack and Teams show
    assert payload["url"].endswith(reverse("action_detail", args=[WebhookCall.objects.get().event_key.split(":")[1]]))
    assert WebhookCall.objects.get().response_status == 200


def test_a_subscriptions_webhook_gets_its_alerts_and_another_department_hears_nothing(
    receiver, hq, burst_of, madrid, django_capture_on_commit_callbacks
):
    from insights.following import alerts

    subscription = services.follow(user=hq, site=madrid)
    webhooks.register(name="Elena's channel", url=receiver.url, subscription=subscription)
    webhooks.register(name="Loans", url=receiver.url + "&loans", department="Loans")
    burst_of(6, vector=direction(4))
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.run_alerts()  # run twice: still one call
    assert webhooks.call_pending().sent == 1
    assert len(receiver.requests) == 1
    assert "App crashes" in json.loads(receiver.requests[0][1])["details"]


def test_a_failing_receiver_is_retried_with_backoff_and_a_refusal_fails_at_once(
    receiver, hq, theme, django_capture_on_commit_callbacks
):
    webhooks.register(name="Cards team", url=receiver.url, department="Cards")
    _done(hq, theme, django_capture_on_commit_callbacks)
    receiver.status = 503
    run = webhooks.call_pending()
    call = WebhookCall.objects.get()
    assert (run.sent, call.status, call.attempts, call.response_status) == (0, "pending", 1, 503)
    assert call.next_attempt_at is not None and 50 < run.retry_in <= 60
    WebhookCall.objects.update(next_attempt_at=None)
    receiver.status = 404
    webhooks.call_pending()
    call.refresh_from_db()
    assert (call.status, call.attempts, call.error) == ("failed", 2, "CallFailed: HTTP 404 Not Found")
    assert len(receiver.requests) == 2


def test_an_unreachable_receiver_is_retried_not_lost(settings, hq, theme, django_capture_on_commit_callbacks):
    settings.VOC_WEBHOOK_ALLOW_PRIVATE = True
    closed = Receiver()
    url = closed.url
    closed.server.shutdown()
    closed.server.server_close()
    webhooks.register(name="Cards team", url=url, department="Cards")
    _done(hq, theme, django_capture_on_commit_callbacks)
    for _attempt in range(outbox.MAX_ATTEMPTS):
        webhooks.call_pending()
        WebhookCall.objects.update(next_attempt_at=None)
    call = WebhookCall.objects.get()
    assert (call.status, call.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert "ConnectionRefusedError" in call.error


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/x",
        "https://user:secret@hooks.example.com/x",
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://localhost/x",
        "https://nonexistent.invalid/x",
        "http://hooks.example.com:99999/x",
    ],
)
def test_addresses_a_webhook_may_not_call_are_refused(url):
    with pytest.raises(DomainError) as refused:
        webhooks.check_url(url)
    assert refused.value.field == "url"


def test_the_product_itself_is_refused_even_when_private_addresses_are_allowed(settings):
    settings.VOC_WEBHOOK_ALLOW_PRIVATE = True
    settings.VOC_SITE_URL = "http://127.0.0.1:8765"
    settings.ALLOWED_HOSTS = ["voc.intranet.example", "127.0.0.1"]
    for url in ("http://127.0.0.1:8765/api/v1/notes/", "https://voc.intranet.example/x"):
        with pytest.raises(DomainError):
            webhooks.check_url(url)
    assert webhooks.check_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"


def test_an_admin_registers_a_webhook_the_form_refuses_a_bad_address_and_failures_show(
    client_for, receiver, hq, theme, django_capture_on_commit_callbacks
):
    admin = client_for("admin")
    refused = admin.post(
        reverse("admin:insights_webhook_add"),
        {"name": "Cards", "url": "http://10.0.0.8/x", "department": "", "language": "en", "active": "on"},
    )
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "webhooks call public addresses only" not in page  # allowed by the receiver fixture …
    assert "Choose a subscription or a department" in page  # … but the form still wants an owner
    added = admin.post(
        reverse("admin:insights_webhook_add"),
        {
            "name": "Cards",
            "url": receiver.url,
            "department": "Cards",
            "language": "es",
            "active": "on",
            "calls-TOTAL_FORMS": "0",
            "calls-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    hook = Webhook.objects.get()
    assert len(hook.secret) == 64
    receiver.status = 400
    _done(hq, theme, django_capture_on_commit_callbacks)
    webhooks.call_pending()
    assert json.loads(receiver.requests[0][1])["title"].startswith("Nos lo dijisteis, lo hicimos")
    listing = admin.get(reverse("admin:insights_webhookcall_changelist")).content.decode()
    assert "HTTP 400" in listing
    detail = admin.get(reverse("admin:insights_webhook_change", args=[hook.pk])).content.decode()
    assert "HTTP 400" in detail and hook.secret in detail
