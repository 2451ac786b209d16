"""Are machine names what a reader would call the theme? Names beside the true intent names.

    .venv/bin/python bench/theme_names.py [--data ../shared/data] [--show 20]

Banking77 train (10,003 queries, 77 intents) and the bilingual yardstick (English + Spanish +
Galician, 20 intents) are embedded and grouped as ``themes evaluate`` does, told k, then named
by ``insights.naming.phrase_names`` exactly as discovery names proposals. Each theme is matched to
an intent (Hungarian, on the notes they share). Score: the share of themes whose English name is,
by the encoder, closer to its matched intent's name ("card arrival") than to any other intent's
name. Prints one JSON object, with ``--show`` names beside their intents for each set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import _common as common  # noqa: E402


def named(texts: list[str], labels: list[str], k: int, show: int) -> dict[str, object]:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from insights import clustering, evaluation, naming, nlp

    vectors, lemmas, languages = evaluation._embed(texts, "pair")
    found = clustering.group_notes(vectors, lemmas, languages, k, one_space=True)
    names = naming.phrase_names(texts, vectors, found, languages)
    intents = sorted(set(labels))
    index = {t: i for i, t in enumerate(intents)}
    groups = sorted(names)
    table = np.zeros((len(groups), len(intents)), dtype=np.int64)
    position = {g: i for i, g in enumerate(groups)}
    for group, label in zip(found.tolist(), labels, strict=True):
        if group in position:
            table[position[group], index[label]] += 1
    rows, cols = linear_sum_assignment(-table)
    matched = {groups[r]: intents[c] for r, c in zip(rows, cols, strict=True)}
    encoder = nlp.encoder("minilm")
    intent_vectors = encoder.encode([t.replace("_", " ") for t in intents])
    name_vectors = encoder.encode([names[g]["en"] for g in groups])
    closest = (name_vectors @ intent_vectors.T).argmax(axis=1)
    hits = [intents[closest[i]] == matched.get(g) for i, g in enumerate(groups)]
    largest = sorted(groups, key=lambda g: -int((found == g).sum()))[:show]
    return {
        "themes": len(groups),
        "name_closest_to_its_intent": round(sum(hits) / len(hits), 3),
        "keyword_triples": sum("·" in names[g]["en"] for g in groups),
        "bracketed": sum("(" in names[g]["en"] or "(" in names[g]["es"] for g in groups),
        "duplicates": len(groups) - len({names[g]["en"].casefold() for g in groups}),
        "examples": [
            {"intent": matched.get(g), "en": names[g]["en"], "es": names[g]["es"], "notes": int((found == g).sum())}
            for g in largest
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=common.SHARED_DATA)
    parser.add_argument("--show", type=int, default=20)
    options = parser.parse_args()
    common.setup_django()
    banking = common.read_csv(options.data / "banking77" / "train.csv")
    yardstick = common.read_csv(common.YARDSTICK)
    mixed = [(row[lang], row["intent"]) for lang in ("en", "es", "gl") for row in yardstick if row[lang]]
    result = {
        "banking77": named([r["text"] for r in banking], [r["category"] for r in banking], 77, options.show),
        "yardstick_en_es_gl": named([t for t, _ in mixed], [label for _, label in mixed], 20, options.show),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
