"""Celery adapters for insights services: ids in, one service call each.

Services are imported inside the tasks: this module is imported by every process at start-up
(the signal handler lives here), and spaCy, torch and scikit-learn belong only in workers."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from celery import shared_task
from django.utils import timezone

from insights import trends

CHUNK = 256
log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def embed_notes(self, note_ids: list[int]) -> int:
    """Embed and assign these notes. At least once; notes already embedded are skipped, and on
    the last retry the notes that still fail are flagged instead of lost."""
    from insights import services

    return services.embed_notes(note_ids=note_ids, final_attempt=self.request.retries >= self.max_retries)


@shared_task(acks_late=True)
def backfill_vectors() -> int:
    """Fan the notes that have no vector out over the workers, in chunks. Safe to run twice."""
    from insights import services

    chunks = services.notes_without_vectors(chunk=CHUNK)
    for ids in chunks:
        embed_notes.delay(ids)
    return len(chunks)


@shared_task(acks_late=True)
def discover() -> int:
    """Nightly: propose themes for notes without one. Safe to run twice (grouped notes are taken)."""
    from insights import services

    return len(services.discover_themes())


@shared_task(acks_late=True)
def detect_spikes() -> int:
    """Monday morning: spikes of the week that just ended against the weeks before it."""
    from insights import services

    return len(services.detect_spikes(week=trends.last_complete_week(timezone.localdate())))


class EmbeddingQueue:
    """Hands recorded notes to ``embed_notes``: one publish for the notes of many requests.

    A Celery publish costs about 1 ms of a web process's CPU, up to a fifth of a note POST. So
    the first caller to find nothing pending collects: notes that other threads record in the
    meantime join its batch and their callers return at once. When the last batch had company
    (concurrent requests), the collector first waits out what is left of ``window`` seconds
    since the last publish (or until a CHUNK is pending), so a busy process publishes about
    once a window. A lone caller (a test, a command, a quiet intranet) never waits: its notes
    are handed to Celery before it returns, as one ``embed_notes.delay`` per CHUNK of ids.

    Every note is thus published after its commit by the process that recorded it, unless the
    process dies first (as with one publish per note) or the publish fails: the error reaches
    the collector, and the nightly ``backfill_vectors`` embeds what was missed."""

    def __init__(self, publish: Callable[[list[int]], object], *, window: float = 0.05) -> None:
        self.publish = publish
        self.window = window
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[int] = []
        self._collecting = False  # a caller owns the pending notes and will publish them
        self._publishing = False  # a publish is under way (one at a time, in order)
        self._joined = 0  # calls that joined the pending batch
        self._busy = False  # the last batch had company: the next collector waits for more
        self._last = 0.0  # time.monotonic() of the last publish

    def add(self, note_ids: list[int]) -> None:
        with self._cond:
            self._pending.extend(note_ids)
            if self._collecting:
                self._joined += 1
                if len(self._pending) >= CHUNK:
                    self._cond.notify_all()
                return
            self._collecting, self._joined = True, 0
            try:
                self._wait_for_turn()
            except BaseException:
                self._collecting = False  # what is pending goes with the next caller
                raise
            batch, self._pending = self._pending, []
            self._busy, self._collecting = self._joined > 0, False
            self._publishing, self._last = True, time.monotonic()
        try:
            for i in range(0, len(batch), CHUNK):
                try:
                    self.publish(batch[i : i + CHUNK])
                except BaseException:
                    log.error("notes %s not queued for embedding; the nightly backfill will take them", batch[i:])
                    raise
        finally:
            with self._cond:
                self._publishing = False
                self._cond.notify_all()

    def _wait_for_turn(self) -> None:
        """Until the previous publish is done and, when busy, the window is over (lock held)."""
        while self._publishing or (self._busy and len(self._pending) < CHUNK):
            left = None if self._publishing else self._last + self.window - time.monotonic()
            if left is not None and left <= 0:
                return
            self._cond.wait(left)


_embedding_queue = EmbeddingQueue(lambda ids: embed_notes.delay(ids))


def queue_embedding(sender: object, note_ids: list[int], **kwargs: object) -> None:
    """voc.signals.notes_recorded handler (already after commit): embed in a worker."""
    _embedding_queue.add(list(note_ids))


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def seed_demo_themes() -> dict[str, int]:
    """After seed_demo: embed the demo notes, discover and accept demo themes. Idempotent."""
    from insights import demo, signals

    result = demo.seed_themes()
    signals.demo_themes_ready.send(sender=seed_demo_themes)
    return result


def queue_demo_themes(sender: object, **kwargs: object) -> None:
    """voc.signals.demo_seeded handler."""
    seed_demo_themes.delay()
