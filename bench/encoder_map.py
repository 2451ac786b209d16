"""Fit the linear map that carries Universal Sentence Encoder multilingual vectors into
all-MiniLM-L6-v2's space, and write it to ``insights/data/use_to_minilm.npy`` (the ``pair``
encoder's third pinned file; its SHA-256 is in ``insights.nlp.ENCODERS``).

    .venv/bin/python bench/encoder_map.py [--data ../shared/data]

Fitted on English text only: Banking77 train (CC BY 4.0, ../shared/data/banking77/SOURCE.md),
without the 200 queries of the bilingual yardstick (bench/data/banking77_en_es_gl.csv), so the
yardstick and every Spanish or Galician set it is measured on were never seen. Both encoders see
the same English sentence; ridge regression (lambda = 1) from the 512 USE dimensions to the 384
MiniLM ones. Because USE puts a Spanish sentence next to its English translation, the map sends
a Spanish note close to where MiniLM would put the English one. Deterministic: same data, same file.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import _common as common  # noqa: E402

OUTPUT = ROOT / "insights" / "data" / "use_to_minilm.npy"
RIDGE = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.SHARED_DATA)
    options = parser.parse_args()
    common.setup_django()
    from insights import nlp

    yardstick = {row["en"] for row in common.read_csv(common.YARDSTICK)}
    texts = sorted({row["text"] for row in common.read_csv(options.data / "banking77" / "train.csv")} - yardstick)
    target = nlp.encoder("minilm").encode(texts).astype(np.float64)
    source = nlp.encoder("use-multilingual").encode(texts).astype(np.float64)
    mapping = np.linalg.solve(source.T @ source + RIDGE * np.eye(source.shape[1]), source.T @ target)
    np.save(OUTPUT, mapping.astype(np.float32), allow_pickle=False)
    fitted = source @ mapping
    fitted /= np.linalg.norm(fitted, axis=1, keepdims=True)
    print(
        {
            "texts": len(texts),
            "mean_cosine_to_minilm": round(float((fitted * target).sum(axis=1).mean()), 4),
            "file": str(OUTPUT.relative_to(ROOT)),
            "sha256": hashlib.sha256(OUTPUT.read_bytes()).hexdigest(),
        }
    )


if __name__ == "__main__":
    main()
