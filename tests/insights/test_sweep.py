"""The vector sweep: recent notes whose queued message was lost are queued again within the
hour; notes the after-commit path is still handling, embedded or flagged notes are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from insights import services, tasks
from insights.models import NoteVector
from tests.factories import InsightFactory
from voc.models import Insight

pytestmark = pytest.mark.django_db


@pytest.fixture
def note_logged(agent):
    """``note_logged(minutes_ago=…)``: a note recorded that long ago, without a vector."""

    def make(*, minutes_ago: float) -> Insight:
        return InsightFactory(
            agent=agent, text="My card has not arrived", created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )

    return make


def test_only_recent_notes_without_any_vector_older_than_a_few_minutes_are_swept(note_logged):
    lost = note_logged(minutes_ago=40)
    also_lost = note_logged(minutes_ago=150)
    just_logged = note_logged(minutes_ago=2)  # the after-commit path is queueing it right now
    too_old = note_logged(minutes_ago=60 * 5)  # the nightly backfill's
    embedded = note_logged(minutes_ago=40)
    NoteVector.objects.create(note=embedded, encoder="minilm", vector=b"\0" * 4)
    flagged = note_logged(minutes_ago=40)
    NoteVector.objects.create(note=flagged, encoder="minilm", status=NoteVector.Status.FAILED, error="boom")

    assert services.missed_notes() == [[lost.pk, also_lost.pk]]
    assert {just_logged.pk, too_old.pk}.isdisjoint(*services.missed_notes())


def test_the_sweep_queues_missed_notes_in_chunks_and_is_safe_to_run_twice(note_logged, monkeypatch):
    published: list[list[int]] = []
    monkeypatch.setattr(tasks.embed_notes, "delay", published.append)
    monkeypatch.setattr(tasks, "CHUNK", 2)
    notes = [note_logged(minutes_ago=30) for _ in range(3)]
    assert tasks.sweep_vectors() == 3
    assert published == [[notes[0].pk, notes[1].pk], [notes[2].pk]]
    NoteVector.objects.bulk_create(NoteVector(note=n, encoder="minilm", vector=b"\0" * 4) for n in notes)
    assert tasks.sweep_vectors() == 0  # embedded meanwhile: nothing queued again
