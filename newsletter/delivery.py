"""Sending: every claimable delivery of an issue or a pack e-mailed exactly once, retried with
backoff on mail-server errors."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from newsletter import emails, services
from newsletter.models import Delivery, Issue, MonthlyPack
from voc import outbox

LEASE = outbox.LEASE
# A delivery still waiting this long after it became due has no living task behind it: the
# ``deliver`` task that held it died (a worker killed, a broker restarted without persistence).
STALLED_AFTER = timedelta(minutes=5)


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


def deliver_pending(*, issue: Issue | None = None, pack: MonthlyPack | None = None) -> outbox.Run:
    """E-mail every claimable delivery of ``issue`` (or ``pack``) once (``voc.outbox``: claimed
    before sending, retried with backoff, 5xx refusals failed at once with the server's reason)."""
    owner = Q(issue=issue) if issue is not None else Q(pack=pack)
    rows = Delivery.objects.filter(owner).select_related("recipient", "issue", "pack")
    return outbox.send_all(rows, outbox.MailTransport(emails.build_message))


def deliver(*, issue_id: int | None, pack_id: int | None) -> outbox.Run:
    """E-mail the pending deliveries of an issue or a pack (``deliver_pending``), rendering the
    issue's PDF first when it has none: the e-mail carries it."""
    issue = Issue.objects.get(pk=issue_id) if issue_id else None
    pack = MonthlyPack.objects.get(pk=pack_id) if pack_id else None
    if issue is not None and not issue.pdf_rendered_at:
        services.render_issue_pdf(issue=issue)
    return deliver_pending(issue=issue, pack=pack)
