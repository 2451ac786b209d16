import math

import numpy as np
import pytest

from insights.questions import matcher
from tests.insights.questions.conftest import DIMS, direction, toward

NONE = math.nan  # the bias of a question matched by its wording


def background(n=300, seed=0, away_from=(0, 1, 2)):
    """Notes about other things: random directions with nothing along the questions' axes."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, DIMS)).astype(np.float32)
    vectors[:, list(away_from)] = 0
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def confirmed_near(axis, other, n=5, seed=1):
    rng = np.random.default_rng(seed)
    noise = 0.2 * rng.normal(size=(n, DIMS))
    return np.stack([matcher.unit(direction(axis) + 0.3 * direction(other) + e) for e in noise])


def counted(decision):
    return [k for k, _score in decision.counted]


# --- by wording ----------------------------------------------------------------------------------


def test_by_wording_a_note_counts_for_the_questions_within_the_margin_of_its_best():
    notes = np.stack([direction(0), direction(3), toward(0, 4, 1.1)])
    weights = np.stack([direction(0), toward(0, 1, 0.2), toward(0, 1, 0.45)])
    first, second, third = matcher.decide(notes, weights, np.full(3, NONE, dtype=np.float32))
    # 1.0, 0.98 (within 0.04 of the best) and 0.91 (not)
    assert counted(first) == [0, 1]
    # the second note is near none: nothing counted, nothing suggested
    assert counted(second) == [] and second.suggested is None
    # the third scores 0.67 at best (question 0), under the bar: suggested, not counted
    assert counted(third) == [] and third.suggested[0] == 0


def test_with_no_open_question_nothing_matches():
    (decision,) = matcher.decide(np.stack([direction(0)]), np.zeros((0, 0)), np.zeros(0))
    assert decision.counted == [] and decision.suggested is None


# --- the probe -------------------------------------------------------------------------------------


def test_the_probe_counts_notes_like_a_questions_confirmed_ones_and_leaves_other_notes_alone():
    questions = np.stack([direction(0), direction(1)])
    probe = matcher.fit_probe(questions, [confirmed_near(0, 2), confirmed_near(1, 2, seed=2)], background())
    like_first, like_second, elsewhere = matcher.decide(
        np.stack([toward(0, 2, 0.3), toward(1, 2, 0.3), background(1, seed=9)[0]]), probe.weights, probe.biases
    )
    assert counted(like_first) == [0] and like_first.counted[0][1] >= matcher.PROBE_THRESHOLD
    assert counted(like_second) == [1]
    assert counted(elsewhere) == []


def test_a_single_taught_question_is_fitted_against_the_background_alone():
    probe = matcher.fit_probe(np.stack([direction(0)]), [confirmed_near(0, 2)], background())
    assert probe.weights.shape == (1, DIMS) and probe.biases.shape == (1,)
    notes = np.stack([toward(0, 2, 0.3), background(1, seed=9)[0]])
    near, far = matcher.probabilities(notes, probe.weights, probe.biases)
    assert near[0] > 0.9 > 0.1 > far[0]


def test_probabilities_leave_the_rest_to_none_of_them():
    weights = np.stack([direction(0), direction(1)]) * 3
    probs = matcher.probabilities(np.stack([direction(0), direction(5)]), weights, np.zeros(2, dtype=np.float32))
    e = math.e**3
    assert probs[0] == pytest.approx([e / (1 + e + 1), 1 / (1 + e + 1)], rel=1e-5)
    assert probs[1] == pytest.approx([1 / 3, 1 / 3], rel=1e-5)  # "none of them" takes the last third


def test_the_background_weighs_as_a_fixed_number_of_questions_however_many_notes_it_has():
    questions = np.stack([direction(0), direction(1)])
    confirmed = [confirmed_near(0, 2), confirmed_near(1, 2, seed=2)]
    small = matcher.fit_probe(questions, confirmed, background(150))
    large = matcher.fit_probe(questions, confirmed, np.concatenate([background(150)] * 4))
    assert np.allclose(small.weights, large.weights, atol=1e-3) and np.allclose(small.biases, large.biases, atol=1e-3)


def test_copies_of_a_confirmed_note_count_once():
    one = toward(0, 2, 0.3)
    spread = list(confirmed_near(0, 2, n=3))
    with_copies = matcher.fit_probe(np.stack([direction(0)]), [np.stack([one] * 5 + spread)], background())
    without = matcher.fit_probe(np.stack([direction(0)]), [np.stack([one, *spread])], background())
    assert np.allclose(with_copies.weights, without.weights) and np.allclose(with_copies.biases, without.biases)


def test_a_note_under_the_probes_bar_but_probable_enough_is_suggested_to_leads():
    weights = np.stack([direction(0)]).astype(np.float32)
    # logit 0 against "none of them" 0: probability 0.5, counted; logit -0.5: 0.38, over the bar
    # but "none of them" (0.62) is more probable, suggested; -2: 0.12, suggested; -4: 0.02, neither
    for bias, expected in ((0.0, "counted"), (-0.5, "suggested"), (-2.0, "suggested"), (-4.0, "neither")):
        (decision,) = matcher.decide(np.stack([direction(1)]), weights, np.array([bias], dtype=np.float32))
        state = "counted" if decision.counted else "suggested" if decision.suggested else "neither"
        assert state == expected, bias


def test_taught_and_untaught_questions_are_decided_together():
    probe = matcher.fit_probe(np.stack([direction(0)]), [confirmed_near(0, 2)], background())
    weights = np.concatenate([probe.weights, np.stack([direction(5)])])
    biases = np.concatenate([probe.biases, np.array([NONE], dtype=np.float32)])
    taught, wording, neither = matcher.decide(
        np.stack([toward(0, 2, 0.3), direction(5), background(1, seed=9)[0]]), weights, biases
    )
    assert counted(taught) == [0]
    assert counted(wording) == [1] and wording.counted[0][1] == pytest.approx(1.0)
    assert counted(neither) == []
