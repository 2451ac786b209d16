"""Calling webhooks: addresses checked when registered and again when called (public http(s)
only, never the product itself), JSON signed with HMAC-SHA256, sent once per event through the
claims of ``voc.outbox``, retried with backoff when the other side fails or is unreachable.

The receiver checks ``X-Listening-Post-Signature`` (``sha256=`` and the hex HMAC of
``<X-Listening-Post-Timestamp>.<body>`` with the webhook's secret) and may drop a repeated
``X-Listening-Post-Delivery``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from insights.following.models import Webhook, WebhookCall
from voc import outbox
from voc.errors import DomainError

TIMEOUT = 10  # seconds, to connect and to answer
RETRY_STATUSES = {408, 425, 429}  # 4xx answers that say "later", not "never"


class CallFailed(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def new_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check_url(url: str) -> str:
    """``url`` if a webhook may call it, else ``DomainError``: http or https, no credentials,
    not the product itself, and (unless ``VOC_WEBHOOK_ALLOW_PRIVATE``) only public addresses."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(_("Give an http:// or https:// address."), field="url")
    if parts.username or parts.password:
        raise DomainError(_("Put no user name or password in the address; the calls are signed instead."), field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise DomainError(_("The port of this address is not a number from 1 to 65535."), field="url") from None
    if _is_the_product(parts.hostname, port):
        raise DomainError(_("A webhook cannot call Listening Post itself."), field="url")
    addresses(parts.hostname, port)
    return url.strip()


def _is_the_product(host: str, port: int) -> bool:
    site = urlsplit(str(settings.VOC_SITE_URL))
    site_port = site.port or (443 if site.scheme == "https" else 80)
    if site.hostname and host.lower() == site.hostname.lower() and port == site_port:
        return True
    names = {h.lower().lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")}
    return not _is_ip(host) and any(host.lower() == n or host.lower().endswith("." + n) for n in names if not _is_ip(n))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def addresses(host: str, port: int) -> list[str]:
    """The IP addresses ``host`` resolves to, all of them allowed, else ``DomainError``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DomainError(_("This address's host name does not resolve."), field="url") from None
    found = sorted({str(info[4][0]) for info in infos})
    if not settings.VOC_WEBHOOK_ALLOW_PRIVATE and not all(ipaddress.ip_address(ip).is_global for ip in found):
        raise DomainError(
            _("This address is on a private or local network; webhooks call public addresses only."), field="url"
        )
    return found


class _Pinned(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to next."""

    def __init__(self, host: str, port: int, ip: str) -> None:
        super().__init__(host, port, timeout=TIMEOUT)
        self.ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.ip, self.port), self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=TIMEOUT, context=self.tls)
        self.ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self.ip, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


class WebhookTransport:
    """POSTs each call's payload to its webhook (``voc.outbox.Transport``)."""

    def send(self, call: WebhookCall) -> None:
        webhook = call.webhook
        try:
            url = check_url(webhook.url)
        except DomainError as exc:
            raise CallFailed(exc.message, permanent=True) from None
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = addresses(host, port)[0]
        connection: http.client.HTTPConnection = (_PinnedTLS if parts.scheme == "https" else _Pinned)(host, port, ip)
        body = json.dumps(call.payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "ListeningPost-Webhook/1",
            "X-Listening-Post-Event": call.event_key,
            "X-Listening-Post-Delivery": str(call.pk),
            "X-Listening-Post-Timestamp": timestamp,
            "X-Listening-Post-Signature": sign(webhook.secret, timestamp, body),
        }
        try:
            connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""), body, headers)
            response = connection.getresponse()
            response.read(65536)
        finally:
            connection.close()
        WebhookCall.objects.filter(pk=call.pk).update(response_status=response.status)
        if not 200 <= response.status < 300:
            permanent = response.status < 500 and response.status not in RETRY_STATUSES
            raise CallFailed(f"HTTP {response.status} {response.reason}", permanent=permanent)

    def is_permanent(self, exc: Exception) -> bool:
        return isinstance(exc, CallFailed) and exc.permanent

    def reset(self) -> None:
        """Each call opens its own connection."""


def call_pending() -> outbox.Run:
    """Post every claimable call of an active webhook once."""
    rows = WebhookCall.objects.filter(webhook__active=True).select_related("webhook")
    return outbox.send_all(rows, WebhookTransport())


def register(*, name: str, url: str, department: str = "", subscription: Any = None, language: str = "") -> Webhook:
    """A new webhook with a fresh signing secret, its address checked."""
    if not department and subscription is None:
        raise DomainError(_("Choose a subscription or a department for this webhook."))
    return Webhook.objects.create(
        name=name,
        url=check_url(url),
        secret=new_secret(),
        department=department,
        subscription=subscription,
        language=language or settings.LANGUAGE_CODE,
    )
