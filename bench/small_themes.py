"""Small themes kept: grouping told k on Banking77 subsampled to 10, 20 and 40 notes per intent,
against plain k-means on the same vectors.

    .venv/bin/python bench/small_themes.py [--data ../shared/data] [--draws 3]

Banking77 train is embedded once as ``themes evaluate`` does (default encoder). For each size,
``--draws`` seeded subsamples take that many notes of each of the 77 intents. On each, the
product's ``clustering.group`` (told k = 77: neighbourhood smoothing, k-means, label propagation,
every group kept) and scikit-learn's ``KMeans(77, n_init=8)`` run on the same vectors. Prints
one JSON object: mean NMI of each, the gap, and how many themes each returned.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import _common as common  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.SHARED_DATA)
    parser.add_argument("--draws", type=int, default=3)
    options = parser.parse_args()
    common.setup_django()
    import numpy as np

    from insights import clustering, evaluation

    rows = common.read_csv(options.data / "banking77" / "train.csv")
    vectors, _lemmas, _languages = evaluation._embed([r["text"] for r in rows], "pair")
    labels = np.array([r["category"] for r in rows])
    intents = np.unique(labels)
    rng = np.random.default_rng(1)
    result: dict[str, object] = {}
    for per_intent in (10, 20, 40):
        ours, plain, found = [], [], []
        for _ in range(options.draws):
            chosen = np.concatenate(
                [
                    rng.choice(np.flatnonzero(labels == i), min(per_intent, int((labels == i).sum())), replace=False)
                    for i in intents
                ]
            )
            matrix, truth = vectors[chosen], labels[chosen].tolist()
            grouped = clustering.group(matrix, len(intents))
            found.append(len(set(grouped.tolist())))
            ours.append(clustering.score(truth, grouped).nmi)
            plain.append(clustering.score(truth, clustering.kmeans(matrix, len(intents), n_init=8)[0]).nmi)
        result[f"{per_intent}_per_intent"] = {
            "nmi_ours": round(float(np.mean(ours)), 4),
            "nmi_plain_kmeans": round(float(np.mean(plain)), 4),
            "gap": round(float(np.mean(ours) - np.mean(plain)), 4),
            "themes_returned": found,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
