import numpy as np
import pytest

from insights.questions import matcher
from tests.insights.questions.conftest import direction, toward


def test_without_confirmations_the_question_alone_matches_at_the_zero_shot_threshold():
    q = direction(0)
    fitted = matcher.fit(q, np.zeros((0, len(q)), dtype=np.float32))
    assert np.allclose(fitted.weights, q)
    assert fitted.threshold == matcher.ZERO_SHOT_THRESHOLD
    assert fitted.margin == matcher.ZERO_SHOT_MARGIN


def test_two_confirmations_are_too_few_to_set_a_threshold():
    q = direction(0)
    confirmed = np.stack([toward(0, 1, 0.5), toward(0, 2, 0.5)])
    assert matcher.fit(q, confirmed).threshold == matcher.ZERO_SHOT_THRESHOLD


def test_confirmed_notes_pull_the_matcher_toward_them_and_set_its_threshold():
    q = direction(0)
    confirmed = np.stack([toward(1, 0, 0.3), toward(1, 0, 0.35), toward(1, 0, 0.4), toward(1, 0, 0.45)])
    fitted = matcher.fit(q, confirmed)
    # a = 1 / (1 + 4): the confirmed notes weigh four times the question
    assert float(fitted.weights @ direction(1)) > float(fitted.weights @ direction(0))
    assert fitted.margin == 0.0
    others = confirmed.sum(0)[None, :] - confirmed
    others /= np.linalg.norm(others, axis=1, keepdims=True)
    loo = 0.25 * (confirmed @ q) + 0.75 * np.einsum("nd,nd->n", confirmed, others)
    assert fitted.threshold == pytest.approx(min(np.percentile(loo, 25) + 0.04, loo.max()))


def test_confirmations_that_agree_closely_never_set_a_bar_above_their_own_scores():
    confirmed = np.stack([toward(1, 2 + i, 0.05) for i in range(5)])
    fitted = matcher.fit(direction(0), confirmed)
    assert fitted.threshold <= 1.0
    assert float(confirmed.mean(0) @ fitted.weights) >= fitted.threshold


def test_a_note_counts_only_for_questions_within_the_margin_of_its_best():
    notes = np.stack([direction(0), direction(3)])
    weights = np.stack([direction(0), toward(0, 1, 0.2), toward(0, 1, 0.45)])
    thresholds = np.full(3, 0.76, dtype=np.float32)
    margins = np.full(3, 0.04, dtype=np.float32)
    first, second = matcher.best_matches(notes, weights, thresholds, margins)
    # 1.0, 0.98 (within 0.04 of the best) and 0.91 (not); the second note is near none
    assert [k for k, _ in first] == [0, 1]
    assert second == []


def test_with_no_open_question_nothing_matches():
    assert matcher.best_matches(np.stack([direction(0)]), np.zeros((0, 0)), np.zeros(0), np.zeros(0)) == [[]]


def test_copies_of_a_confirmed_note_count_once():
    one = toward(0, 1, 0.8)
    spread = [toward(0, 2, 0.8), toward(0, 3, 0.8)]
    with_copies = matcher.fit(direction(0), np.stack([one] * 5 + spread))
    without = matcher.fit(direction(0), np.stack([one, *spread]))
    assert with_copies.threshold == pytest.approx(without.threshold)
    assert np.allclose(with_copies.weights, without.weights)
