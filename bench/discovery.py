#!/usr/bin/env python
"""Discovery at scale: ``manage.py themes discover`` over stored vectors on PostgreSQL.

Creates a throw-away database (``lp_bench_disc``), migrates it and, for each size N, fills it
with N recent notes whose vectors are drawn from real data: a random Banking77 query's MiniLM
vector (the pair encoder's vector for English, cached in ``--vectors``) plus Gaussian noise,
renormalised, keeping the query's intent. Notes and vectors go in with COPY. Then

    manage.py themes discover

runs as a subprocess (the product path: insights.services.discover_themes), timed wall clock
with its peak RSS (``os.wait4``), and the themes it wrote are scored against the intents (NMI
and Hungarian accuracy, insights.clustering.score; notes left ungrouped count as one group).
Also measures the recall of the approximate neighbours against the exact ones on a sample.
Drops the database and prints ONE JSON object.

    .venv/bin/python bench/discovery.py [--sizes 10000,100000,1000000] [--noise 0.02]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import PYTHON, ROOT, create_agents, create_database, django_env, drop_database, manage, pg_url

DATABASE = "lp_bench_disc"
BANKING77_TRAIN = ROOT.parent / "shared" / "data" / "banking77" / "train.csv"


def synthetic(vectors: np.ndarray, labels: np.ndarray, n: int, noise: float, seed: int):
    """``n`` noisy copies of randomly chosen real vectors (renormalised) and their intents."""
    rng = np.random.default_rng(seed)
    chosen = rng.integers(0, len(vectors), size=n)
    out = np.empty((n, vectors.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        part = vectors[chosen[start : start + 100_000]]
        part = part + rng.normal(scale=noise, size=part.shape).astype(np.float32)
        out[start : start + 100_000] = part / np.linalg.norm(part, axis=1, keepdims=True)
    return out, labels[chosen], chosen


def fill(url: str, matrix: np.ndarray, lemmas: list[str], agent_id: int, site_id: int) -> float:
    """COPY the notes (ids 1..n, recent) and their vectors; returns seconds taken."""
    import psycopg

    started = time.perf_counter()
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE insights_assignment, insights_themechange, insights_notevector, voc_insight CASCADE")
        conn.execute("DELETE FROM insights_theme")
        columns = (
            "id, kind, text, channel, language, agent_id, site_id, occurred_at, created_at, updated_at, "
            "customer_abroad, abroad_country, caused_by_us, lonely, vulnerable, source, external_id, status"
        )
        with conn.cursor().copy(f"COPY voc_insight ({columns}) FROM STDIN") as copy:
            for i in range(len(matrix)):
                when = now - timedelta(minutes=i % 100_000)
                flags = (False, "", False, False, False, "", "", "active")
                copy.write_row((i + 1, "need", f"note {i}", "phone", "en", agent_id, site_id, when, when, when, *flags))
        with conn.cursor().copy(
            "COPY insights_notevector (note_id, encoder, vector, lemmas, status, error, created_at) FROM STDIN"
        ) as copy:
            for i in range(len(matrix)):
                copy.write_row((i + 1, "pair", matrix[i].tobytes(), lemmas[i], "ok", "", now))
        conn.execute("SELECT setval('voc_insight_id_seq', %s)", (len(matrix),))
        conn.execute("ANALYZE voc_insight")
        conn.execute("ANALYZE insights_notevector")
    return time.perf_counter() - started


def discover(env: dict[str, str]) -> dict:
    before = os.getloadavg()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "themes", "discover"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()  # type: ignore[union-attr]
    if status != 0:
        sys.stderr.write(out[-3000:] + err[-3000:])
        raise SystemExit("themes discover failed")
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        "load_before": [round(x, 2) for x in before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def quality(url: str, truth: np.ndarray) -> dict:
    import psycopg

    from insights import clustering

    labels = np.full(len(truth), -1)
    with psycopg.connect(url) as conn:
        for note_id, theme_id in conn.execute("SELECT note_id, theme_id FROM insights_assignment"):
            labels[note_id - 1] = theme_id
    scores = clustering.score([str(t) for t in truth], labels)
    # NMI drifts with the number of notes scored (77 intents x ~80 themes: ~0.02 higher on 10,000
    # notes than on 100,000 for the same grouping), so every size is also scored on 10,000 notes.
    rows = np.random.default_rng(0).choice(len(truth), size=min(10_000, len(truth)), replace=False)
    same = clustering.score([str(t) for t in truth[rows]], labels[rows])
    return {
        "themes_found": len(set(labels.tolist()) - {-1}),
        "true_intents": len(set(truth.tolist())),
        "ungrouped": int((labels == -1).sum()),
        "nmi": round(scores.nmi, 3),
        "acc": round(scores.acc, 3),
        "nmi_on_10000": round(same.nmi, 3),
        "acc_on_10000": round(same.acc, 3),
    }


def recall(matrix: np.ndarray, *, queries: int = 500, k: int = 15) -> float:
    """Share of the exact ``k`` nearest neighbours of sampled notes (among the reference sample
    the product searches, insights.clustering.reference) that the approximate search finds."""
    from insights import clustering

    among = clustering.reference(len(matrix))
    pool = np.arange(len(matrix)) if among is None else among
    indices, _ = clustering.nearest_approximate(matrix, k, among=among)
    rows = np.random.default_rng(1).choice(len(matrix), size=min(queries, len(matrix)), replace=False)
    hits = 0
    for start in range(0, len(rows), 100):
        block = rows[start : start + 100]
        similarity = matrix[block] @ matrix[pool].T
        similarity[pool[None, :] == block[:, None]] = -np.inf
        top = pool[np.argpartition(-similarity, k, axis=1)[:, :k]]
        for row, exact in zip(block.tolist(), top.tolist(), strict=True):
            hits += len(set(exact) & (set(indices[row].tolist()) - {row}))
    return hits / (len(rows) * k)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--vectors", type=Path, default=Path("/tmp/exp/b77.npz"))
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")
    cached = np.load(options.vectors)
    vectors, labels = cached["minilm"].astype(np.float32), cached["labels"]
    with BANKING77_TRAIN.open(encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    words = [" ".join(w for w in re.findall(r"[a-z]+", t.lower()) if len(w) > 2) for t in texts]
    url = pg_url(DATABASE)
    create_database(DATABASE)
    env = django_env(url)
    results: dict = {"noise": options.noise, "source": str(options.vectors), "runs": []}
    try:
        manage(env, "migrate", "-v", "0")
        create_agents(env, 1, tokens=False, prefix="disc")
        import psycopg

        with psycopg.connect(url) as conn:
            agent_id, site_id = conn.execute("SELECT id, site_id FROM voc_user WHERE username = 'disc000'").fetchone()
        for n in [int(s) for s in options.sizes.split(",")]:
            matrix, truth, chosen = synthetic(vectors, labels, n, options.noise, seed=n)
            run = {"n": n, "insert_seconds": round(fill(url, matrix, [words[c] for c in chosen], agent_id, site_id), 1)}
            if n <= 100_000:
                run["neighbour_recall"] = round(recall(matrix), 3)
            run.update(discover(env))
            run.update(quality(url, truth))
            print(json.dumps(run), file=sys.stderr, flush=True)
            results["runs"].append(run)
    finally:
        if not options.keep:
            drop_database(DATABASE)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
