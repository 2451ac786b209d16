"""Questions with hand-made vectors (16 dimensions, as the notes of tests/insights/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest
from django.conf import settings

from insights.questions import matcher, services
from insights.questions.models import Question
from tests.insights.conftest import DIMS, direction

__all__ = ["DIMS", "direction", "toward"]


def toward(axis: int, other: int, weight: float) -> np.ndarray:
    """A unit vector mostly along ``axis``, leaning ``weight`` toward ``other``."""
    return matcher.unit(direction(axis) + weight * direction(other))


@pytest.fixture
def make_question(hq):
    """``make_question("text", vector)``: asked by hq, embedded as ``vector`` and fitted, as the
    worker would (without the encoder)."""

    def make(text: str, vector: np.ndarray, *, by=None, **fields) -> Question:
        question = services.ask_question(by=by or hq, text=text, **fields)
        question.vector = matcher.unit(vector).tobytes()
        question.encoder = settings.VOC_ENCODER
        return services.refit(question=question)

    return make


@pytest.fixture
def note_at(agent):
    """``note_at("text", vector)``: a note logged by the agent (or ``agent=``), stored with ``vector``."""
    from insights.models import NoteVector
    from voc.notes import services as notes

    def make(text: str, vector: np.ndarray, **fields):
        note, _ = notes.record_note(
            agent=fields.pop("agent", agent), kind=fields.pop("kind", "question"), text=text, channel="phone", **fields
        )
        NoteVector.objects.create(note=note, encoder="test", vector=matcher.unit(vector).tobytes(), lemmas="")
        return note

    return make
