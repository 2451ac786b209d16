"""Theme quality and speed on the open data: runs ``manage.py themes evaluate`` as the contract
defines it and prints one JSON object with every result.

    .venv/bin/python bench/themes.py [--data ../shared/data] [--quick]
    .venv/bin/python bench/themes.py --compare [--quick] [...]   # against BERTopic: bench/bertopic_compare.py

Banking77 (told k=77, and not told), DSTC11 insurance turns (told k=22, and not told), and
assignment on a stratified 80/20 split of Banking77 train. ``--quick`` uses 2,000 Banking77 rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def evaluate(*args: str) -> dict:
    """One ``themes evaluate`` run, with the machine's load averages around it (the machine is
    shared: speed numbers mean little without them)."""
    before = os.getloadavg()
    result = subprocess.run(
        [sys.executable, "manage.py", "themes", "evaluate", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    answer["load_before"] = [round(x, 2) for x in before]
    answer["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return answer


def split(source: Path, folder: Path, *, limit: int | None) -> tuple[Path, Path]:
    rows = list(csv.DictReader(source.open(encoding="utf-8")))
    rng = random.Random(0)
    if limit:
        rows = rng.sample(rows, limit)
    by_label: dict[str, list[dict]] = {}
    for row in rows:
        by_label.setdefault(row["category"], []).append(row)
    train, test = [], []
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        cut = max(1, int(len(group) * 0.8))
        train += group[:cut]
        test += group[cut:]
    paths = []
    for name, data in (("train", train), ("test", test)):
        path = folder / f"banking77-{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["text", "category"])
            writer.writeheader()
            writer.writerows(data)
        paths.append(path)
    return paths[0], paths[1]


def main() -> None:
    if "--compare" in sys.argv[1:]:  # needs bench/requirements.txt; its options are its own
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bertopic_compare import main as compare

        compare([arg for arg in sys.argv[1:] if arg != "--compare"])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--compare", action="store_true", help="ours against BERTopic on the same vectors")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        banking = options.data / "banking77" / "train.csv"
        if options.quick:
            sample, _ = split(banking, folder, limit=2000)
            banking = sample
        dstc = options.data / "dstc11-track2" / "development" / "test-utterances.jsonl"
        train, test = split(options.data / "banking77" / "train.csv", folder, limit=2000 if options.quick else None)
        dstc_cols = ["--text-col", "utterance", "--label-col", "intent"]
        results = {
            "banking77_k77": evaluate("--input", str(banking), "--label-col", "category", "--k", "77"),
            "banking77_no_k": evaluate("--input", str(banking), "--label-col", "category"),
            "dstc11_insurance_k22": evaluate("--input", str(dstc), *dstc_cols, "--k", "22"),
            "dstc11_insurance_no_k": evaluate("--input", str(dstc), *dstc_cols),
            "banking77_assignment": evaluate(
                "--assign", "--train", str(train), "--test", str(test), "--label-col", "category"
            ),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
