"""Exactly-once sending of outgoing rows (``voc.models.Outgoing``: e-mails, webhook calls).

Each row is claimed by a conditional UPDATE (waiting → sending) before it goes out and marked
sent right after, so two workers, or a job run twice, never send it twice. A worker that dies
between the other side's "OK" and the UPDATE leaves the row *sending*; after ``LEASE`` it is
sent again (at least once for that one message; e-mails keep a stable Message-ID and webhook
calls a stable delivery id, so the other side can drop the copy). Failures are retried with
backoff up to ``MAX_ATTEMPTS``; a failure the transport calls permanent fails at once. Every
write after the claim is tied to that claim, so a worker that outlived its lease cannot
overwrite a newer attempt.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from voc.models import Outgoing

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=15)


class Transport(Protocol):
    def send(self, row: Any) -> None:
        """Send ``row``'s message, or raise."""

    def is_permanent(self, exc: Exception) -> bool:
        """Whether another attempt cannot help."""

    def reset(self) -> None:
        """Forget a connection after a failure; called also when the run ends."""


@dataclass(frozen=True)
class Run:
    sent: int
    failed: int
    retry_in: float | None  # seconds until the next waiting row is due, if any


def claimable(now: datetime) -> Q:
    stale = Q(status=Outgoing.Status.SENDING, claimed_at__lt=now - LEASE, attempts__lt=MAX_ATTEMPTS)
    due = Q(status=Outgoing.Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return due | stale


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def send_all(rows: QuerySet[Any], transport: Transport) -> Run:
    """Send every claimable row of ``rows`` once through ``transport`` (see the module)."""
    sent = failed = 0
    # A claim that outlived its lease on the last allowed attempt is not retried: it failed.
    failed += rows.filter(
        status=Outgoing.Status.SENDING, claimed_at__lt=timezone.now() - LEASE, attempts__gte=MAX_ATTEMPTS
    ).update(status=Outgoing.Status.FAILED, error="The sending worker stopped during the last attempt.")
    model = rows.model
    try:
        for pk in list(rows.filter(claimable(timezone.now())).values_list("pk", flat=True)):
            now = timezone.now()
            claimed = model.objects.filter(claimable(now), pk=pk).update(
                status=Outgoing.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
            if not claimed:
                continue  # another worker has it
            row = rows.filter(pk=pk).get()
            mine = model.objects.filter(pk=pk, status=Outgoing.Status.SENDING, claimed_at=now)  # this claim only
            try:
                transport.send(row)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row and retried or failed
                failed += _fail(mine, row, exc, final=transport.is_permanent(exc) or row.attempts >= MAX_ATTEMPTS)
                transport.reset()
            else:
                mine.update(status=Outgoing.Status.SENT, sent_at=timezone.now(), error="")
                sent += 1
    finally:
        transport.reset()
    return Run(sent=sent, failed=failed, retry_in=next_due(rows))


def next_due(rows: QuerySet[Any]) -> float | None:
    """Seconds until a row of ``rows`` can next be claimed: a waiting one's next attempt, or the
    end of the lease of one a stopped worker left *sending*; None when nothing is left."""
    now = timezone.now()
    dues = [
        row.next_attempt_at or now
        for row in rows.filter(status=Outgoing.Status.PENDING).order_by(F("next_attempt_at").asc(nulls_first=True))[:1]
    ]
    dues += [
        claimed_at + LEASE
        for claimed_at in rows.filter(status=Outgoing.Status.SENDING, attempts__lt=MAX_ATTEMPTS)
        .order_by("claimed_at")
        .values_list("claimed_at", flat=True)[:1]
        if claimed_at is not None  # a row marked sending by hand, never claimed: nothing to wait for
    ]
    return max((min(dues) - now).total_seconds(), 0) if dues else None


def _fail(mine: QuerySet[Any], row: Outgoing, exc: Exception, *, final: bool) -> int:
    reason = f"{type(exc).__name__}: {exc}"[:300]
    # ids only: a mail server's message quotes addresses; the redacted reason is on the row
    log.warning("%s %s failed (attempt %s): %s", type(row).__name__, row.pk, row.attempts, type(exc).__name__)
    if final:
        mine.update(status=Outgoing.Status.FAILED, error=reason)
        return 1
    mine.update(status=Outgoing.Status.PENDING, error=reason, next_attempt_at=timezone.now() + backoff(row.attempts))
    return 0


def is_permanent_mail_error(exc: Exception) -> bool:
    """A 5xx answer is the server's final word about this recipient or message; a 4xx answer
    (mailbox busy, greylisting, quota) is worth another try, and so is a message that could not
    be built (a template error)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(exc, smtplib.SMTPResponseException) and isinstance(code, int) and code >= 500


class MailTransport:
    """Builds each row's e-mail with ``build`` and sends it on one SMTP connection, opened at
    the first message and dropped after a failure."""

    def __init__(self, build: Callable[[Any], EmailMessage]) -> None:
        self.build = build
        self.connection: BaseEmailBackend | None = None

    def send(self, row: Outgoing) -> None:
        message = self.build(row)
        if self.connection is None:
            self.connection = get_connection()
            self.connection.open()
        message.connection = self.connection
        message.send()

    def is_permanent(self, exc: Exception) -> bool:
        return is_permanent_mail_error(exc)

    def reset(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                log.debug("closing a broken mail connection failed", exc_info=True)
            self.connection = None
