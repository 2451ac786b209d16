"""The queue between a recorded note and its embedding: ids gathered in the web process and
published to ``insights.tasks.embed_notes`` in chunks, inline or from a background thread."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

CHUNK = 256  # note ids per embed_notes task
log = logging.getLogger(__name__)


class EmbeddingQueue:
    """Hands recorded notes to ``embed_notes``, inline or from a thread of the process.

    Inline (the default: tests, commands, the development server, Celery workers): the notes are
    published before ``add`` returns, one ``embed_notes.delay`` per CHUNK of ids, and a failed
    publish raises to the caller.

    In the background (gunicorn workers: ``config/gunicorn.conf.py`` calls ``start_background``):
    ``add`` only appends the ids to a list, and a thread publishes what has gathered every
    ``interval`` seconds, or as soon as a CHUNK is waiting. A publish costs about 1 ms of a web
    process's CPU, a quarter of a note POST; this way one publish carries the notes of many
    requests, and a slow or unreachable broker never delays a note's 201. A failed publish is
    tried again ``retry_after`` seconds later, then twice as long each time (up to a minute),
    keeping at most MAX_PENDING ids; ``stop`` (at worker exit) publishes what is left. The notes
    of a process killed between two turns, dropped beyond MAX_PENDING, or lost by a broker that
    restarted without persistence, are queued by the hourly ``sweep_vectors`` (older ones by the
    nightly ``backfill_vectors``)."""

    MAX_PENDING = 100_000

    def __init__(
        self, publish: Callable[[list[int]], object], *, interval: float = 0.1, retry_after: float = 1.0
    ) -> None:
        self.publish = publish
        self.interval = interval
        self.retry_after = retry_after
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._pending: list[int] = []
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._stop_requested = threading.Event()  # wakes a thread waiting to retry

    def add(self, note_ids: list[int]) -> None:
        with self._cond:
            if self._thread is not None:
                self._pending.extend(note_ids)
                self._trim()
                if len(self._pending) >= CHUNK:
                    self._cond.notify()
                return
        self._publish(list(note_ids))

    def start_background(self) -> None:
        with self._cond:
            if self._thread is None:
                self._stopping = False
                self._stop_requested.clear()
                self._thread = threading.Thread(target=self._run, name="embedding-queue", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Publish what is pending and go back to inline publishing (a gunicorn worker exiting)."""
        with self._cond:
            thread, self._stopping = self._thread, True
            self._cond.notify()
        self._stop_requested.set()
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():  # a publish hanging on the broker: what it holds waits for the backfill
                log.error("embedding queue still publishing after %s s; its notes go to the nightly backfill", timeout)
        with self._cond:
            self._thread, batch, self._pending = None, self._pending, []
        done = self._publish(batch, raise_errors=False)
        if done < len(batch):
            log.error("%d notes not queued for embedding; the nightly backfill will take them", len(batch) - done)

    def _run(self) -> None:
        failures = 0
        while True:
            with self._cond:
                if not self._stopping and len(self._pending) < CHUNK:
                    self._cond.wait(self.interval)
                if self._stopping:
                    return  # stop() publishes the rest
                batch, self._pending = self._pending, []
            done = self._publish(batch, raise_errors=False)
            if done == len(batch):
                failures = 0
                continue
            with self._cond:  # tried again at a later turn, before newer notes
                self._pending[:0] = batch[done:]
                self._trim()
            failures += 1  # the broker is down: wait longer each time, up to a minute
            self._stop_requested.wait(min(self.retry_after * 2 ** (failures - 1), 60.0))

    def _publish(self, ids: list[int], *, raise_errors: bool = True) -> int:
        """Publish ``ids`` in chunks; returns how many went out."""
        for i in range(0, len(ids), CHUNK):
            try:
                self.publish(ids[i : i + CHUNK])
            except BaseException:
                if raise_errors:
                    log.error("notes %s not queued for embedding; the nightly backfill will take them", ids[i:])
                    raise
                log.exception("%d notes not queued for embedding yet", len(ids) - i)
                return i
        return len(ids)

    def _trim(self) -> None:
        """Lock held: keep the newest MAX_PENDING ids (the hourly sweep queues the others)."""
        dropped = len(self._pending) - self.MAX_PENDING
        if dropped > 0:
            log.error(
                "%d notes (ids %d to %d) not queued for embedding; the nightly backfill will take them",
                dropped,
                min(self._pending[:dropped]),
                max(self._pending[:dropped]),
            )
            del self._pending[:dropped]
