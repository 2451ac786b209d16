"""Questions with hand-made vectors (16 dimensions, as the notes of tests/insights/conftest.py)."""

from __future__ import annotations

import numpy as np

from insights.questions import matcher
from tests.insights.conftest import DIMS, direction

__all__ = ["DIMS", "direction", "toward"]


def toward(axis: int, other: int, weight: float) -> np.ndarray:
    """A unit vector mostly along ``axis``, leaning ``weight`` toward ``other``."""
    return matcher.unit(direction(axis) + weight * direction(other))
