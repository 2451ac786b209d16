"""Told k: would a spectral layout of the neighbour graph (what UMAP starts from) group better
than the product's smoothing, k-means and propagation? Benchmark only; the product does not use it.

    .venv/bin/python bench/spectral_layout.py [--seeds 0 1 2] [--data ../shared/data]

On each data set of bench/bertopic_compare.py (vectors embedded once and cached there, as
``themes evaluate`` embeds them) and on Banking77 subsampled with Zipf-like theme sizes (130
notes for the biggest intent down to 5, as real contact-centre themes are sized), it runs:

- ``product``: ``insights.clustering.group`` (told k);
- ``spectral``: for 10 and 20 neighbours, the graph with UMAP's fuzzy weights (local scaling,
  fuzzy union), its k leading eigenvectors (``sklearn.manifold.spectral_embedding``), rows
  normalised and joined; then k-means (8 starts) on that layout.

Prints one JSON object: NMI and ACC per data set and method (mean and minimum over the seeds)."""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.manifold import spectral_embedding
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bertopic_compare as compare

from insights import clustering

SCALES = (10, 20)


def fuzzy_graph(indices: np.ndarray, similarities: np.ndarray) -> sparse.csr_matrix:
    n = len(indices)
    distance = np.where(indices == np.arange(n)[:, None], np.inf, 1.0 - similarities)
    real = np.isfinite(distance)
    rho = np.where(real, distance, np.inf).min(axis=1, keepdims=True)
    spread = np.where(real, distance, 0.0).sum(axis=1, keepdims=True) / np.maximum(real.sum(axis=1, keepdims=True), 1)
    sigma = np.maximum(spread - rho, 1e-3)
    weights = np.where(real, np.exp(-(np.where(real, distance, 0.0) - rho) / sigma), 0.0)
    rows = np.repeat(np.arange(n), indices.shape[1])
    graph = sparse.csr_matrix((weights.ravel(), (rows, indices.ravel())), shape=(n, n))
    return (graph + graph.T - graph.multiply(graph.T)).tocsr()


def spectral(matrix: np.ndarray, k: int, seed: int) -> np.ndarray:
    parts = []
    for scale in SCALES:
        indices, similarities = clustering.nearest(matrix, min(scale, len(matrix) - 1))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Graph is not fully connected")
            layout = spectral_embedding(
                fuzzy_graph(indices, similarities),
                n_components=k,
                drop_first=False,
                eigen_solver="arpack",
                random_state=seed,
            )
        parts.append(clustering._normalise(layout))
    return KMeans(n_clusters=k, n_init=8, random_state=seed).fit(clustering._normalise(np.hstack(parts))).labels_


def zipf_rows(labels: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    intents = sorted(set(labels.tolist()))
    rng.shuffle(intents)
    rows: list[int] = []
    for rank, intent in enumerate(intents):
        pool = np.flatnonzero(labels == intent)
        rows += rng.choice(pool, size=min(len(pool), max(5, int(130 / (1 + rank) ** 0.8))), replace=False).tolist()
    return np.sort(np.array(rows))


def run(matrix: np.ndarray, truth: list[str], k: int, seed: int) -> dict[str, list[float]]:
    clustering.SEED = seed
    out = {}
    for method, labels in (
        ("product", lambda: clustering.group(matrix, k)),
        ("spectral", lambda: spectral(matrix, k, seed)),
    ):
        started = time.perf_counter()
        scores = clustering.score(truth, labels())
        out[method] = [scores.nmi, scores.acc, time.perf_counter() - started]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=compare.ROOT.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/voc-bench-vectors"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, float]]] = {}

    def record(name: str, runs: list[dict[str, list[float]]]) -> None:
        results[name] = {
            method: {
                "nmi": round(float(np.mean([r[method][0] for r in runs])), 3),
                "nmi_min": round(float(np.min([r[method][0] for r in runs])), 3),
                "acc": round(float(np.mean([r[method][1] for r in runs])), 3),
                "seconds": round(float(np.mean([r[method][2] for r in runs])), 2),
            }
            for method in runs[0]
        }
        print(name, json.dumps(results[name]), file=sys.stderr, flush=True)

    with threadpool_limits(limits=1):
        for data_set in compare.datasets(args.data, quick=False):
            if "parent" in data_set:
                parent, _ = compare.embed(data_set["parent"][0], data_set["parent"][1], args.cache)
                path = compare.subset(parent, data_set["parent"][2], args.cache / f"{data_set['name']}.npz")
            else:
                path, _ = compare.embed(data_set["name"], data_set["texts"], args.cache)
            matrix = clustering._unit(np.load(path)["vectors"])
            record(data_set["name"], [run(matrix, data_set["labels"], data_set["k"], seed) for seed in args.seeds])
            if data_set["name"] == "banking77_train":
                labels = np.array(data_set["labels"])
                runs = []
                for seed in args.seeds:
                    rows = zipf_rows(labels, seed)
                    runs.append(run(matrix[rows], labels[rows].tolist(), 77, seed))
                record("banking77_zipf_sizes", runs)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
