"""Notes with hand-made vectors, so theme logic is tested without the encoder."""

from __future__ import annotations

import numpy as np
import pytest

from insights.models import NoteVector
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
