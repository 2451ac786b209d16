"""Sending: every claimable delivery of an issue or a pack e-mailed exactly once, retried with
backoff on mail-server errors."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from newsletter import emails, services
from newsletter.models import Delivery, Issue, MonthlyPack

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=15)
# A delivery still waiting this long after it became due has no living task behind it: the
# ``deliver`` task that held it died (a worker killed, a broker restarted without persistence).
STALLED_AFTER = timedelta(minutes=5)


def _claimable(now: datetime) -> Q:
    stale = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - LEASE, attempts__lt=MAX_ATTEMPTS)
    due = Q(status=Delivery.Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return due | stale


def stalled(*, now: datetime | None = None) -> list[tuple[int | None, int | None]]:
    """``(issue_id, pack_id)`` of every issue and pack with a delivery that nobody is sending:
    pending for longer than ``STALLED_AFTER`` after it became due, or claimed by a worker whose
    lease ran out -- and nothing of it claimed or sent within ``STALLED_AFTER`` (a live sender
    is left alone), nor an issue whose PDF failed to render. The delivery sweep queues
    ``deliver`` for each; should a live sender get a second one all the same, the claims keep
    anything from being sent twice."""
    now = now or timezone.now()
    overdue = now - STALLED_AFTER
    waiting = Q(status=Delivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True, created_at__lt=overdue) | Q(next_attempt_at__lt=overdue)
    )
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=now - LEASE)
    # A sender that claimed or sent anything of the same issue or pack lately is alive, merely
    # slow: a second sender would only add SMTP connections.
    recent = Delivery.objects.filter(Q(claimed_at__gte=overdue) | Q(sent_at__gte=overdue)).filter(
        Q(issue_id=OuterRef("issue_id"), issue_id__isnull=False) | Q(pack_id=OuterRef("pack_id"), pack_id__isnull=False)
    )
    # An issue whose PDF fails to render waits (its error is on the issue page) until a render
    # succeeds; re-queueing it every few minutes would only fail again.
    unrenderable = Q(issue__pdf_rendered_at__isnull=True) & ~Q(issue__pdf_error="")
    return list(
        Delivery.objects.filter(waiting | abandoned)
        .exclude(unrenderable)
        .exclude(Exists(recent))
        .order_by()
        .values_list("issue_id", "pack_id")
        .distinct()
    )


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer is the server's final word about this recipient or message; a 4xx answer
    (mailbox busy, greylisting, quota) is worth another try."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    code = getattr(exc, "smtp_code", None)
    return isinstance(exc, smtplib.SMTPResponseException) and isinstance(code, int) and code >= 500


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class DeliveryRun:
    sent: int
    failed: int
    retry_in: float | None  # seconds until the next pending delivery is due, if any


def deliver_pending(*, issue: Issue | None = None, pack: MonthlyPack | None = None) -> DeliveryRun:
    """E-mail every claimable delivery of ``issue`` (or ``pack``) once.

    Each delivery is claimed by a conditional UPDATE (pending → sending) before its message goes
    out and marked sent right after, so two workers, or a job run twice, never send it twice. A
    worker that dies between the SMTP server's "250 OK" and the UPDATE leaves the delivery
    *sending*; after ``LEASE`` it is sent again (at least once for that one message; its
    Message-ID is stable so mail servers can drop the copy). Mail-server errors are retried with
    backoff up to ``MAX_ATTEMPTS``, and so is a message that cannot be built (a template error);
    5xx refusals fail at once with the server's reason. Every write after the claim is tied to
    that claim, so a worker that outlived its lease cannot overwrite a newer attempt."""
    owner = Q(issue=issue) if issue is not None else Q(pack=pack)
    sent = failed = 0
    # A claim that outlived its lease on the last allowed attempt is not retried: it failed.
    failed += Delivery.objects.filter(
        owner, status=Delivery.Status.SENDING, claimed_at__lt=timezone.now() - LEASE, attempts__gte=MAX_ATTEMPTS
    ).update(status=Delivery.Status.FAILED, error="The sending worker stopped during the last attempt.")
    connection = None
    try:
        for pk in list(Delivery.objects.filter(owner, _claimable(timezone.now())).values_list("pk", flat=True)):
            now = timezone.now()
            claimed = Delivery.objects.filter(_claimable(now), pk=pk).update(
                status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
            if not claimed:
                continue  # another worker has it
            delivery = Delivery.objects.select_related("recipient", "issue", "pack").get(pk=pk)
            mine = Delivery.objects.filter(pk=pk, status=Delivery.Status.SENDING, claimed_at=now)  # this claim only
            try:
                message = emails.build_message(delivery)
            except Exception as exc:  # noqa: BLE001 - a template or attachment fault, retried like a mail-server error
                failed += _fail(mine, delivery, exc, final=delivery.attempts >= MAX_ATTEMPTS)
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                message.connection = connection
                message.send()
            except (smtplib.SMTPException, OSError) as exc:
                failed += _fail(mine, delivery, exc, final=is_permanent(exc) or delivery.attempts >= MAX_ATTEMPTS)
                _drop(connection)
                connection = None
            else:
                mine.update(status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
                sent += 1
    finally:
        _drop(connection)
    return DeliveryRun(sent=sent, failed=failed, retry_in=_next_due(owner))


def _next_due(owner: Q) -> float | None:
    """Seconds until a delivery of ``owner`` can next be claimed: a pending one's next attempt,
    or the end of the lease of one a stopped worker left *sending*; None when nothing is left."""
    now = timezone.now()
    dues = [
        delivery.next_attempt_at or now
        for delivery in Delivery.objects.filter(owner, status=Delivery.Status.PENDING).order_by(
            F("next_attempt_at").asc(nulls_first=True)
        )[:1]
    ]
    dues += [
        claimed_at + LEASE
        for claimed_at in Delivery.objects.filter(owner, status=Delivery.Status.SENDING, attempts__lt=MAX_ATTEMPTS)
        .order_by("claimed_at")
        .values_list("claimed_at", flat=True)[:1]
        if claimed_at is not None  # a row marked sending by hand, never claimed: nothing to wait for
    ]
    return max((min(dues) - now).total_seconds(), 0) if dues else None


def _fail(mine: QuerySet[Delivery], delivery: Delivery, exc: Exception, *, final: bool) -> int:
    reason = f"{type(exc).__name__}: {exc}"[:300]
    # ids only: a mail server's message quotes addresses; the redacted reason is on the delivery
    log.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, type(exc).__name__)
    if final:
        mine.update(status=Delivery.Status.FAILED, error=reason)
        return 1
    mine.update(
        status=Delivery.Status.PENDING, error=reason, next_attempt_at=timezone.now() + backoff(delivery.attempts)
    )
    return 0


def _drop(connection: BaseEmailBackend | None) -> None:
    if connection is not None:
        try:
            connection.close()
        except Exception:
            log.debug("closing a broken mail connection failed", exc_info=True)


def deliver(*, issue_id: int | None, pack_id: int | None) -> DeliveryRun:
    """E-mail the pending deliveries of an issue or a pack (``deliver_pending``), rendering the
    issue's PDF first when it has none: the e-mail carries it."""
    issue = Issue.objects.get(pk=issue_id) if issue_id else None
    pack = MonthlyPack.objects.get(pk=pack_id) if pack_id else None
    if issue is not None and not issue.pdf_rendered_at:
        services.render_issue_pdf(issue=issue)
    return deliver_pending(issue=issue, pack=pack)
