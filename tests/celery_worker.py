"""A real Celery worker on the configured broker (Redis in CI, the filesystem broker locally)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from config.celery import app


@contextmanager
def running_worker() -> Iterator[str]:
    """Start a worker thread on the real broker and yield the name of a queue only it consumes.

    A private queue keeps a `make run` worker on the same checkout (or another CI run on the
    same Redis) from taking the test's tasks: send them with ``apply_async(queue=…)``."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    with start_worker(
        app, pool="solo", queues=[queue], perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"
    ):
        yield queue


def wait_for(condition: Callable[[], bool], *, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
