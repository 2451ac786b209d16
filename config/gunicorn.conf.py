"""gunicorn settings for the web processes: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Options given on the command line (``--bind``, ``--workers`` …) override the values here, and
bench/capture.py serves the API with this file, so it measures what production runs.

Sync workers, one per core (``WEB_CONCURRENCY`` to change): on the 2-core reference machine,
which also runs PostgreSQL, two sync workers answered 300 note POSTs a second with the lowest
tail latency; more processes, or threads, cost more CPU a request (bench/README.md, "Capture
with config/gunicorn.conf.py"). A sync worker serves one request at a time on its own connection,
so the next request goes to whichever worker is free; a slow client would hold one, hence the
buffering proxy in front (README, "Deploying for real"). Exports stream, PDFs are rendered by Celery, and
``timeout`` restarts a worker whose request hangs.
"""

from __future__ import annotations

import os

bind = os.environ.get("VOC_BIND", "0.0.0.0:8000")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
timeout = 120  # a sync worker silent this long (a hung request) is restarted; exports stream well within it


def post_worker_init(worker: object) -> None:
    """Recorded notes are handed to Celery by a thread of the worker, many per publish."""
    from insights.tasks import embedding_queue  # Django is set up in the worker, not in this file

    embedding_queue.start_background()


def worker_exit(server: object, worker: object) -> None:
    """A worker stopping (deploy, SIGTERM) publishes the notes it still holds."""
    from insights.tasks import embedding_queue  # Django is set up in the worker, not in this file

    embedding_queue.stop()
