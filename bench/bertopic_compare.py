"""Our theme grouping against BERTopic on the same vectors (issue 14). Benchmark only.

    pip install -r bench/requirements.txt        # BERTopic and what it needs; never the product's
    .venv/bin/python bench/bertopic_compare.py [--data ../shared/data] [--quick] [--seeds 0 1 2]
    .venv/bin/python bench/themes.py --compare [--quick]           # the same

Per data set the notes are embedded once, as ``manage.py themes evaluate`` does (languages from
``detect_language``, vectors and lemmas from ``insights.nlp.analyse`` with the default encoder
"pair"), and cached (``--cache``), so reruns skip the embedding. On those same vectors each
method then runs in its own fresh process, so its peak RSS (``ru_maxrss``) is its own:

- ``ours_k`` / ``ours_no_k``: ``insights.clustering.group_notes`` (k told) and ``discover_notes``
  (min_size 3), exactly as ``insights/evaluation.py`` calls them; seeds set ``clustering.SEED``.
- ``bertopic_kmeans``: ``BERTopic(embedding_model=None, umap_model=UMAP(5 dims, 15 neighbours,
  min_dist 0, cosine, random_state=seed), hdbscan_model=KMeans(k))`` and ``fit_transform(docs,
  embeddings=vectors)``: BERTopic's documented way to ask for k topics.
- ``bertopic_hdbscan{10,5}``: the same UMAP with HDBSCAN(min_cluster_size 10 / 5, BERTopic's
  other defaults); scored with the outliers left as -1 (``_outliers``) and after
  ``reduce_outliers(strategy="embeddings")`` (``_reassigned``, its seconds include that step).
- ``ours_on_umap_k`` / ``ours_on_umap_no_k``: not a product path. Our ``group`` / ``discover``
  on the same UMAP output (centred, rows L2-normalised: our code works with cosines), to see
  whether the dimension reduction is what helps. Seconds include the UMAP fit.

Seconds are the grouping only (embedding excluded: it is the same for both). Scores come from
``insights.clustering.score``: outliers (-1) count as one label of their own. Prints one JSON
object; ``--table FILE`` also writes the Markdown tables of bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ENCODER = "pair"
MULTILINGUAL = True  # nlp.ENCODERS[ENCODER].multilingual, as evaluation.py passes it (checked in compare)
OURS = ("ours_k", "ours_no_k")
BERTOPIC_K = ("bertopic_kmeans",)
BERTOPIC_NO_K = (
    "bertopic_hdbscan10_outliers",
    "bertopic_hdbscan10_reassigned",
    "bertopic_hdbscan5_outliers",
    "bertopic_hdbscan5_reassigned",
)
EXTRA = ("ours_on_umap_k", "ours_on_umap_no_k")


def _peak_mb() -> float:
    """Peak RSS of this process, MB. VmHWM rather than ``ru_maxrss``: after fork and exec a child's
    ``ru_maxrss`` starts at its parent's peak, which would charge every method the embedder's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- data sets -------------------------------------------------------------------------------


def _banking77(data: Path) -> tuple[list[str], list[str]]:
    with (data / "banking77" / "train.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["text"].strip()]
    return [r["text"] for r in rows], [r["category"] for r in rows]


def _dstc11(data: Path) -> tuple[list[str], list[str]]:
    path = data / "dstc11-track2" / "development" / "test-utterances.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if str(r["utterance"]).strip()]
    return [str(r["utterance"]) for r in rows], [str(r["intent"]) for r in rows]


def _spanish(data: Path) -> tuple[list[str], list[str]]:
    path = data / "multilingual-tod-es" / "train-es.tsv"
    rows = [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r[2].strip()]
    return [r[2].strip() for r in rows], [r[0] for r in rows]


def _mixed() -> tuple[list[str], list[str]]:
    with (ROOT / "bench" / "data" / "banking77_en_es_gl.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts, labels = [], []
    for column in ("en", "es", "gl"):
        for row in rows:
            if row[column].strip():
                texts.append(row[column])
                labels.append(row["intent"])
    return texts, labels


def _per_intent(labels: list[str], per: int, *, seed: int = 0) -> list[int]:
    """Row indices of ``per`` notes of every intent (fewer when an intent has fewer), seeded."""
    rng = random.Random(seed)
    by: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by.setdefault(label, []).append(i)
    chosen: list[int] = []
    for label in sorted(by):
        rows = by[label]
        chosen += sorted(rng.sample(rows, min(per, len(rows))))
    return sorted(chosen)


def datasets(data: Path, *, quick: bool) -> list[dict[str, Any]]:
    """(name, texts, labels, k, parent): a subsample names its parent, whose vectors it reuses.
    Smallest first, so a long run has answers early."""
    b_texts, b_labels = _banking77(data)
    sets: list[dict[str, Any]] = [
        {"name": "dstc11_insurance", **dict(zip(("texts", "labels"), _dstc11(data), strict=True)), "k": 22},
        {"name": "bilingual_yardstick_en_es_gl", **dict(zip(("texts", "labels"), _mixed(), strict=True)), "k": 20},
    ]
    for per in (10,) if quick else (10, 20, 40):
        rows = _per_intent(b_labels, per)
        sets.append(
            {
                "name": f"banking77_{per}_per_intent",
                "texts": [b_texts[i] for i in rows],
                "labels": [b_labels[i] for i in rows],
                "k": 77,
                "parent": ("banking77_train", b_texts, rows),
            }
        )
    if not quick:
        sets.append({"name": "spanish_intents", **dict(zip(("texts", "labels"), _spanish(data), strict=True)), "k": 12})
        sets.append({"name": "banking77_train", "texts": b_texts, "labels": b_labels, "k": 77})
    return sets


# --- embedding, once per data set, cached ----------------------------------------------------


def _key(texts: list[str]) -> str:
    digest = hashlib.sha256(ENCODER.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:16]


def embed(name: str, texts: list[str], cache: Path) -> tuple[Path, float | None]:
    """The cache file of these texts' vectors, lemmas and languages (made when missing, as
    insights/evaluation.py embeds), and the embedding seconds when they were made now."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{name}-{_key(texts)}.npz"
    if path.exists():
        return path, None
    from insights import nlp
    from voc.notes.language import detect_language

    nlp.encoder(ENCODER)
    started = time.perf_counter()
    languages = [detect_language(t) for t in texts]
    analyses = nlp.analyse(texts, languages=languages, encoder_name=ENCODER)
    seconds = time.perf_counter() - started
    np.savez(
        path,
        vectors=np.stack([a.vector for a in analyses]).astype(np.float32),
        lemmas=np.array([json.dumps(a.lemmas) for a in analyses]),
        languages=np.array(languages),
        texts=np.array(texts),
    )
    return path, seconds


def subset(parent: Path, rows: list[int], out: Path) -> Path:
    if not out.exists():
        data = np.load(parent)
        np.savez(out, **{key: data[key][rows] for key in data.files})
    return out


# --- one method, in its own process ----------------------------------------------------------


def _umap(seed: int) -> Any:
    from umap import UMAP

    # BERTopic's default UMAP, with the seed fixed (which makes UMAP single-threaded)
    return UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False, random_state=seed)


def _bertopic(cluster_model: Any, seed: int) -> Any:
    from bertopic import BERTopic

    return BERTopic(embedding_model=None, umap_model=_umap(seed), hdbscan_model=cluster_model)


def _fit(method: str, vectors: np.ndarray, lemmas: list, languages: list, docs: list, k: int, seed: int) -> dict:
    """One timed run of ``method``: {row: (labels, seconds)}."""
    if method in ("ours_k", "ours_no_k"):
        from insights import clustering

        clustering.SEED = seed
        one_space = MULTILINGUAL
        started = time.perf_counter()
        if method == "ours_k":
            labels = clustering.group_notes(vectors, lemmas, languages, k, one_space=one_space)
        else:
            labels = clustering.discover_notes(vectors, lemmas, languages, min_size=3, one_space=one_space)
        return {method: (labels.tolist(), time.perf_counter() - started)}
    if method == "bertopic_kmeans":
        from sklearn.cluster import KMeans

        model = _bertopic(KMeans(n_clusters=k, random_state=seed), seed)
        started = time.perf_counter()
        topics, _ = model.fit_transform(docs, embeddings=vectors)
        return {method: (list(map(int, topics)), time.perf_counter() - started)}
    if method.startswith("bertopic_hdbscan"):
        from hdbscan import HDBSCAN

        size = int(method.removeprefix("bertopic_hdbscan"))
        # BERTopic's default HDBSCAN, but for min_cluster_size
        cluster = HDBSCAN(
            min_cluster_size=size, metric="euclidean", cluster_selection_method="eom", prediction_data=True
        )
        model = _bertopic(cluster, seed)
        started = time.perf_counter()
        topics, _ = model.fit_transform(docs, embeddings=vectors)
        fitted = time.perf_counter()
        if -1 in topics:
            reassigned = model.reduce_outliers(docs, topics, strategy="embeddings", embeddings=vectors)
        else:
            reassigned = topics
        done = time.perf_counter()
        return {
            f"{method}_outliers": (list(map(int, topics)), fitted - started),
            f"{method}_reassigned": (list(map(int, reassigned)), done - started),
        }
    if method == "ours_on_umap":
        from insights import clustering

        clustering.SEED = seed
        started = time.perf_counter()
        reduced = _umap(seed).fit_transform(vectors)
        reduced = clustering._normalise(reduced - reduced.mean(axis=0))
        reduced_at = time.perf_counter()
        told = clustering.group(reduced, k)
        told_at = time.perf_counter()
        found = clustering.discover(reduced, min_size=3)
        found_at = time.perf_counter()
        umap_s = reduced_at - started
        return {
            "ours_on_umap_k": (told.tolist(), umap_s + told_at - reduced_at),
            "ours_on_umap_no_k": (found.tolist(), umap_s + found_at - told_at),
        }
    raise SystemExit(f"unknown method {method}")


WARMUP_ROWS = 300


def worker(method: str, path: Path, k: int, seeds: list[int]) -> dict[str, Any]:
    """Runs one method on the cached vectors, once per seed, in this process: labels, seconds,
    and this process's peak RSS (all seeds). First a throw-away run on the first 300 notes, timed
    apart (``first_call_seconds``): UMAP, pynndescent and HDBSCAN compile their numba code on the
    first call of each process (from 4,096 notes UMAP takes another path, pynndescent, so the
    throw-away run then has 4,096 notes); the seeds' seconds are then what a warm process pays."""
    data = np.load(path)
    vectors = data["vectors"]
    lemmas = [json.loads(x) for x in data["lemmas"].tolist()]
    languages = data["languages"].tolist()
    docs = data["texts"].tolist()
    # UMAP finds neighbours exactly below 4,096 notes and with pynndescent from there: warm the path the run takes
    rows = min(WARMUP_ROWS if len(docs) < 4096 else 4096, len(docs))
    started = time.perf_counter()
    _fit(method, vectors[:rows], lemmas[:rows], languages[:rows], docs[:rows], min(k, rows // 10), 0)
    out: dict[str, Any] = {"first_call_seconds": time.perf_counter() - started, "baseline_mb": _peak_mb(), "runs": {}}
    for seed in seeds:
        for row, (labels, seconds) in _fit(method, vectors, lemmas, languages, docs, k, seed).items():
            out["runs"].setdefault(row, []).append({"labels": labels, "seconds": seconds, "seed": seed})
    out["peak_mb"] = _peak_mb()
    return out


# Every method on one thread (OpenMP, BLAS, numba; UMAP with a seed is single-threaded anyway):
# the machine is two shared cores, and under load OpenMP's spin-waiting makes k-means 30 times
# slower (DSTC11 grouping 0.15 s on one thread, 4-5.5 s on two at load average 6).
THREADS = dict.fromkeys(("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"), "1")


def run_worker(method: str, path: Path, k: int, seeds: list[int]) -> dict[str, Any]:
    before = os.getloadavg()
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        subprocess.run(
            [sys.executable, __file__, "--worker", method, "--vectors", str(path), "--k", str(k),
             "--seeds", *map(str, seeds), "--out", result.name],
            cwd=ROOT, check=True, env={**os.environ, **THREADS},
        )  # fmt: skip
        answer = json.loads(Path(result.name).read_text())
    answer["load_before"] = [round(x, 2) for x in before]
    answer["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return answer


# --- the comparison --------------------------------------------------------------------------


def summarise(labels_true: list[str], runs: list[dict[str, Any]]) -> dict[str, Any]:
    from insights.clustering import score

    per_seed = []
    for run in runs:
        found = np.asarray(run["labels"])
        scores = score(labels_true, found)
        per_seed.append(
            {
                "seed": run["seed"],
                "nmi": scores.nmi,
                "ari": scores.ari,
                "acc": scores.acc,
                "themes": len(set(found.tolist()) - {-1}),
                "outlier_share": float((found == -1).mean()),
                "seconds": run["seconds"],
            }
        )
    out: dict[str, Any] = {
        "seeds": [p["seed"] for p in per_seed],
        "per_seed": [{key: round(value, 4) for key, value in p.items()} for p in per_seed],
    }
    for field in ("nmi", "ari", "acc", "themes", "outlier_share", "seconds"):
        values = [p[field] for p in per_seed]
        out[field] = round(float(np.mean(values)), 4)
        out[f"{field}_min"] = round(float(np.min(values)), 4)
        out[f"{field}_max"] = round(float(np.max(values)), 4)
    for field in ("peak_mb", "baseline_mb", "first_call_seconds", "load_before", "load_after"):
        out[field] = runs[0][field]
    return out


def compare(
    sets: list[dict[str, Any]], *, seeds: list[int], cache: Path, big_seeds: list[int], big: int, progress: Path | None
) -> dict[str, Any]:
    from insights import nlp

    assert nlp.ENCODERS[ENCODER].multilingual == MULTILINGUAL
    results: dict[str, Any] = {}
    cached: dict[str, Path] = {}
    for entry in sets:
        name, texts, labels, k = entry["name"], entry["texts"], entry["labels"], entry["k"]
        embed_seconds = None
        if "parent" in entry:
            parent_name, parent_texts, rows = entry["parent"]
            if parent_name not in cached:
                cached[parent_name], _ = embed(parent_name, parent_texts, cache)
            path = subset(cached[parent_name], rows, cache / f"{name}-{_key(texts)}.npz")
        else:
            path, embed_seconds = embed(name, texts, cache)
            cached[name] = path
        runs: dict[str, list[dict[str, Any]]] = {}
        use = big_seeds if len(texts) > big else seeds
        for method in (*OURS, *BERTOPIC_K, "bertopic_hdbscan10", "bertopic_hdbscan5", "ours_on_umap"):
            answer = run_worker(method, path, k, use)
            shared = {
                key: answer[key]
                for key in ("peak_mb", "baseline_mb", "first_call_seconds", "load_before", "load_after")
            }
            for row, seed_runs in answer["runs"].items():
                runs[row] = [{**run, **shared} for run in seed_runs]
            print(
                f"{name} {method}: peak {answer['peak_mb']} MB, load {answer['load_before']}",
                file=sys.stderr,
                flush=True,
            )
        rows_out = {row: summarise(labels, r) for row, r in runs.items()}
        best_no_k = max(BERTOPIC_NO_K, key=lambda row: rows_out[row]["nmi"])
        ratios = {}
        for ours, best in (("ours_k", "bertopic_kmeans"), ("ours_no_k", best_no_k)):
            ratios[ours] = {
                "against": best,
                "nmi_ratio": round(rows_out[ours]["nmi"] / rows_out[best]["nmi"], 3),
                "seconds_ratio": round(rows_out[ours]["seconds"] / rows_out[best]["seconds"], 3),
            }
        results[name] = {
            "n_docs": len(texts),
            "k": k,
            "n_true_themes": len(set(labels)),
            "languages": dict(Counter(np.load(path)["languages"].tolist())),
            "embed_seconds_this_run": None if embed_seconds is None else round(embed_seconds, 1),
            "rows": rows_out,
            "ratios_ours_over_bertopic_best": ratios,
        }
        if progress:
            progress.write_text(table(results))
    return results


LABELS = {
    "ours_k": "ours, k told",
    "bertopic_kmeans": "BERTopic UMAP + k-means(k)",
    "ours_on_umap_k": "(extra) ours on the UMAP output, k told",
    "ours_no_k": "ours, no k",
    "bertopic_hdbscan10_reassigned": "BERTopic UMAP + HDBSCAN(10), outliers reassigned",
    "bertopic_hdbscan10_outliers": "BERTopic UMAP + HDBSCAN(10), outliers left",
    "bertopic_hdbscan5_reassigned": "BERTopic UMAP + HDBSCAN(5), outliers reassigned",
    "bertopic_hdbscan5_outliers": "BERTopic UMAP + HDBSCAN(5), outliers left",
    "ours_on_umap_no_k": "(extra) ours on the UMAP output, no k",
}


def table(results: dict[str, Any]) -> str:
    lines = []
    for name, result in results.items():
        lines.append(
            f"**{name}** ({result['n_docs']:,} notes, {result['n_true_themes']} true themes, k = {result['k']})"
        )
        lines.append("")
        lines.append(
            "| method | NMI mean (min) | ARI mean (min) | ACC mean (min) | themes | outliers "
            "| seconds mean (max) | first call s | peak MB (after imports) |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|")
        for row, label in LABELS.items():
            r = result["rows"].get(row)
            if r is None:
                continue
            lines.append(
                f"| {label} | {r['nmi']:.3f} ({r['nmi_min']:.3f}) | {r['ari']:.3f} ({r['ari_min']:.3f}) "
                f"| {r['acc']:.3f} ({r['acc_min']:.3f}) | {r['themes_min']:.0f} to {r['themes_max']:.0f} "
                f"| {100 * r['outlier_share']:.1f} % | {r['seconds']:.2f} ({r['seconds_max']:.2f}) "
                f"| {r['first_call_seconds']:.1f} | {r['peak_mb']:,.0f} ({r['baseline_mb']:,.0f}) |"
            )
        ratio = result["ratios_ours_over_bertopic_best"]
        lines.append("")
        lines.append(
            f"Ours / BERTopic best: k told NMI {ratio['ours_k']['nmi_ratio']:.3f}, seconds "
            f"{ratio['ours_k']['seconds_ratio']:.3f}; no k (against {LABELS[ratio['ours_no_k']['against']]}) "
            f"NMI {ratio['ours_no_k']['nmi_ratio']:.3f}, seconds {ratio['ours_no_k']['seconds_ratio']:.3f}. "
            f"Seeds {', '.join(map(str, result['rows']['ours_k']['seeds']))}."
        )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--quick", action="store_true", help="DSTC11, the yardstick, 10 per intent; one seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--big-seeds", type=int, nargs="+", default=None, help="seeds for sets above --big notes")
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--only", nargs="+", default=None, help="data set names to run")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "voc-bench-vectors")
    parser.add_argument("--table", type=Path, default=None)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--vectors", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--k", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.worker:
        answer = worker(options.worker, options.vectors, options.k, options.seeds)
        options.out.write_text(json.dumps(answer))
        return
    seeds = [0] if options.quick else options.seeds
    sets = datasets(options.data, quick=options.quick)
    if options.only:
        sets = [s for s in sets if s["name"] in options.only]
    started = time.time()
    results = compare(
        sets,
        seeds=seeds,
        cache=options.cache,
        big_seeds=options.big_seeds or seeds,
        big=options.big,
        progress=options.table,
    )
    answer = {
        "encoder": ENCODER,
        "cpus": os.cpu_count(),
        "load_at_end": [round(x, 2) for x in os.getloadavg()],
        "wall_seconds": round(time.time() - started, 1),
        "results": results,
    }
    if options.table:
        options.table.write_text(table(results))
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
