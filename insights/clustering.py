"""Grouping vectors into themes, naming them, and assigning new notes. Pure numpy/scikit-learn.

Features are the sentence vector joined with a small lexical part (TF-IDF over spaCy lemmas,
reduced by SVD): the encoder knows paraphrases, the lemmas know the product words that
separate near-identical intents ("card" vs "virtual card").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from threadpoolctl import threadpool_limits

LEXICAL_WEIGHT = 0.6
LEXICAL_DIMS = 128
SEED = 0


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def _terms(lemmas: Sequence[str]) -> list[str]:
    return [*lemmas, *(f"{a}_{b}" for a, b in pairwise(lemmas))]


def lexical(lemma_docs: Sequence[Sequence[str]], *, dims: int = LEXICAL_DIMS) -> np.ndarray:
    """TF-IDF over lemmas and lemma pairs, reduced to ``dims`` by SVD, rows L2-normalised."""
    vectorizer = TfidfVectorizer(analyzer=_terms, sublinear_tf=True, min_df=2)
    try:
        matrix = vectorizer.fit_transform(lemma_docs)
    except ValueError:  # nothing left after min_df (tiny inputs)
        return np.zeros((len(lemma_docs), 1), dtype=np.float32)
    components = min(dims, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if components < 2:
        return _normalise(matrix.toarray())
    reduced = TruncatedSVD(n_components=components, random_state=SEED).fit_transform(matrix)
    return _normalise(reduced)


def features(
    vectors: np.ndarray, lemma_docs: Sequence[Sequence[str]], *, lexical_weight: float = LEXICAL_WEIGHT
) -> np.ndarray:
    """Sentence vectors joined with weighted lexical features, rows L2-normalised."""
    if lexical_weight <= 0 or len(vectors) < 3:
        return _normalise(vectors)
    return _normalise(np.hstack([vectors, lexical_weight * lexical(lemma_docs)]))


NEIGHBOURS = 15
NEIGHBOUR_BLOCK = 1000
PROPAGATION_ROUNDS = 10


def neighbourhood_size(n: int, *, neighbours: int = NEIGHBOURS, groups: int | None = None) -> int:
    """Neighbours per note for ``n`` notes: a neighbourhood must stay well inside one group, so
    when the number of ``groups`` is known it also stays within half their mean size (ten notes
    an intent took 15 neighbours from two or three intents: capped at half, Banking77 at 10 and 20
    notes per intent gained 0.023 and 0.008 NMI; bench/README.md, "Small themes kept")."""
    return min(neighbours, n // 50, n // (2 * groups) if groups else n)


def nearest(matrix: np.ndarray, k: int, *, block: int = NEIGHBOUR_BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine similarities of each row's ``k + 1`` most similar rows (itself and its
    ``k`` nearest neighbours, in no particular order), for L2-normalised rows.

    Computed ``block`` rows at a time in float32, so memory stays at one block's similarities and
    argpartition's indices (40 + 80 MB for 1,000 rows of 10,000 notes) instead of the n x n
    matrix (400 MB in float32, 800 MB in float64)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    n = len(matrix)
    size = min(k + 1, n)
    indices = np.empty((n, size), dtype=np.intp)
    similarities = np.empty((n, size), dtype=np.float32)
    for start in range(0, n, block):
        similarity = matrix[start : start + block] @ matrix.T
        top = np.argpartition(similarity, n - size, axis=1)[:, n - size :]
        indices[start : start + block] = top
        similarities[start : start + block] = np.take_along_axis(similarity, top, axis=1)
        del similarity, top  # freed before the next block's product is allocated
    return indices, similarities


APPROXIMATE_ABOVE = 20_000  # notes: up to here neighbours are exact (20,000 rows: ~3 s)
REFERENCE = 10_000  # above, each note's neighbours are looked for among this many sampled notes
CELL_SIZE = 1000  # notes per cell of the coarse partition the approximate search works in
CELL_PROBES = 4  # cells a note's neighbours are looked for in: its own and the nearest others


def reference(n: int) -> np.ndarray | None:
    """The notes neighbours are looked for among: all (None) up to APPROXIMATE_ABOVE notes, else a
    fixed sample of REFERENCE. Smoothing was tuned on 10,000 notes; among a million, a note's 15
    nearest would be near-copies of it, and averaging them would no longer pull it towards the
    core of its theme (measured at 100,000 synthetic notes: NMI 0.774 against 0.812 at 10,000)."""
    if n <= APPROXIMATE_ABOVE:
        return None
    return np.sort(np.random.default_rng(SEED).choice(n, size=min(n, REFERENCE), replace=False))


def neighbours(matrix: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """nearest() for up to APPROXIMATE_ABOVE notes; above, each note and its ``k`` nearest among
    the reference() sample, found by nearest_approximate(), whose cost grows as n x CELL_PROBES
    x CELL_SIZE instead of n²."""
    among = reference(len(matrix))
    if among is None:
        return nearest(matrix, k)
    return nearest_approximate(matrix, k, among=among, cell_size=CELL_SIZE, probes=CELL_PROBES)


def _cells(matrix: np.ndarray, cells: int) -> np.ndarray:
    """Normalised centres of a coarse k-means partition, fitted on a sample of 20 notes a cell
    (a few rounds: a partition to search in, not themes)."""
    rng = np.random.default_rng(SEED)
    sample = matrix[np.sort(rng.choice(len(matrix), size=min(len(matrix), cells * 20), replace=False))]
    model = KMeans(n_clusters=cells, n_init=1, max_iter=20, random_state=SEED).fit(sample)
    return _normalise(model.cluster_centers_)


def _closest(matrix: np.ndarray, centres: np.ndarray, *, block: int = 20_000) -> np.ndarray:
    """Index of the most similar centre of each row, ``block`` rows at a time."""
    out = np.empty(len(matrix), dtype=np.intp)
    for start in range(0, len(matrix), block):
        out[start : start + block] = (matrix[start : start + block] @ centres.T).argmax(axis=1)
    return out


def nearest_approximate(
    matrix: np.ndarray,
    k: int,
    *,
    among: np.ndarray | None = None,
    cell_size: int = CELL_SIZE,
    probes: int = CELL_PROBES,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row and its ``k`` most similar rows of ``among`` (row numbers; all rows when None),
    as nearest() returns them (itself in column 0 here), found within a coarse partition: the
    candidates are split into cells of about ``cell_size`` by k-means, and a row's neighbours
    are looked for among the candidates of its own cell and of the ``probes - 1`` cells whose
    centres are most similar to its cell's.

    A neighbour across a border into a cell not probed is missed (recall of the exact 15
    neighbours ≥ 0.9: tests/insights/test_clustering.py, bench/discovery.py). A row with fewer
    than ``k`` candidates is padded with itself (similarity 1)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    n = len(matrix)
    pool_rows = np.arange(n) if among is None else np.asarray(among)
    cells = max(2, len(pool_rows) // cell_size)
    centres = _cells(matrix[pool_rows], cells)
    home = _closest(matrix, centres)
    pool_home = home[pool_rows]
    order = np.argsort(pool_home, kind="stable")
    bounds = np.searchsorted(pool_home[order], np.arange(cells + 1))
    members = [pool_rows[order[bounds[c] : bounds[c + 1]]] for c in range(cells)]
    queries = np.argsort(home, kind="stable")
    query_bounds = np.searchsorted(home[queries], np.arange(cells + 1))
    probed = np.argsort(-(centres @ centres.T), axis=1)[:, : min(probes, cells)]
    size = min(k, len(pool_rows))
    indices = np.repeat(np.arange(n)[:, None], size + 1, axis=1)
    similarities = np.ones((n, size + 1), dtype=np.float32)
    for c in range(cells):
        asking = queries[query_bounds[c] : query_bounds[c + 1]]
        if len(asking) == 0:
            continue
        candidates = np.concatenate([members[p] for p in probed[c]])
        pool = matrix[candidates]
        for start in range(0, len(asking), NEIGHBOUR_BLOCK):
            rows = asking[start : start + NEIGHBOUR_BLOCK]
            similarity = matrix[rows] @ pool.T
            similarity[candidates[None, :] == rows[:, None]] = -np.inf  # not its own neighbour
            take = min(size, len(candidates))
            top = np.argpartition(similarity, len(candidates) - take, axis=1)[:, len(candidates) - take :]
            found = np.take_along_axis(similarity, top, axis=1)
            real = np.isfinite(found)
            indices[rows, 1 : take + 1] = np.where(real, candidates[top], rows[:, None])
            similarities[rows, 1 : take + 1] = np.where(real, found, 1.0)
    return indices, similarities


def smooth(matrix: np.ndarray, indices: np.ndarray | None = None) -> np.ndarray:
    """Replace each vector by the mean of itself and its nearest neighbours (``indices`` as
    nearest() returns them; found here when not given).

    Short notes are noisy points; averaging over their neighbourhood pulls each towards the
    dense core of its intent before k-means (measured on Banking77: NMI 0.76 → 0.80, ACC 0.59 →
    0.66)."""
    if indices is None:
        k = neighbourhood_size(len(matrix))
        if k < 1:
            return matrix
        indices, _ = neighbours(matrix, k)
    out = np.empty(matrix.shape, dtype=np.float32)
    for start in range(0, len(matrix), NEIGHBOUR_BLOCK):
        out[start : start + NEIGHBOUR_BLOCK] = smoothed_rows(
            matrix, indices, np.arange(start, min(start + NEIGHBOUR_BLOCK, len(matrix)))
        )
    return out


def smoothed_rows(matrix: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """smooth() of the given rows only, so a million smoothed notes need not be held at once."""
    return _normalise(matrix[indices[rows]].mean(axis=1))


def kmeans(
    matrix: np.ndarray, k: int, *, n_init: int = 4, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    model = KMeans(n_clusters=k, n_init=n_init, random_state=SEED).fit(matrix, sample_weight=weights)
    return model.labels_, _normalise(model.cluster_centers_)


def propagate(
    labels: np.ndarray, indices: np.ndarray, similarities: np.ndarray, *, rounds: int = PROPAGATION_ROUNDS
) -> np.ndarray:
    """Label propagation over the neighbour graph: each note takes the group its nearest
    neighbours (``indices``/``similarities`` from nearest(); the note itself does not vote) vote
    for, weighted by similarity, until no note moves or after ``rounds`` rounds.

    k-means cuts through the thin edges of intents; the neighbours know better (measured on
    Banking77, k = 77, after k-means on the smoothed vectors, 5 seeds: NMI +0.006 to +0.011, ACC
    +0.003 to +0.007; with each note voting for itself too: NMI +0.004 to +0.008). Labels must be
    group numbers from 0; a note whose neighbours carry no weight keeps its own."""
    n = len(labels)
    if n == 0 or indices.shape[1] < 2:
        return labels
    weights = np.where(indices == np.arange(n)[:, None], 0.0, np.clip(similarities, 0.0, None)).ravel()
    rows = np.repeat(np.arange(n), indices.shape[1])
    voted = weights.reshape(n, -1).sum(axis=1) > 0
    groups = int(labels.max()) + 1
    for _ in range(rounds):
        votes = sparse.csr_matrix((weights, (rows, labels[indices].ravel())), shape=(n, groups))
        new = np.where(voted, np.asarray(votes.argmax(axis=1)).ravel(), labels)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


KMEANS_SAMPLE = 20_000  # notes k-means is fitted on; the others join their nearest centre


def _themes(matrix: np.ndarray, k: int, *, n_init: int, weights: np.ndarray | None = None) -> np.ndarray:
    """k-means on the smoothed vectors, then label propagation over the same neighbourhoods.
    ``weights``: how many notes each row stands for (see distinct())."""
    size = neighbourhood_size(len(matrix), groups=k)
    if size < 1:
        return kmeans(matrix, k, n_init=n_init, weights=weights)[0]
    indices, similarities = neighbours(matrix, size)
    labels = _smoothed_kmeans(matrix, indices, k, n_init=n_init, weights=weights)
    return keep_every_group(labels, propagate(labels, indices, similarities))


def _smoothed_kmeans(
    matrix: np.ndarray, indices: np.ndarray, k: int, *, n_init: int, weights: np.ndarray | None = None
) -> np.ndarray:
    """k-means labels of the smoothed vectors. Above KMEANS_SAMPLE notes the centres are fitted
    on a sample of them and every note, smoothed a block at a time, takes its nearest centre: a
    million smoothed vectors are never held at once, and k-means costs what 20,000 notes cost."""
    n = len(matrix)
    if n <= KMEANS_SAMPLE:
        return kmeans(smooth(matrix, indices), k, n_init=n_init, weights=weights)[0]
    fit = reference(n)
    if fit is None or len(fit) > KMEANS_SAMPLE:
        fit = np.sort(np.random.default_rng(SEED).choice(n, size=KMEANS_SAMPLE, replace=False))
    model = KMeans(n_clusters=k, n_init=n_init, random_state=SEED).fit(
        smoothed_rows(matrix, indices, fit), sample_weight=None if weights is None else weights[fit]
    )
    labels = np.empty(n, dtype=np.int32)
    for start in range(0, n, KMEANS_SAMPLE):
        rows = np.arange(start, min(n, start + KMEANS_SAMPLE))
        labels[rows] = model.predict(smoothed_rows(matrix, indices, rows))
    return labels


def keep_every_group(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """``after`` with each group it lost given back its members from ``before``: told k, grouping
    returns k themes, and a small theme (five lonely callers in a week) is not voted away."""
    groups = np.unique(before)
    for _ in range(len(groups)):  # giving one back can empty another: until none is lost
        lost = np.setdiff1d(groups, np.unique(after))
        if len(lost) == 0:
            break
        after = np.where(np.isin(before, lost), before, after)
    return after


def group(matrix: np.ndarray, k: int, *, n_init: int = 8) -> np.ndarray:
    """Themes when their number is known: neighbourhood smoothing, k-means, label propagation."""
    return _themes(matrix, k, n_init=n_init)


DISCOVERY_SAMPLE = 4000
DISCOVERY_REPEATS = 3
OVERCLUSTER = 25  # notes per group of the fine grouping the count is read from
MERGE_DISTANCE = 0.22  # cosine distance (average linkage) under which fine groups are one theme


def theme_count(sample: np.ndarray, *, min_size: int = 5) -> int:
    """How many themes a sample of notes holds: split the smoothed vectors finely by k-means
    (about OVERCLUSTER notes a group, at least 50 groups, none needing fewer than ``min_size``
    notes), then join groups whose centres are closer than MERGE_DISTANCE in cosine distance,
    average linkage; the groups left are the count.

    A distance threshold travels across data sets where the knee of an index over k did not
    (tuned on Banking77; see bench/README.md, "Discovery without k, and at scale")."""
    size = len(sample)
    groups = min(size // max(1, min_size), max(50, size // OVERCLUSTER))
    if groups < 2:
        return 1
    _, centres = kmeans(smooth(sample), groups, n_init=1)
    merged = AgglomerativeClustering(
        n_clusters=None, distance_threshold=MERGE_DISTANCE, metric="cosine", linkage="average"
    ).fit(centres)
    return int(merged.n_clusters_)


def discover(matrix: np.ndarray, *, min_size: int = 3, max_k: int | None = None) -> np.ndarray:
    """Themes when their number is not known (see _discover), on one thread: OpenMP and BLAS
    threads spin-wait against each other and anything else on a shared machine (measured under
    load, k-means on 10,000 notes: 37 s with two threads, 3.7 s with one), as the encoder does."""
    with threadpool_limits(limits=1):
        return _discover(matrix, min_size=min_size, max_k=max_k)


def distinct(matrix: np.ndarray, *, block: int = 20_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of ``matrix`` once each: the index of each distinct row's first copy, which of
    them every row is (``matrix[first][inverse] == matrix``), and how many copies each has.

    Rows are keyed by their float32 bits times fixed random odd multipliers, summed modulo 2**64
    (``block`` rows at a time): integer arithmetic, so equal rows get equal keys wherever they
    sit in memory (a floating-point projection does not: BLAS rounds by alignment), and two
    different rows of a million sharing a key has odds of about 1 in 10**7."""
    multipliers = np.random.default_rng(SEED).integers(1, 2**63, size=matrix.shape[1], dtype=np.uint64) * 2 + 1
    keys = np.empty(len(matrix), dtype=np.uint64)
    for start in range(0, len(matrix), block):
        bits = np.ascontiguousarray(matrix[start : start + block], dtype=np.float32).view(np.uint32)
        keys[start : start + block] = (bits.astype(np.uint64) * multipliers).sum(axis=1, dtype=np.uint64)
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    return first, inverse.ravel(), counts


def _discover(matrix: np.ndarray, *, min_size: int, max_k: int | None) -> np.ndarray:
    """Themes when their number is not known.

    Notes with the same vector (the same words, often a template or a note pasted again) are one
    point that weighs as many notes: twenty copies of one sentence are a tight cloud that would
    otherwise be read as a theme of its own, however close its meaning to its neighbours'. The
    count is read from samples of DISCOVERY_SAMPLE distinct notes (theme_count(); the median of
    DISCOVERY_REPEATS samples when there are more), then the distinct notes are grouped once
    with it, as group() does, k-means weighing each by its copies. Groups of fewer than
    ``min_size`` notes (copies counted) are left out (label -1: not grouped yet)."""
    n = len(matrix)
    if n < 2 * min_size:
        return np.full(n, -1)
    first, inverse, copies = distinct(matrix)
    repeated = len(first) < n
    if repeated:
        matrix = matrix[first]
    unique = len(matrix)
    size = min(unique, DISCOVERY_SAMPLE)
    rng = np.random.default_rng(SEED)
    repeats = DISCOVERY_REPEATS if unique > size else 1
    counts = []
    for _ in range(repeats):
        sample = matrix if unique == size else matrix[np.sort(rng.choice(unique, size=size, replace=False))]
        counts.append(theme_count(sample, min_size=min_size))
    k = max(1, min(int(np.median(counts)), max_k or unique, unique))
    chosen = _themes(matrix, k, n_init=4, weights=copies) if repeated else _themes(matrix, k, n_init=4)
    if repeated:
        chosen = chosen[inverse]
    notes_by_label = np.bincount(chosen, minlength=k)
    return np.where(notes_by_label[chosen] >= min_size, chosen, -1)


def name(lemma_docs: Sequence[Sequence[str]], labels: np.ndarray, *, terms: int = 3) -> dict[int, list[str]]:
    """Key terms per group: class-based TF-IDF, so a term counts when it is frequent in the group
    and rare elsewhere."""
    groups = sorted(set(labels.tolist()) - {-1})
    if not groups:
        return {}
    joined = [[t for i in np.flatnonzero(labels == g).tolist() for t in lemma_docs[i]] for g in groups]
    total = Counter(t for doc in joined for t in doc)
    result = {}
    for g, doc in zip(groups, joined, strict=True):
        counts = Counter(doc)
        size = max(1, len(doc))
        scored = sorted(
            counts, key=lambda t: -(counts[t] / size) * np.log(1 + len(joined) / (1 + total[t] - counts[t]))
        )
        result[g] = scored[:terms]
    return result


@dataclass(frozen=True)
class Scores:
    nmi: float
    ari: float
    acc: float


def score(truth: Sequence[str], labels: np.ndarray) -> Scores:
    """NMI, ARI and accuracy under the best one-to-one matching of groups to labels (Hungarian)."""
    truth_ids = {t: i for i, t in enumerate(sorted(set(truth)))}
    y = np.array([truth_ids[t] for t in truth])
    pred_ids = {p: i for i, p in enumerate(sorted(set(labels.tolist())))}
    p = np.array([pred_ids[x] for x in labels.tolist()])
    table = np.zeros((len(pred_ids), len(truth_ids)), dtype=np.int64)
    np.add.at(table, (p, y), 1)
    rows, cols = linear_sum_assignment(-table)
    return Scores(
        nmi=float(normalized_mutual_info_score(y, p)),
        ari=float(adjusted_rand_score(y, p)),
        acc=float(table[rows, cols].sum() / len(y)),
    )


def one_theme_across_languages(truth: Sequence[str], labels: np.ndarray, languages: Sequence[str]) -> float | None:
    """The share of topics said in more than one language whose notes in each language mostly
    land in the same theme (each language's most common theme for the topic is one theme). None
    when no topic is said in two languages."""
    by_topic: dict[str, dict[str, Counter[int]]] = {}
    for topic, theme, language in zip(truth, labels.tolist(), languages, strict=True):
        by_topic.setdefault(topic, {}).setdefault(language, Counter())[theme] += 1
    mixed = [per_language for per_language in by_topic.values() if len(per_language) > 1]
    if not mixed:
        return None
    together = sum(
        len({counts.most_common(1)[0][0] for counts in per_language.values()}) == 1 for per_language in mixed
    )
    return together / len(mixed)


# --- The product's grouping: per language family -------------------------------------------

SPANISH_LEXICAL_WEIGHT = 1.0  # the English encoder knows little Spanish: lemmas carry the meaning


def family(language: str, *, one_space: bool = False) -> str:
    """Galician groups with Spanish (shared words, Spanish lemmatizer); English on its own. With a
    multilingual encoder (``one_space``) every language is one family: a theme gathers both."""
    if one_space:
        return "all"
    return "en" if language == "en" else "es"


VECTORS_ONLY = ("en", "all")  # families grouped on the sentence vectors alone


def _unit(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` itself when its rows are float32 of unit length already (stored vectors are),
    else a normalised copy."""
    if matrix.dtype == np.float32 and np.allclose(np.einsum("ij,ij->i", matrix, matrix), 1.0, atol=1e-4):
        return matrix
    return _normalise(matrix)


def family_matrix(vectors: np.ndarray, lemma_docs: Sequence[Sequence[str]], language_family: str) -> np.ndarray:
    """English, or every language in a multilingual space: the sentence vectors (measured best).
    Spanish/Galician with the English encoder: vectors plus lemma TF-IDF."""
    if language_family in VECTORS_ONLY:
        return _normalise(vectors)
    return features(vectors, lemma_docs, lexical_weight=SPANISH_LEXICAL_WEIGHT)


def discover_notes(
    vectors: np.ndarray,
    lemma_docs: Sequence[Sequence[str]],
    languages: Sequence[str],
    *,
    min_size: int = 3,
    one_space: bool = False,
) -> np.ndarray:
    """Discovery as the product runs it: each language family on its own, labels made unique."""
    labels = np.full(len(vectors), -1)
    offset = 0
    families = np.array([family(lang, one_space=one_space) for lang in languages])
    for name in sorted(set(families.tolist())):
        rows = np.flatnonzero(families == name)
        if name in VECTORS_ONLY:  # no copy of a million vectors, no lemma lists
            matrix = _unit(vectors if len(rows) == len(vectors) else vectors[rows])
        else:
            matrix = family_matrix(vectors[rows], [lemma_docs[i] for i in rows.tolist()], name)
        found = discover(matrix, min_size=min_size)
        labels[rows] = np.where(found >= 0, found + offset, -1)
        offset += int(found.max()) + 1 if (found >= 0).any() else 0
    return labels


def group_notes(
    vectors: np.ndarray,
    lemma_docs: Sequence[Sequence[str]],
    languages: Sequence[str],
    k: int,
    *,
    one_space: bool = False,
) -> np.ndarray:
    """Grouping into ``k`` themes as the product would: one language family gets its own
    features; a mix is grouped together with the lexical part for all."""
    families = {family(lang, one_space=one_space) for lang in languages}
    name = families.pop() if len(families) == 1 else "es"
    return group(family_matrix(vectors, lemma_docs, name), k)
