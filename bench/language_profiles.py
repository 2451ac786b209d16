"""Build ``voc/notes/data/language_profiles.json``, the count tables of ``voc.notes.language``.

Run by hand from the project root when the sources change::

    .venv/bin/python bench/language_profiles.py            # writes the data file
    .venv/bin/python bench/language_profiles.py --check    # exits 1 when the committed file differs

Deterministic: the same sources give the same bytes. Sources (see ``voc/notes/data/SOURCE.md``):

- English: Banking77 train (``/work/shared/data/banking77/train.csv``, CC BY 4.0), DSTC11 Track 2
  development utterances (``/work/shared/data/dstc11-track2/development/test-utterances.jsonl``,
  CDLA-Permissive-2.0), ``voc/notes/data/english_train.txt`` (written for this project);
- Spanish: Multilingual TOD Spanish train (``/work/shared/data/multilingual-tod-es/train-es.tsv``,
  CC BY-SA), ``voc/demo/data/spanish.csv`` and ``voc/notes/data/spanish_train.txt`` (written for
  this project);
- Galician: ``voc/demo/data/galician.csv`` and ``voc/notes/data/galician_train.txt`` (written for
  this project; there is no Galician corpus here).

The public sources are split by a hash of the text: one fifth (``held_out``) is never counted and
is what ``bench/language.py`` measures on. The 200 Banking77 queries of the bilingual yardstick
(``bench/data/banking77_en_es_gl.csv``) and everything in ``bench/data/language_short_notes.csv``
are never counted either.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voc.notes.language import features  # noqa: E402

SHARED = Path("/work/shared/data")
DATA = ROOT / "voc" / "notes" / "data"
OUT = DATA / "language_profiles.json"
YARDSTICK = ROOT / "bench" / "data" / "banking77_en_es_gl.csv"
SHORT_NOTES = ROOT / "bench" / "data" / "language_short_notes.csv"
FRESH_NOTES = ROOT / "bench" / "data" / "language_fresh_notes.csv"  # written after the constants were fixed
MIN_COUNT = {"en": 2, "es": 2, "gl": 1}  # rarer features are dropped from a language's table (size); totals keep them


def bucket(text: str) -> int:
    """0-4 from a stable hash of the text; 0 is held out from training, 1 is the tuning split."""
    return zlib.crc32(text.strip().lower().encode("utf-8")) % 5


def held_out(text: str) -> bool:
    return bucket(text) == 0


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _csv_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row[column].strip() for row in csv.DictReader(f) if row.get(column, "").strip()]


def public_sources() -> dict[str, dict[str, list[str]]]:
    """The split public corpora, by language and source name (all rows, before the split)."""
    tod = []
    with (SHARED / "multilingual-tod-es" / "train-es.tsv").open(encoding="utf-8") as f:
        tod = [line.split("\t")[2].strip() for line in f if line.count("\t") >= 3]
    dstc = [
        json.loads(line)["utterance"].strip()
        for line in (SHARED / "dstc11-track2" / "development" / "test-utterances.jsonl").open(encoding="utf-8")
        if line.strip()
    ]
    return {
        "en": {"banking77": _csv_column(SHARED / "banking77" / "train.csv", "text"), "dstc11": dstc},
        "es": {"tod_es": tod},
    }


def own_sources() -> dict[str, list[str]]:
    """Text written for this project, all of it for training."""
    return {
        "en": _lines(DATA / "english_train.txt"),
        "es": _csv_column(ROOT / "voc" / "demo" / "data" / "spanish.csv", "text") + _lines(DATA / "spanish_train.txt"),
        "gl": _csv_column(ROOT / "voc" / "demo" / "data" / "galician.csv", "text")
        + _lines(DATA / "galician_train.txt"),
    }


def never_train() -> set[str]:
    texts = set()
    for column in ("en", "es", "gl"):
        texts.update(t.lower() for t in _csv_column(YARDSTICK, column))
    for path in (SHORT_NOTES, FRESH_NOTES):
        texts.update(t.lower() for t in _csv_column(path, "text"))
    return texts


# How many times each own text is counted: the Spanish public source is about alarms, reminders
# and weather, so the Spanish banking notes are counted four times to give the notes' domain about
# as much weight as that source (chosen on the tuning split; without it, banking words such as
# "seguro" or "bloquear" read as Galician, whose texts are all banking and insurance).
OWN_WEIGHT = {"en": 1, "es": 4, "gl": 1}


def training_texts(*, tuning: bool = False) -> dict[str, list[str]]:
    """Texts counted per language: the public sources less their held-out fifth (bucket 0), and
    all own texts. ``tuning`` also leaves out bucket 1 of every source, own texts included, which
    ``bench/language.py --tuning`` measures on while choosing the model's constants."""
    excluded = never_train()
    dropped = {0, 1} if tuning else {0}
    out: dict[str, list[str]] = {"en": [], "es": [], "gl": []}
    for lang, sources in public_sources().items():
        for texts in sources.values():
            out[lang] += [t for t in texts if bucket(t) not in dropped]
    for lang, texts in own_sources().items():
        out[lang] += [t for t in texts if not (tuning and bucket(t) == 1)] * OWN_WEIGHT[lang]
    return {lang: [t for t in texts if t.lower() not in excluded] for lang, texts in out.items()}


def build(*, tuning: bool = False) -> dict:
    texts = training_texts(tuning=tuning)
    counts: dict[str, Counter[str]] = {}
    totals: dict[str, list[int]] = {}
    for lang in ("en", "es", "gl"):
        c: Counter[str] = Counter()
        for t in texts[lang]:
            c.update(features(t))
        counts[lang] = c
        total = [0] * 5
        for feat, n in c.items():
            total[_order(feat)] += n
        totals[lang] = total
    table: dict[str, list[int]] = {}
    for feat in sorted(set().union(*counts.values())):
        row = [counts[lang][feat] for lang in ("en", "es", "gl")]
        row = [n if n >= MIN_COUNT[lang] else 0 for n, lang in zip(row, ("en", "es", "gl"), strict=True)]
        if any(row):
            table[feat] = row
    return {
        "langs": ["en", "es", "gl"],
        "texts": {lang: len(texts[lang]) for lang in texts},  # own texts counted OWN_WEIGHT times
        "totals": totals,
        "distinct": {
            lang: [sum(1 for f in counts[lang] if _order(f) == o) for o in range(5)] for lang in ("en", "es", "gl")
        },
        "features": table,
    }


def _order(feat: str) -> int:
    """0 for a whole word (``"w:"`` prefix), else the n of the character n-gram."""
    return 0 if feat.startswith("w:") else len(feat)


def dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    parser.add_argument("--tuning", action="store_true", help="leave out bucket 1 too (for bench/language.py --tuning)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    text = dump(build(tuning=args.tuning))
    if args.check:
        same = args.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.out} differs from the sources")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
