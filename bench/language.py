"""Accuracy and speed of ``voc.notes.language.detect_language`` on held-out text.

    .venv/bin/python bench/language.py             # the committed model, on the held-out data
    .venv/bin/python bench/language.py --tuning    # a model built without bucket 1, measured on bucket 1

Prints one JSON object. Held-out data (never counted by ``bench/language_profiles.py``):

- ``banking77_heldout`` / ``dstc11_heldout`` (English) and ``tod_es_heldout`` (Spanish): the fifth
  of each public source that the build leaves out (a hash of the text, ``bucket == 0``);
- ``yardstick``: ``bench/data/banking77_en_es_gl.csv`` (200 English / 200 Spanish / 60 Galician);
- ``short_notes``: ``bench/data/language_short_notes.csv``, agent notes written for this
  benchmark and used for nothing else (162 Galician, 104 Spanish, 104 English);
- ``fresh_notes``: ``bench/data/language_fresh_notes.csv``, 190 more short notes (80 Spanish,
  80 Galician as the same notes in Galician, 30 English) written on 2026-12-04, after the
  model and its constants were fixed, over more topics (insurance claims, fees, fraud, roadside
  assistance): the first file had been measured several times while the model was built.

For each set and language: accuracy on short notes (≤ 6 words) and on all. ``before`` is the
word-list scorer this model replaced (``voc/notes/language.py`` at commit 0766591, read from git).
``--tuning`` measures on bucket 1 of every training source, own texts included, and on 1-5-word
windows cut from those texts; it is what the constants of the model were chosen on.
All calls use ``default="en"``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import language_profiles as lp  # noqa: E402

from voc.notes import language  # noqa: E402

BEFORE_COMMIT = "0766591"
SHORT = 6


def before_detector() -> Callable[..., str]:
    source = subprocess.run(
        ["git", "show", f"{BEFORE_COMMIT}:voc/notes/language.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType("language_before")
    exec(compile(source, "language_before.py", "exec"), module.__dict__)
    return module.detect_language  # type: ignore[no-any-return]


def heldout_sets() -> dict[str, list[tuple[str, str]]]:
    excluded = lp.never_train()
    sets: dict[str, list[tuple[str, str]]] = {}
    for lang, sources in lp.public_sources().items():
        for name, texts in sources.items():
            sets[f"{name}_heldout"] = [(lang, t) for t in texts if lp.held_out(t) and t.lower() not in excluded]
    sets["yardstick"] = [(lang, t) for lang in ("en", "es", "gl") for t in lp._csv_column(lp.YARDSTICK, lang)]
    for name, path in (("short_notes", lp.SHORT_NOTES), ("fresh_notes", lp.FRESH_NOTES)):
        with path.open(encoding="utf-8", newline="") as f:
            sets[name] = [(row["lang"], row["text"]) for row in csv.DictReader(f)]
    return sets


def windows(texts: list[tuple[str, str]], seed: int = 14) -> list[tuple[str, str]]:
    """A 1-5-word window of each text (short notes from longer ones)."""
    rng = random.Random(seed)
    out = []
    for lang, t in texts:
        ws = t.split()
        n = rng.randint(1, min(5, len(ws)))
        i = rng.randint(0, len(ws) - n)
        out.append((lang, " ".join(ws[i : i + n])))
    return out


def tuning_sets() -> dict[str, list[tuple[str, str]]]:
    excluded = lp.never_train()
    dev: list[tuple[str, str]] = []
    for lang, sources in lp.public_sources().items():
        for texts in sources.values():
            dev += [(lang, t) for t in texts if lp.bucket(t) == 1 and t.lower() not in excluded]
    for lang, texts in lp.own_sources().items():
        dev += [(lang, t) for t in texts if lp.bucket(t) == 1 and t.lower() not in excluded]
    return {"dev": dev, "dev_windows": windows(dev)}


def accuracy(detect: Callable[..., str], rows: list[tuple[str, str]]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for lang in ("en", "es", "gl"):
        mine = [t for code, t in rows if code == lang]
        if not mine:
            continue
        short = [t for t in mine if len(t.split()) <= SHORT]
        right = [detect(t, default="en") == lang for t in mine]
        right_short = [detect(t, default="en") == lang for t in short]
        out[lang] = {
            "n": len(mine),
            "all": round(sum(right) / len(mine), 4),
            "n_short": len(short),
            "short": round(sum(right_short) / len(short), 4) if short else None,
        }
    return out


def microseconds_per_call(detect: Callable[..., str], texts: list[str], repeat: int = 3) -> float:
    detect(texts[0])
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for t in texts:
            detect(t, default="en")
        best = min(best, time.perf_counter() - start)
    return round(best / len(texts) * 1e6, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tuning", action="store_true")
    parser.add_argument("--errors", action="store_true", help="also list the misclassified texts (tuning sets only)")
    args = parser.parse_args()
    if args.tuning:
        tmp = Path(tempfile.mkdtemp()) / "profiles.json"
        tmp.write_text(lp.dump(lp.build(tuning=True)), encoding="utf-8")
        language.DATA_FILE = tmp
        language._model.cache_clear()
        sets = tuning_sets()
    else:
        sets = heldout_sets()
    before = before_detector()
    result: dict[str, object] = {"model": str(language.DATA_FILE.relative_to(ROOT)) if not args.tuning else "tuning"}
    result["after"] = {name: accuracy(language.detect_language, rows) for name, rows in sets.items()}
    result["before"] = {name: accuracy(before, rows) for name, rows in sets.items()}
    texts = [t for rows in sets.values() for _, t in rows]
    result["microseconds_per_call"] = {
        "after": microseconds_per_call(language.detect_language, texts),
        "before": microseconds_per_call(before, texts),
        "texts": len(texts),
        "mean_words": round(sum(len(t.split()) for t in texts) / len(texts), 1),
    }
    if args.errors and args.tuning:
        result["errors"] = [
            (lang, t, language.detect_language(t))
            for rows in sets.values()
            for lang, t in rows
            if language.detect_language(t) != lang
        ]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
