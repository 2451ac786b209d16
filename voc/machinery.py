"""The health of the machinery, for admins: workers and beat alive (last heartbeat), queue
lengths, background jobs that failed or were retried in the last day, and whatever the other
apps add (failed deliveries, notes waiting for a vector) through ``voc.desk``."""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from voc.emails import site_url_problem
from voc.models import Heartbeat, JobEvent

log = logging.getLogger(__name__)

STALE = timedelta(minutes=5)  # beat sends the heartbeat every minute
QUEUES = ("celery",)


def worker_alive(*, hostname: str = "", now: datetime | None = None) -> None:
    """A worker ran the heartbeat task (beat sends it every minute)."""
    name = f"worker {hostname or socket.gethostname()}"[:200]
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": now or timezone.now()})


def beat_last_seen() -> datetime | None:
    """When beat last sent a scheduled task (django-celery-beat saves it every few minutes)."""
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.aggregate(last=Max("last_run_at"))["last"]


def job_event(*, task: str, outcome: str, error: BaseException | None) -> None:
    """Record a failed or retried job (the exception's class only), never raising."""
    try:
        JobEvent.objects.create(task=task[:200], outcome=outcome, error=type(error).__name__ if error else "")
    except Exception:
        log.warning("could not record a %s job event for %s", outcome, task, exc_info=True)


def queue_lengths() -> dict[str, int | None]:
    """Messages waiting in each queue (None when the broker cannot say)."""
    from config.celery import app

    lengths: dict[str, int | None] = {}
    try:
        with app.connection_for_read(settings.CELERY_BROKER_URL) as connection:
            channel: Any = connection.default_channel
            for queue in QUEUES:
                try:
                    lengths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:  # noqa: BLE001 - a queue not declared yet holds nothing
                    lengths[queue] = 0
    except Exception:  # noqa: BLE001 - the broker is down: the health item says so
        return dict.fromkeys(QUEUES)
    return lengths


def items() -> list[Any]:
    from voc.desk import FIGURES, OVERDUE, TODO, Item

    now = timezone.now()
    result = []
    seen: list[tuple[str, datetime | None]] = [(h.name, h.seen_at) for h in Heartbeat.objects.order_by("name")]
    if not seen:
        result.append(Item(TODO, _("No worker has reported yet: is one running?"), state=OVERDUE, order=0))
    seen.append((str(_("Beat (the scheduler)")), beat_last_seen()))
    for label, at in seen:
        late = at is None or now - at > STALE
        when = date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT") if at else _("never")
        title = _("%(what)s: silent since %(when)s") if late else _("%(what)s: alive")
        result.append(
            Item(
                TODO if late else FIGURES,
                title % {"what": label, "when": when},
                detail=_("Last seen %(when)s") % {"when": when},
                state=OVERDUE if late else "",
                order=1,
            )
        )
    for queue, length in queue_lengths().items():
        result.append(
            Item(
                FIGURES,
                _("Queue “%(queue)s”") % {"queue": queue},
                count=length,
                detail=_("messages waiting") if length is not None else _("the broker does not answer"),
                state=OVERDUE if length is None else "",
                order=2,
            )
        )
    problem = site_url_problem()
    result.append(
        Item(
            TODO if problem else FIGURES,
            problem or _("Links in e-mails open %(url)s") % {"url": settings.VOC_SITE_URL},
            state=OVERDUE if problem else "",
            order=2,
        )
    )
    since = now - timedelta(days=1)
    events = (
        JobEvent.objects.filter(at__gte=since)
        .values("task", "outcome")
        .annotate(n=Count("id"), last=Max("at"))
        .order_by("outcome", "-n")
    )
    for event in events[:10]:
        failed = event["outcome"] == JobEvent.Outcome.FAILED
        result.append(
            Item(
                TODO if failed else FIGURES,
                (
                    ngettext(
                        "%(task)s failed once in the last day",
                        "%(task)s failed %(n)d times in the last day",
                        event["n"],
                    )
                    if failed
                    else ngettext(
                        "%(task)s was retried once in the last day",
                        "%(task)s was retried %(n)d times in the last day",
                        event["n"],
                    )
                )
                % {"task": event["task"], "n": event["n"]},
                url=reverse("admin:voc_jobevent_changelist"),
                state=OVERDUE if failed else "",
                order=3,
            )
        )
    return result
