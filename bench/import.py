#!/usr/bin/env python
"""Import benchmark: ``manage.py import_notes`` on a large CSV, then the same file again.

Generates a CSV of realistic notes (Banking77 texts, varied kinds, channels, dates, flags,
product areas, some personal data for the redaction to find, a unique ``external_id`` per row)
in a temporary folder, creates a throw-away database (PostgreSQL ``voc_bench_import``, or a
SQLite file with ``--sqlite``), migrates it, creates agents, and runs

    manage.py import_notes FILE --agent NAME

as a subprocess twice, measuring wall time and the peak RSS of that subprocess (``os.wait4``
gives the child's own rusage). The second run must import nothing: every row is already there.
Drops the database and prints ONE JSON object.

    .venv/bin/python bench/import.py [--rows 100000] [--sqlite]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as common

HEADER = [
    "kind",
    "text",
    "channel",
    "external_id",
    "occurred_at",
    "language",
    "customer_abroad",
    "caused_by_us",
    "lonely",
    "source",
    "agent",
    "abroad_country",
    "vulnerable",
    "product_area",
]
AGENTS = 5  # rows name one of these agents in their ``agent`` column, or leave it to --agent
SUMMARY = re.compile(r"(\d+) rows: (\d+) imported, (\d+) already there, (\d+) with errors\.")


def generate_csv(path: Path, rows: int, seed: int, agent_names: list[str]) -> None:
    rng = random.Random(seed)
    texts = common.banking77_texts()
    now = datetime.now(UTC).replace(microsecond=0)
    yes = ["yes", "1", "true", "y", "x"]
    no = ["", "", "", "no", "0"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            when = now - timedelta(seconds=rng.randint(600, 90 * 86400))
            r = rng.random()
            occurred = (
                when.isoformat()  # 2026-11-23T10:30:00+00:00
                if r < 0.6
                else when.strftime("%Y-%m-%dT%H:%M")  # naive, local time
                if r < 0.85
                else when.date().isoformat()  # a day only
            )
            abroad = rng.random() < 0.05
            writer.writerow(
                [
                    common.pick_kind(rng) if rng.random() < 0.9 else common.pick_kind(rng).upper(),
                    common.note_text(rng, texts),
                    common.pick_channel(rng),
                    f"imp-{seed}-{i:08d}",
                    occurred,
                    rng.choice(["", "", "", "", "en"]),
                    rng.choice(yes) if abroad else rng.choice(no),
                    rng.choice(yes) if rng.random() < 0.1 else rng.choice(no),
                    rng.choice(yes) if rng.random() < 0.03 else rng.choice(no),
                    "crm" if rng.random() < 0.2 else "",
                    rng.choice(agent_names) if rng.random() < 0.3 else "",
                    rng.choice(common.COUNTRIES) if abroad and rng.random() < 0.7 else "",
                    rng.choice(yes) if rng.random() < 0.04 else rng.choice(no),
                    rng.choice(common.PRODUCT_AREAS) if rng.random() < 0.4 else "",
                ]
            )


def run_import(env: dict[str, str], csv_path: Path, agent: str, log: Path) -> dict[str, Any]:
    """One ``import_notes`` run: wall seconds, the child's own peak RSS, and its summary line."""
    cmd = [common.PYTHON, "manage.py", "import_notes", str(csv_path), "--agent", agent]
    # The benchmark measures throughput, not the product's file limits: lift them to fit the file.
    env = {**env, "VOC_IMPORT_MAX_BYTES": str(max(csv_path.stat().st_size, 1)), "VOC_IMPORT_MAX_ROWS": "10000000"}
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    output = log.read_text(errors="replace")
    match = SUMMARY.search(output)
    if proc.returncode != 0 or match is None:
        sys.stderr.write(output[-4000:])
        raise SystemExit(f"import_notes failed (exit code {proc.returncode})")
    rows, imported, duplicates, errors = map(int, match.groups())
    return {
        "pid": proc.pid,
        "seconds": round(seconds, 2),
        "rows": rows,
        "imported": imported,
        "duplicates": duplicates,
        "errors": errors,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the CSV (default 100000)")
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--database", default="voc_bench_import", help="PostgreSQL database name")
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()

    load_before = common.load_average()
    with tempfile.TemporaryDirectory(prefix="voc-bench-import-") as tmp:
        tmpdir = Path(tmp)
        if args.sqlite:
            database_url = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
        else:
            database_url = common.pg_url(args.database)
            common.create_database(args.database)
        env = common.django_env(database_url)
        try:
            common.manage(env, "migrate", "--noinput")
            agents = common.create_agents(env, 1 + AGENTS, tokens=False, prefix="importer")
            default_agent, named = agents[0]["username"], [a["username"] for a in agents[1:]]

            csv_path = tmpdir / "notes.csv"
            t0 = time.perf_counter()
            generate_csv(csv_path, args.rows, args.seed, named)
            generate_s = time.perf_counter() - t0
            csv_mb = round(csv_path.stat().st_size / 2**20, 1)

            first = run_import(env, csv_path, default_agent, tmpdir / "first.log")
            rows_after_first = common.count_rows(database_url)
            second = run_import(env, csv_path, default_agent, tmpdir / "second.log")
            rows_after_second = common.count_rows(database_url)
            broker_messages = common.purge_broker_messages({first["pid"], second["pid"]})
        finally:
            if not args.sqlite and not args.keep_db:
                common.drop_database(args.database)
        if args.sqlite and args.keep_db:
            kept = Path(tempfile.gettempdir()) / f"voc_bench_import_{int(time.time())}.sqlite3"
            (tmpdir / "bench.sqlite3").replace(kept)
            database_url = f"sqlite:///{kept}"

    checks = {
        "first_run_imported_all": first["imported"] == args.rows and first["errors"] == 0,
        "second_run_imported_none": second["imported"] == 0 and second["duplicates"] == args.rows,
        "rows_in_db_match": rows_after_first == rows_after_second == args.rows,
    }
    for run in (first, second):
        run.pop("pid")
    report = {
        "benchmark": "import",
        "database": "sqlite" if args.sqlite else "postgresql",
        "rows": args.rows,
        "rows_per_s": round(args.rows / first["seconds"], 1) if first["seconds"] else None,
        "seconds": first["seconds"],
        "peak_rss_mb": first["peak_rss_mb"],
        "first_run": first,
        "second_run": {
            "seconds": second["seconds"],
            "imported": second["imported"],
            "duplicates": second["duplicates"],
            "errors": second["errors"],
            "peak_rss_mb": second["peak_rss_mb"],
            "cpu_s": second["cpu_s"],
        },
        "rows_in_db": rows_after_second,
        "checks": checks,
        "broker_messages_discarded": broker_messages,
        "csv_mb": csv_mb,
        "generate_s": round(generate_s, 2),
        "load_avg_before": load_before,
        "load_avg_after": common.load_average(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report))
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
