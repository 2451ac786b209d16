"""Queueing recorded notes for embedding: every note handed to Celery once, after its commit;
inline before the caller returns, or in the background (gunicorn) in few publishes and without
making the caller wait for the broker."""

from __future__ import annotations

import itertools
import runpy
import threading
import time

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token

from insights import tasks
from insights.embedding_queue import CHUNK, EmbeddingQueue


class Recorder:
    """A stand-in for ``embed_notes.delay`` that can be slow, or fail once."""

    def __init__(self, delay: float = 0.0, fail_once: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.delay = delay
        self.fail_once = fail_once
        self.lock = threading.Lock()

    def __call__(self, ids: list[int]) -> None:
        time.sleep(self.delay)
        if self.fail_once:
            self.fail_once = False
            raise ConnectionError("broker down")
        with self.lock:
            self.batches.append(list(ids))

    @property
    def ids(self) -> list[int]:
        return [note_id for batch in self.batches for note_id in batch]


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def background():
    """A queue publishing from its thread, stopped after the test."""
    queues: list[EmbeddingQueue] = []

    def make(published: Recorder, **kwargs) -> EmbeddingQueue:
        queue = EmbeddingQueue(published, **kwargs)
        queue.start_background()
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        queue.stop()


def test_inline_a_caller_has_its_notes_published_before_it_returns():
    published = Recorder()
    queue = EmbeddingQueue(published)
    for note_id in range(1, 4):
        queue.add([note_id])
        assert published.batches[-1] == [note_id]
    assert published.batches == [[1], [2], [3]]


def test_many_ids_go_out_in_chunks():
    published = Recorder()
    EmbeddingQueue(published).add(list(range(CHUNK * 2 + 5)))
    assert [len(batch) for batch in published.batches] == [CHUNK, CHUNK, 5]
    assert published.ids == list(range(CHUNK * 2 + 5))


def test_inline_a_failed_publish_reaches_the_caller_and_the_next_note_goes_out(caplog):
    published = Recorder(fail_once=True)
    queue = EmbeddingQueue(published)
    with pytest.raises(ConnectionError):
        queue.add([1])
    assert "nightly backfill" in caplog.text
    queue.add([2])
    assert published.batches == [[2]]


def test_in_the_background_a_caller_never_waits_for_the_broker(background):
    published = Recorder(delay=2.0)  # a slow broker
    queue = background(published, interval=0.01)
    started = time.monotonic()
    queue.add([1])
    queue.add([2])
    assert time.monotonic() - started < 1.0
    wait_for(lambda: sorted(published.ids) == [1, 2])


def test_in_the_background_concurrent_callers_share_publishes_and_no_note_is_lost_or_repeated(background):
    published = Recorder(delay=0.002)
    queue = background(published, interval=0.02)
    threads, per_thread = 24, 60
    start = threading.Barrier(threads)

    def record(first: int) -> None:
        start.wait()
        for note_id in range(first, first + per_thread):
            queue.add([note_id])
            time.sleep(0.001)

    workers = [threading.Thread(target=record, args=(n * per_thread,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wait_for(lambda: len(published.ids) >= threads * per_thread)
    assert sorted(published.ids) == list(range(threads * per_thread))
    assert len(published.batches) < threads * per_thread / 4


def test_a_full_chunk_goes_out_without_waiting_for_the_interval(background):
    published = Recorder()
    queue = background(published, interval=60)
    queue.add(list(range(CHUNK)))
    wait_for(lambda: published.batches == [list(range(CHUNK))], timeout=2)


def test_in_the_background_a_failed_publish_is_tried_again_before_newer_notes(background, caplog):
    published = Recorder(fail_once=True)
    queue = background(published, interval=0.01, retry_after=0.05)
    queue.add([1, 2])
    wait_for(lambda: "not queued for embedding yet" in caplog.text)
    queue.add([3])
    wait_for(lambda: published.ids == [1, 2, 3])


def test_while_the_broker_stays_down_retries_wait_longer_each_time(background):
    attempts: list[float] = []

    def publish(ids: list[int]) -> None:
        attempts.append(time.monotonic())
        if len(attempts) <= 3:
            raise ConnectionError("broker down")

    queue = background(publish, interval=0.01, retry_after=0.1)
    queue.add([1])
    wait_for(lambda: len(attempts) == 4)
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.1 and gaps[1] >= 0.2 and gaps[2] >= 0.4


def test_stopping_during_a_retry_wait_publishes_at_once():
    published = Recorder(fail_once=True)
    queue = EmbeddingQueue(published, interval=0.01, retry_after=30)
    queue.start_background()
    queue.add([1, 2])
    wait_for(lambda: not published.fail_once)  # the first publish failed: a 30 s wait begins
    started = time.monotonic()
    queue.stop()
    assert time.monotonic() - started < 5
    assert published.ids == [1, 2]


def test_stopping_with_the_broker_down_leaves_the_notes_to_the_backfill_and_says_so(caplog):
    def publish(ids: list[int]) -> None:
        raise ConnectionError("broker down")

    queue = EmbeddingQueue(publish, interval=60)
    queue.start_background()
    queue.add([1, 2, 3])
    queue.stop()  # a worker exiting must not fail on it
    assert "3 notes not queued for embedding; the nightly backfill will take them" in caplog.text


def test_stopping_publishes_what_is_left_and_goes_back_to_inline():
    published = Recorder()
    queue = EmbeddingQueue(published, interval=60)
    queue.start_background()
    queue.add([1, 2])
    assert published.ids == []  # waiting for the next turn
    queue.stop()
    assert published.ids == [1, 2]
    queue.add([3])
    assert published.batches[-1] == [3]


def test_at_most_max_pending_notes_wait_and_the_oldest_are_left_to_the_backfill(caplog, monkeypatch):
    monkeypatch.setattr(EmbeddingQueue, "MAX_PENDING", 5)
    published = Recorder()
    queue = EmbeddingQueue(published, interval=60)
    queue.start_background()
    queue.add(list(range(1, 9)))
    assert "3 notes (ids 1 to 3) not queued" in caplog.text
    queue.stop()
    assert published.ids == [4, 5, 6, 7, 8]


def test_gunicorn_workers_publish_in_the_background_and_flush_on_exit(monkeypatch):
    hooks = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    published = Recorder()
    monkeypatch.setattr(tasks, "embedding_queue", EmbeddingQueue(published, interval=60))
    hooks["post_worker_init"](object())
    try:
        tasks.queue_embedding(sender=None, note_ids=[7])
        assert published.ids == []
    finally:
        hooks["worker_exit"](object(), object())
    assert published.ids == [7]


@pytest.mark.django_db
def test_every_note_posted_through_the_api_is_queued_once_after_commit(
    agent, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.embed_notes, "delay", lambda ids: queued.append(ids))
    token = Token.objects.create(user=agent)

    def post(external_id: str) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/api/v1/notes/",
                {"kind": "need", "text": "Card has not arrived", "channel": "phone", "external_id": external_id},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Token {token.key}",
            )
        return response.json()["id"]

    first, retried, second = post("CRM-1"), post("CRM-1"), post("CRM-2")
    assert retried == first != second
    assert queued == [[first], [second]]  # a retry is no new note and no new embedding
