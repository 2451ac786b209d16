"""Assigning one new note to a theme through the product path, as the worker does it, with few
and with many notes already in themes: the cost must not grow with them.

    .venv/bin/python bench/assignment.py [--sizes 1000,10000,100000] [--notes 200]

For each size: a throw-away PostgreSQL database gets that many notes in 77 accepted themes, with
vectors drawn around 77 directions (the encoder is not what is measured here), then the classifier
is fitted (``insights.tasks.refit_classifier``, timed). Then ``--notes`` new notes are assigned one
at a time by ``insights.services.assign_notes`` (the call the embedding task makes after storing
a vector), and ``embed_notes`` is timed for real one-note texts (encoder included, the worker's
whole job for a note). Prints one JSON object: per size, fit seconds and per-note milliseconds
(median, p95) for assignment alone and for embedding plus assignment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _common as common  # noqa: E402

DIMS, THEMES = 384, 77


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_size(size: int, notes: int) -> dict[str, float | int]:
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from insights import services, tasks
    from insights.models import Assignment, NoteVector, Theme
    from voc.models import Insight, Site, User

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(THEMES, DIMS)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)

    def vector(theme: int) -> bytes:
        v = centres[theme] + 0.04 * rng.normal(size=DIMS).astype(np.float32)
        return (v / np.linalg.norm(v)).astype(np.float32).tobytes()

    site = Site.objects.create(name=f"Bench {size}")
    agent = User.objects.create(username=f"agent{size}", role=User.Role.AGENT, site=site)
    themes = [Theme.objects.create(name=f"Theme {i}", status=Theme.Status.ACCEPTED) for i in range(THEMES)]
    now = timezone.now()
    batch = 5000
    for start in range(0, size, batch):
        count = min(batch, size - start)
        created = Insight.objects.bulk_create(
            Insight(agent=agent, site=site, kind="need", channel="phone", text=f"note {start + i}", occurred_at=now)
            for i in range(count)
        )
        labels = [(start + i) % THEMES for i in range(count)]
        NoteVector.objects.bulk_create(
            NoteVector(note=n, encoder="pair", vector=vector(t)) for n, t in zip(created, labels, strict=True)
        )
        Assignment.objects.bulk_create(
            Assignment(note=n, theme=themes[t], method="person") for n, t in zip(created, labels, strict=True)
        )
    with connection.cursor() as cursor:  # as autovacuum would after a bulk load: fresh planner statistics
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    tasks.refit_classifier()
    fit_seconds = time.perf_counter() - started

    fresh = Insight.objects.bulk_create(
        Insight(agent=agent, site=site, kind="need", channel="phone", text=f"new {i}", occurred_at=now)
        for i in range(notes)
    )
    NoteVector.objects.bulk_create(
        NoteVector(note=n, encoder="pair", vector=vector(i % THEMES)) for i, n in enumerate(fresh)
    )
    services.assign_notes(note_ids=[fresh[0].pk])  # the process loads the new classifier once
    assign_ms = []
    for note in fresh[1:]:
        started = time.perf_counter()
        services.assign_notes(note_ids=[note.pk])
        assign_ms.append(1000 * (time.perf_counter() - started))

    texts = common.banking77_texts()
    real = Insight.objects.bulk_create(
        Insight(agent=agent, site=site, kind="need", channel="phone", text=texts[i], occurred_at=now)
        for i in range(min(notes, 100))
    )
    services.embed_notes(note_ids=[real[0].pk])  # the encoder loads once per process
    embed_ms = []
    for note in real[1:]:
        started = time.perf_counter()
        services.embed_notes(note_ids=[note.pk])
        embed_ms.append(1000 * (time.perf_counter() - started))
    assigned = Assignment.objects.filter(note__in=fresh[1:], method="auto").count()
    return {
        "notes_in_themes": size,
        "fit_seconds": round(fit_seconds, 2),
        "assign_ms_median": round(statistics.median(assign_ms), 2),
        "assign_ms_p95": round(percentile(assign_ms, 0.95), 2),
        "assigned_share": round(assigned / len(assign_ms), 3),
        "embed_and_assign_ms_median": round(statistics.median(embed_ms), 2),
        "embed_and_assign_ms_p95": round(percentile(embed_ms, 0.95), 2),
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--notes", type=int, default=200)
    options = parser.parse_args()
    results = []
    for size in (int(s) for s in options.sizes.split(",")):
        database = f"lp_bench_assign_{size}"
        common.create_database(database)
        try:
            os.environ.update(common.django_env(common.pg_url(database), VOC_ENCODER="pair"))
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
            import django
            from django.core.management import call_command
            from django.db import connections

            django.setup()
            connections["default"].close()
            connections["default"].settings_dict["NAME"] = database
            call_command("migrate", verbosity=0)
            results.append(run_size(size, options.notes))
            connections["default"].close()
        finally:
            common.drop_database(database)
    print(json.dumps({"load": [round(x, 2) for x in os.getloadavg()], "sizes": results}))


if __name__ == "__main__":
    main()
