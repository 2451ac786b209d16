#!/usr/bin/env python
"""Full-text search over a year of notes on PostgreSQL (issue 16): p50 / p95 of the search page
and API for common words, as the web serves them.

Builds the newsletter benchmark's data (``bench/newsletter.py``: by default 1,000,000 notes over
52 weeks in English, Spanish and Galician, 80 themes; no vectors) in a throw-away database
``voc_bench_search`` migrated first, so the search indexes (insights 0010) exist as in production.
Then, in this process with production settings, each query is asked ``--requests`` times (after
three warm-up requests) through Django's test client signed in as head office (every note) and
as a site lead (one site's): ``/search/?q=…`` by relevance and by date, and ``/api/v1/search/``.
Prints one JSON object: per query p50 / p95 / max milliseconds, the SQL queries of one request,
whether the plan used the per-language indexes, and whether every p95 is under the target.

    .venv/bin/python bench/search.py [--notes 1000000] [--requests 30] [--keep-db] [--reuse-db]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _common as common  # noqa: E402

TARGET_MS = 300
# Common words of the generated notes (Banking77 and its Spanish and Galician counterparts).
QUERIES = ["card", "tarjetas", "transfer money", "cuenta", '"top up" -card']


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plan(user: Any, query: str) -> dict[str, Any]:
    """EXPLAIN of the page's query: which indexes it used."""
    from insights.search import services

    with services.quick_plans():
        found = services.search_notes(viewer=user, query=query, filters={})
        text = found.notes.queryset.values_list("pk", flat=True)[: services.PAGE_SIZE].explain(analyze=True)
    return {
        "uses_fts_indexes": "insight_fts_" in text,
        "plan_ms": next((line.split(":")[1].strip() for line in text.splitlines() if "Execution Time" in line), ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database", default="voc_bench_search")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="measure a database kept by --keep-db again")
    args = parser.parse_args()

    builder = _module("newsletter")
    loop = _module("loop_pages")
    database_url = common.pg_url(args.database)
    media = tempfile.TemporaryDirectory(prefix="voc-bench-search-")
    env = common.django_env(database_url, VOC_MEDIA_ROOT=media.name)
    report: dict[str, Any] = {"benchmark": "search", "notes": args.notes, "load_before": common.load_average()}
    if not args.reuse_db:
        common.create_database(args.database)
    try:
        common.manage(env, "migrate", "--noinput")
        for key in [k for k in os.environ if k.startswith(("DJANGO_", "VOC_", "CELERY_", "CACHE_URL"))]:
            del os.environ[key]
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.chdir(ROOT)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from voc import periods
        from voc.models import User

        if args.reuse_db:
            from voc.models import Insight

            report["notes"] = Insight.objects.count()
        else:
            people = builder.create_people(args.agents)
            connection.close()
            today = timezone.localdate()
            print(f"generating {args.notes} notes …", file=sys.stderr)
            history = builder.generate_history(
                database_url, notes=args.notes, weeks=args.weeks, people=people, tz=settings.TIME_ZONE, today=today,
                last_week=periods.last_complete_week(today), seed=77, vector_weeks=0,
            )  # fmt: skip
            report["generate_seconds"] = history["seconds"]
        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        lead = User.objects.filter(role="lead").order_by("id")[0]
        hq = User.objects.get(username="hq")
        report["plans"] = {query: plan(hq, query) for query in QUERIES}
        pages: dict[str, Any] = {}
        for role, user in (("hq", hq), ("lead", lead)):
            client = Client(secure=True)
            client.force_login(user)
            for query in QUERIES:
                for sort in ("relevance", "date"):
                    path = "/search/?" + urlencode({"q": query, "sort": sort})
                    pages[f"{query} by {sort} ({role})"] = loop.measure(client, path, args.requests)
                api = "/api/v1/search/?" + urlencode({"q": query})
                pages[f"{query} API ({role})"] = loop.measure(client, api, args.requests)
        report["pages"] = pages
        report["worst_p95_ms"] = max(p["p95_ms"] for p in pages.values())
        report["target_p95_ms"] = TARGET_MS
        report["met"] = all(p["p95_ms"] < TARGET_MS for p in pages.values())
    finally:
        loop.finish(args.database, keep=args.keep_db, report=report)


if __name__ == "__main__":
    main()
