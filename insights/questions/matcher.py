"""How a note is matched to a question: pure numpy, no database.

Measured in bench/question_matcher.py (Banking77, one plain question per intent; bench/README.md,
"Questions"): the recommended matcher is one vector per question, w = a·q + (1 - a)·p, with q
the question's own vector, p the normalised mean of its confirmed notes and a = 1 / (1 + n).
A note counts for a question when it scores at least the question's threshold and competes:
without confirmations it must reach ``ZERO_SHOT_THRESHOLD`` and come within ``ZERO_SHOT_MARGIN``
of its best open question; with ``MIN_CONFIRMED`` or more, the threshold is the 25th percentile
of the confirmed notes' leave-one-out scores plus 0.04 (at most their best) and the note must be
its best question.
Confirming a note changes w and the threshold only: no note is embedded again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ZERO_SHOT_THRESHOLD = 0.76
ZERO_SHOT_MARGIN = 0.04
LOO_PERCENTILE = 25
LOO_OFFSET = 0.04
# Notes this far under a question's threshold (and best for it) are suggested to leads, not
# counted. Until a question has confirmations its bar is the zero-shot one, which misses most
# notes (bench/README.md): a wide band gives leads something to teach it with.
SUGGEST_BAND_ZERO_SHOT = 0.20
SUGGEST_BAND = 0.06
# Below this many confirmations the leave-one-out scores are too few to set a threshold (not
# measured: the bench drew 5 and 20), so the zero-shot rule stays.
MIN_CONFIRMED = 3


def suggest_band(confirmed: int) -> float:
    return SUGGEST_BAND_ZERO_SHOT if confirmed < MIN_CONFIRMED else SUGGEST_BAND


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)


@dataclass(frozen=True)
class Matcher:
    weights: np.ndarray  # float32, L2-normalised q blended with the confirmed notes' mean
    threshold: float
    margin: float  # how far below the note's best question it may score and still count


def fit(question: np.ndarray, confirmed: np.ndarray) -> Matcher:
    """The matcher of a question with vector ``question`` and ``confirmed`` notes (n x d, copies
    counted once)."""
    q = unit(question)
    # The same words logged twice are one example: copies would make the confirmed notes look
    # tighter than they are and set the bar too high.
    confirmed = np.unique(confirmed, axis=0) if len(confirmed) else confirmed
    n = len(confirmed)
    if n < MIN_CONFIRMED:
        return Matcher(weights=q, threshold=ZERO_SHOT_THRESHOLD, margin=ZERO_SHOT_MARGIN)
    a = 1.0 / (1.0 + n)
    total = confirmed.sum(axis=0)
    weights = a * q + (1 - a) * unit(total)
    # Each confirmed note scored by the matcher built from the other n - 1.
    a_loo = 1.0 / n
    others = total[None, :] - confirmed
    others /= np.maximum(np.linalg.norm(others, axis=1, keepdims=True), 1e-12)
    loo = a_loo * (confirmed @ q) + (1 - a_loo) * np.einsum("nd,nd->n", confirmed, others)
    # Never above the most typical confirmed note's own score: confirmations that agree closely
    # would otherwise set a bar no note can reach (the offset was tuned on looser questions).
    threshold = min(float(np.percentile(loo, LOO_PERCENTILE)) + LOO_OFFSET, float(loo.max()))
    return Matcher(weights=weights.astype(np.float32), threshold=threshold, margin=0.0)


def best_matches(
    notes: np.ndarray, weights: np.ndarray, thresholds: np.ndarray, margins: np.ndarray
) -> list[list[tuple[int, float]]]:
    """For each note (rows of ``notes``), the questions (column indices of ``weights``, q x d)
    it counts for, with scores, best first: at or above the question's threshold and within
    the question's margin of the note's best score over all of them."""
    if len(notes) == 0 or len(weights) == 0:
        return [[] for _ in range(len(notes))]
    scores = notes @ weights.T
    best = scores.max(axis=1, keepdims=True)
    hits = (scores >= thresholds[None, :]) & (scores >= best - margins[None, :])
    result: list[list[tuple[int, float]]] = []
    for row, mask in zip(scores, hits, strict=True):
        columns = np.flatnonzero(mask)
        order = columns[np.argsort(-row[columns])]
        result.append([(int(k), float(row[k])) for k in order])
    return result
