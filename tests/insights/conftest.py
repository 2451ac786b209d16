"""Notes and questions with hand-made vectors, so theme and question logic is tested without the encoder."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings

from insights.models import NoteVector
from insights.questions import matcher
from insights.questions import services as question_services
from insights.questions.models import Question
from voc.notes import services

DIMS = 16


def direction(index: int) -> np.ndarray:
    vector = np.zeros(DIMS, dtype=np.float32)
    vector[index] = 1.0
    return vector


@pytest.fixture
def make_note(agent):
    """``make_note("text", axis=0)``: a note whose vector points along ``axis`` (plus a little noise)."""
    rng = np.random.default_rng(3)

    def make(text: str, *, axis: int, lemmas: str = "", noise: float = 0.05, **fields):
        note, _ = services.record_note(
            agent=fields.pop("agent", agent), kind=fields.pop("kind", "need"), text=text, channel="phone", **fields
        )
        vector = direction(axis) + noise * rng.normal(size=DIMS).astype(np.float32)
        vector /= np.linalg.norm(vector)
        NoteVector.objects.create(
            note=note, encoder="test", vector=vector.astype(np.float32).tobytes(), lemmas=lemmas or text.lower()
        )
        return note

    return make


@pytest.fixture
def make_question(hq):
    """``make_question("text", vector)``: asked by hq, embedded as ``vector`` and fitted, as the
    worker would (without the encoder)."""

    def make(text: str, vector: np.ndarray, *, by=None, **fields) -> Question:
        question = question_services.ask_question(by=by or hq, text=text, **fields)
        question.vector = matcher.unit(vector).tobytes()
        question.encoder = settings.VOC_ENCODER
        return question_services.refit(question=question)

    return make


@pytest.fixture
def note_at(agent):
    """``note_at("text", vector)``: a note logged by the agent (or ``agent=``), stored with ``vector``."""

    def make(text: str, vector: np.ndarray, **fields):
        note, _ = services.record_note(
            agent=fields.pop("agent", agent), kind=fields.pop("kind", "question"), text=text, channel="phone", **fields
        )
        NoteVector.objects.create(note=note, encoder="test", vector=matcher.unit(vector).tobytes(), lemmas="")
        return note

    return make
