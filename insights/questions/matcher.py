"""How notes are matched to open questions: numpy and scikit-learn, no database.

Two rules, measured in bench/questions.py (bench/README.md, "Questions: the product's matcher"):

- **By wording**, for a question leads have not yet taught (fewer than ``MIN_CONFIRMED``
  confirmed notes): a note counts when its cosine with the question's own vector reaches
  ``ZERO_SHOT_THRESHOLD`` and comes within ``ZERO_SHOT_MARGIN`` of the note's best such question.
- **The probe**, for the taught questions together: a multinomial logistic regression over the
  stored note vectors. Each taught question is a class of its own vector (weighing
  ``QUESTION_WEIGHT`` notes) and its confirmed notes; one more class, "none of them", is a sample
  of the installation's notes (``BACKGROUND_NOTES``), weighing together as much as
  ``BACKGROUND_CLASSES`` average questions. A note counts for its most probable question when
  that probability reaches ``PROBE_THRESHOLD`` and "none of them" is not more probable. The
  background is what lets the probe say that a note asks none of the questions, however few are
  open.

A question's matcher is one stored vector and a bias either way (for the probe: its class's
coefficients and intercept minus those of "none of them", whose logit is then 0), so matching a
note is one matrix product. Confirming a note refits the probe: no note is embedded again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ZERO_SHOT_THRESHOLD = 0.76
ZERO_SHOT_MARGIN = 0.04
# Notes this far under the wording bar (and best for the question) are suggested to leads, not
# counted: the wording alone misses most notes (bench/README.md), so a wide band gives leads
# something to teach the question with.
SUGGEST_BAND_ZERO_SHOT = 0.20
# A question joins the probe with this many confirmed notes.
MIN_CONFIRMED = 3
PROBE_THRESHOLD = 0.2
# Notes whose best taught question is at least this probable, but under the threshold, are
# suggested to leads.
PROBE_SUGGEST_FROM = 0.1
QUESTION_WEIGHT = 5.0
BACKGROUND_CLASSES = 10.0
BACKGROUND_NOTES = 1000
# Fewer notes than this to contrast with, and taught questions stay matched by their wording.
BACKGROUND_MIN = 100
PROBE_C = 10.0
NO_BIAS = math.nan  # the bias of a question matched by its wording (stored as NULL)


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)


@dataclass(frozen=True)
class Probe:
    weights: np.ndarray  # k x d, float32: each taught question's coefficients minus "none of them"'s
    biases: np.ndarray  # k, float32: the same for the intercepts


def fit_probe(questions: np.ndarray, confirmed: Sequence[np.ndarray], background: np.ndarray) -> Probe:
    """The probe over taught questions (rows of ``questions``, their ``confirmed`` notes, n_i x d
    each, copies counted once) against ``background`` notes (m x d, at least one)."""
    from sklearn.linear_model import LogisticRegression  # heavy: workers only

    k = len(questions)
    rows: list[np.ndarray] = []
    labels: list[int] = []
    weights: list[float] = []
    for label, (question, examples) in enumerate(zip(questions, confirmed, strict=True)):
        # The same words logged twice are one example.
        examples = np.unique(examples, axis=0) if len(examples) else examples
        rows += [unit(question), *examples]
        labels += [label] * (1 + len(examples))
        weights += [QUESTION_WEIGHT] + [1.0] * len(examples)
    per_background_note = BACKGROUND_CLASSES * (sum(weights) / k) / len(background)
    rows += list(background)
    labels += [k] * len(background)
    weights += [per_background_note] * len(background)
    model = LogisticRegression(C=PROBE_C, max_iter=3000)
    model.fit(np.stack(rows), np.array(labels), sample_weight=np.array(weights))
    if k == 1:  # scikit-learn fits two classes as one logit: "none of them" (label 1) against it
        coef, intercept = -model.coef_, -model.intercept_
    else:
        coef, intercept = model.coef_[:k] - model.coef_[k], model.intercept_[:k] - model.intercept_[k]
    return Probe(weights=coef.astype(np.float32), biases=intercept.astype(np.float32))


def probabilities(notes: np.ndarray, weights: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """n x k: each note's probability of asking each taught question ("none of them" takes the rest)."""
    logits = notes @ weights.T + biases[None, :]
    top = np.maximum(logits.max(axis=1, keepdims=True), 0.0)  # 0: the logit of "none of them"
    exp = np.exp(logits - top)
    return exp / (np.exp(-top) + exp.sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class Decision:
    counted: list[tuple[int, float]]  # (column, score), best first
    suggested: tuple[int, float] | None  # the one question to show leads when none counted it


def decide(notes: np.ndarray, weights: np.ndarray, biases: np.ndarray) -> list[Decision]:
    """For each note (rows of ``notes``), the open questions (columns: rows of ``weights``, q x d)
    it counts for and, when none, the one to suggest. A question whose bias is NaN is matched by
    its wording (``weights`` is its unit vector; the score is the cosine); the others by the probe
    they were fitted in together (the score is the probability)."""
    if len(notes) == 0 or len(weights) == 0:
        return [Decision([], None) for _ in range(len(notes))]
    by_wording = np.isnan(biases)
    wording = np.flatnonzero(by_wording)
    probed = np.flatnonzero(~by_wording)
    cosines = notes @ weights[wording].T
    probs = probabilities(notes, weights[probed], biases[probed]) if len(probed) else np.zeros((len(notes), 0))
    result = []
    for row_cos, row_probs in zip(cosines, probs, strict=True):
        counted: list[tuple[int, float]] = []
        near: list[tuple[int, float]] = []
        if len(probed):
            best = int(row_probs.argmax())
            p = float(row_probs[best])
            if p >= PROBE_THRESHOLD and p >= 1.0 - float(row_probs.sum()):  # and above "none of them"
                counted.append((int(probed[best]), p))
            elif p >= PROBE_SUGGEST_FROM:
                near.append((int(probed[best]), p))
        if len(wording):
            top = float(row_cos.max())
            for j in np.flatnonzero((row_cos >= ZERO_SHOT_THRESHOLD) & (row_cos >= top - ZERO_SHOT_MARGIN)):
                counted.append((int(wording[j]), float(row_cos[j])))
            best = int(row_cos.argmax())
            if top >= ZERO_SHOT_THRESHOLD - SUGGEST_BAND_ZERO_SHOT and not near:
                near.append((int(wording[best]), top))
        counted.sort(key=lambda hit: -hit[1])
        result.append(Decision(counted, None if counted or not near else near[0]))
    return result
