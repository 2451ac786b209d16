"""Grouping, naming, scoring and assignment on constructed data."""

from __future__ import annotations

import numpy as np

from insights import clustering


def blobs(groups: int, per_group: int, dims: int = 32, spread: float = 0.08, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = clustering._normalise(rng.normal(size=(groups, dims)))
    points = np.vstack([c + spread * rng.normal(size=(per_group, dims)) for c in centres])
    labels = [f"g{i}" for i in range(groups) for _ in range(per_group)]
    return clustering._normalise(points), labels


def test_grouping_with_a_known_count_recovers_separate_groups():
    matrix, truth = blobs(6, 30)
    scores = clustering.score(truth, clustering.group(matrix, 6))
    assert scores.nmi > 0.95 and scores.acc > 0.95


def varied_blobs(sizes: list[int], dims: int = 32, spread: float = 0.08, seed: int = 1):
    rng = np.random.default_rng(seed)
    centres = clustering._normalise(rng.normal(size=(len(sizes), dims)))
    points = np.vstack([c + spread * rng.normal(size=(size, dims)) for c, size in zip(centres, sizes, strict=True)])
    labels = [f"g{i}" for i, size in enumerate(sizes) for _ in range(size)]
    return clustering._normalise(points), labels


def test_discovery_finds_the_number_of_groups_within_a_quarter_small_ones_included():
    sizes = [60, 45, 40, 35, 30, 25, 20, 15, 10, 8, 7, 6, 5]  # 13 groups, five of 5-8 notes
    matrix, truth = varied_blobs(sizes)
    labels = clustering.discover(matrix, min_size=3)
    found = len(set(labels.tolist()) - {-1})
    assert 0.75 * len(sizes) <= found <= 1.25 * len(sizes)
    assert clustering.score(truth, labels).nmi > 0.9
    small = [f"g{i}" for i, size in enumerate(sizes) if size <= 8]
    own = {t: {int(g) for g, u in zip(labels, truth, strict=True) if u == t} for t in small}
    assert sum(len(groups) == 1 and -1 not in groups for groups in own.values()) >= 4  # small themes exist


def test_discovery_count_holds_when_only_samples_are_counted(monkeypatch):
    sizes = [120, 100, 90, 80, 70, 60, 50, 40, 30, 20]
    matrix, truth = varied_blobs(sizes, seed=4)
    monkeypatch.setattr(clustering, "DISCOVERY_SAMPLE", 300)  # three samples of 300 of 660 notes
    labels = clustering.discover(matrix, min_size=3)
    assert 0.75 * len(sizes) <= len(set(labels.tolist()) - {-1}) <= 1.25 * len(sizes)
    assert clustering.score(truth, labels).nmi > 0.9


def test_groups_below_the_minimum_size_are_left_ungrouped():
    matrix, _ = varied_blobs([40, 40, 40, 40, 3], seed=2)
    labels = clustering.discover(matrix, min_size=5)
    kept = [label for label in set(labels.tolist()) if label != -1]
    assert all((labels == label).sum() >= 5 for label in kept)
    assert (labels[-3:] == -1).all()  # the three-note group is too small to propose
    assert (labels[:-3] != -1).all()


def test_discovery_needs_enough_notes():
    matrix, _ = blobs(1, 4)
    assert (clustering.discover(matrix, min_size=3) == -1).all()


def test_scores_are_perfect_for_a_relabelled_truth_and_low_for_noise():
    truth = ["a"] * 10 + ["b"] * 10
    perfect = clustering.score(truth, np.array([1] * 10 + [0] * 10))
    assert (perfect.nmi, perfect.ari, perfect.acc) == (1.0, 1.0, 1.0)
    noise = clustering.score(truth, np.array([0, 1] * 10))
    assert noise.acc == 0.5 and noise.nmi < 0.1


def test_groups_are_named_by_their_distinctive_lemmas():
    docs = [["card", "arrive"], ["card", "arrive", "late"], ["app", "crash"], ["app", "crash", "login"]]
    names = clustering.name(docs, np.array([0, 0, 1, 1]), terms=2)
    assert set(names[0]) == {"card", "arrive"} and set(names[1]) == {"app", "crash"}


def test_the_product_groups_each_language_family_on_its_own():
    matrix, _ = blobs(2, 20)
    # The same two intents said in English and in Spanish: four themes, never mixing languages.
    vectors = np.vstack([matrix, matrix])
    lemmas = [["card"]] * 20 + [["app"]] * 20 + [["tarjeta"]] * 20 + [["aplicación"]] * 20
    languages = ["en"] * 40 + ["es"] * 20 + ["gl"] * 20
    labels = clustering.discover_notes(vectors, lemmas, languages, min_size=3)
    english, spanish = set(labels[:40].tolist()), set(labels[40:].tolist())
    assert english.isdisjoint(spanish) and -1 not in english | spanish
    assert len(english) >= 2 and len(spanish) >= 2


def test_identical_notes_do_not_break_discovery():
    same = np.tile(clustering._normalise(np.ones((1, 8))), (10, 1))
    labels = clustering.discover(same, min_size=3)
    assert len(labels) == 10 and len(set(labels.tolist())) == 1


def test_approximate_neighbours_find_nearly_all_the_exact_ones():
    matrix, _ = varied_blobs([300, 250, 200, 150, 100, 80, 60, 40, 20], spread=0.15, seed=5)
    exact, _ = clustering.nearest(matrix, 15)
    approximate, similarities = clustering.nearest_approximate(matrix, 15, cell_size=100, probes=4)
    cells = len(matrix) // 100
    assert cells >= 10  # each note searched only 4 of the cells
    found = [len(set(a.tolist()) & set(e.tolist())) / len(e) for a, e in zip(approximate, exact, strict=True)]
    assert np.mean(found) >= 0.9
    assert np.allclose(similarities, np.take_along_axis(matrix @ matrix.T, approximate, axis=1), atol=1e-5)


def test_grouping_at_scale_samples_k_means_and_searches_neighbours_approximately(monkeypatch):
    matrix, truth = varied_blobs([150, 130, 120, 100, 90, 80, 60, 40], seed=6)
    exact = clustering.group(matrix, 8)
    monkeypatch.setattr(clustering, "APPROXIMATE_ABOVE", 200)
    monkeypatch.setattr(clustering, "REFERENCE", 400)
    monkeypatch.setattr(clustering, "CELL_SIZE", 100)
    monkeypatch.setattr(clustering, "KMEANS_SAMPLE", 300)
    scaled = clustering.group(matrix, 8)
    assert clustering.score(truth, scaled).nmi > 0.95
    assert clustering.score([str(x) for x in exact], scaled).nmi > 0.95


def test_nearest_neighbours_in_blocks_match_the_dense_computation():
    rng = np.random.default_rng(3)
    matrix = clustering._normalise(rng.normal(size=(230, 24)))
    dense = matrix @ matrix.T
    expected = np.sort(np.argsort(-dense, axis=1)[:, :6], axis=1)
    for block in (7, 100, 1000):
        indices, similarities = clustering.nearest(matrix, 5, block=block)
        order = np.argsort(indices, axis=1)
        assert np.array_equal(np.take_along_axis(indices, order, axis=1), expected)
        assert np.allclose(np.take_along_axis(similarities, order, axis=1), np.take_along_axis(dense, expected, axis=1))
    assert (indices == np.arange(230)[:, None]).any(axis=1).all()  # each note is its own nearest


def test_nearest_neighbours_never_hold_all_similarities_at_once():
    import tracemalloc

    matrix = clustering._normalise(np.random.default_rng(4).normal(size=(3000, 16)))
    tracemalloc.start()
    clustering.nearest(matrix, 15, block=200)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3000 * 3000 * 4 / 3  # a dense float32 matrix would be 36 MB; a block is 7 MB


def test_smoothing_with_given_neighbours_is_the_same_as_finding_them():
    matrix, _ = blobs(4, 30)
    indices, _ = clustering.nearest(matrix, clustering.neighbourhood_size(len(matrix)))
    assert np.allclose(clustering.smooth(matrix, indices), clustering.smooth(matrix))
    assert np.allclose(np.linalg.norm(clustering.smooth(matrix), axis=1), 1.0, atol=1e-5)


def test_propagation_moves_a_note_to_the_group_of_its_neighbours():
    matrix, _ = blobs(2, 20)
    indices, similarities = clustering.nearest(matrix, 5)
    labels = np.array([0] * 20 + [1] * 20)
    wrong = labels.copy()
    wrong[3] = 1  # k-means put one note of the first group with the second
    assert clustering.propagate(wrong, indices, similarities).tolist() == labels.tolist()
    assert clustering.propagate(labels, indices, similarities).tolist() == labels.tolist()


def test_a_note_whose_neighbours_carry_no_weight_keeps_its_group():
    indices = np.array([[0, 1], [1, 0], [2, 0]])
    similarities = np.array([[1.0, 0.9], [1.0, 0.9], [1.0, -0.2]], dtype=np.float32)
    labels = clustering.propagate(np.array([0, 0, 1]), indices, similarities)
    assert labels.tolist() == [0, 0, 1]


def test_with_a_multilingual_encoder_one_theme_gathers_both_languages():
    rng = np.random.default_rng(7)
    centres = np.eye(8, dtype=np.float32)[:2]
    vectors = np.vstack([centres[i % 2] + 0.05 * rng.normal(size=8) for i in range(40)]).astype(np.float32)
    languages = ["en" if i < 20 else "es" for i in range(40)]
    lemmas = [["card"] if lang == "en" else ["tarjeta"] for lang in languages]
    split = clustering.discover_notes(vectors, lemmas, languages, min_size=3)
    together = clustering.discover_notes(vectors, lemmas, languages, min_size=3, one_space=True)
    same_meaning = [0, 20]  # an English and a Spanish note near the same centre
    assert split[same_meaning[0]] != split[same_meaning[1]]  # per language family
    assert together[same_meaning[0]] == together[same_meaning[1]]


def test_a_topic_counts_as_one_theme_across_languages_when_each_language_mostly_lands_there():
    truth = ["card", "card", "card", "card", "fees", "fees", "fees", "app"]
    found = np.array([1, 1, 1, 2, 3, 4, 4, 5])
    languages = ["en", "en", "es", "es", "en", "es", "es", "en"]
    # card: en -> 1, es -> 1 or 2 (a tie: the first seen, 1) -> together; fees: en 3, es 4 -> split;
    # app is said in one language only and does not count
    assert clustering.one_theme_across_languages(truth, found, languages) == 0.5
    assert clustering.one_theme_across_languages(["a", "b"], np.array([1, 2]), ["en", "en"]) is None


def test_told_k_grouping_returns_k_themes_even_when_some_are_small():
    # 8 groups of 40 and 6 groups of 5: the small ones must survive smoothing and propagation
    big, _ = blobs(8, 40, spread=0.3, seed=3)
    small, _ = blobs(6, 5, spread=0.3, seed=4)
    matrix = np.vstack([big, small])
    for k in (14, 20, 30):
        assert len(set(clustering.group(matrix, k).tolist())) == k


def test_propagation_never_votes_a_group_away():
    before = np.array([0, 0, 0, 1, 1, 2, 2])
    after = np.array([0, 0, 0, 0, 0, 0, 2])  # 1 swallowed by 0
    assert clustering.keep_every_group(before, after).tolist() == [0, 0, 0, 1, 1, 0, 2]
    chained = np.array([1, 1, 1, 2, 2, 2, 2])  # giving 0 back empties 1: given back too
    assert sorted(set(clustering.keep_every_group(before, chained).tolist())) == [0, 1, 2]


def test_pasted_copies_of_a_note_join_its_theme_instead_of_making_their_own():
    """Twenty-five copies of one note (a template, a note pasted again) are one point that
    weighs 25 notes: without that, each pile of copies was read as a theme of its own."""
    matrix, truth = varied_blobs([30] * 8, spread=0.15)
    assert len(set(clustering.discover(matrix, min_size=3).tolist()) - {-1}) == 8
    originals = [0, 30, 60, 90]
    with_copies = np.vstack([matrix, np.repeat(matrix[originals], 25, axis=0)])
    truth_with_copies = truth + [truth[row] for row in originals for _ in range(25)]

    labels = clustering.discover(with_copies, min_size=3)

    assert len(set(labels.tolist()) - {-1}) == 8
    assert clustering.score(truth_with_copies, labels).nmi > 0.99
    copies = labels[len(matrix) :].reshape(len(originals), 25)
    assert all((row == labels[original]).all() for row, original in zip(copies, originals, strict=True))


def test_distinct_rows_map_back_to_every_copy():
    matrix, _ = blobs(3, 5)
    doubled = np.vstack([matrix, matrix[[2, 2, 7]]])
    first, inverse, copies = clustering.distinct(doubled)
    assert len(first) == 15
    assert np.array_equal(doubled[first][inverse], doubled)
    assert sorted(copies.tolist()) == [1] * 13 + [2, 3]
