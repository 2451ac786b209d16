"""Queueing recorded notes for embedding: every note handed to Celery once, after its commit,
in few publishes when many requests record notes at once, and at once for a lone caller."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from insights import tasks
from insights.tasks import CHUNK, EmbeddingQueue


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


def test_a_lone_caller_has_its_notes_published_before_it_returns():
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


def test_concurrent_callers_share_publishes_and_no_note_is_lost_or_repeated():
    published = Recorder(delay=0.002)
    queue = EmbeddingQueue(published, window=0.02)
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
    assert sorted(published.ids) == list(range(threads * per_thread))
    assert len(published.batches) < threads * per_thread / 4


def test_after_a_busy_spell_a_lone_caller_still_publishes_before_returning():
    published = Recorder(delay=0.005)
    queue = EmbeddingQueue(published, window=0.05)
    helpers = [threading.Thread(target=queue.add, args=([n],)) for n in range(8)]
    for helper in helpers:
        helper.start()
    for helper in helpers:
        helper.join()
    queue.add([100])
    assert published.batches[-1] == [100]
    assert sorted(published.ids) == [*range(8), 100]


def test_a_failed_publish_reaches_the_caller_and_the_next_note_goes_out(caplog):
    published = Recorder(fail_once=True)
    queue = EmbeddingQueue(published)
    with pytest.raises(ConnectionError):
        queue.add([1])
    assert "nightly backfill" in caplog.text
    queue.add([2])
    assert published.batches == [[2]]


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
