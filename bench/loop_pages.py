#!/usr/bin/env python
"""The loop's pages over a year of notes on PostgreSQL (issue 15): questions and actions, p50 / p95
as the web serves them.

Builds the newsletter benchmark's data (``bench/newsletter.py``: 1,000,000 notes over 52 weeks,
80 themes, 90 % assigned, +1s; no vectors: the pages never read them) in a throw-away database
``voc_bench_loop``, then in SQL: ``--questions`` open questions, each matched to every note of
two of the themes (about 25,000 notes a question, a tenth confirmed), and 2,000 agents' "+1"s a
question over the last month; and 30 done actions (two themes and a question each, done six
weeks ago) through the product's service. Then, in this process with production settings, each
page is asked ``--requests`` times (after three warm-up requests) through Django's test client
signed in as head office and as a site lead: the questions list, the most asked question's
page, the actions list and an action's page with its measured effect. Prints one JSON object:
per page p50 / p95 / max milliseconds and the SQL queries of one request.

    .venv/bin/python bench/loop_pages.py [--notes 1000000] [--questions 30] [--keep-db]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _common as common  # noqa: E402

TARGET_MS = 300


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("bench_newsletter", ROOT / "bench" / "newsletter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_questions(url: str, *, questions: int, hq_id: int) -> dict[str, Any]:
    """Questions, their matches (two themes' notes each) and "+1"s, in SQL."""
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        themes = [
            r[0]
            for r in conn.execute(
                "SELECT theme_id FROM insights_assignment GROUP BY theme_id ORDER BY count(*) DESC, theme_id"
            ).fetchall()
        ]
        agents = [r[0] for r in conn.execute("SELECT id FROM voc_user WHERE role = 'agent' ORDER BY id").fetchall()]
        for i in range(questions):
            qid = conn.execute(
                """INSERT INTO insights_question (text, text_es, department, status, asked_by_id, created_at,
                       updated_at, encoder, vector, weights, threshold, confirmed, version, scanned_version, key_terms)
                   VALUES (%s, '', 'Digital', 'open', %s, now() - interval '200 days', now(), 'pair', '', '',
                       0.76, 0, 1, 1, '[]') RETURNING id""",
                (f"Bench question {i}: will you launch an app that integrates banking?", hq_id),
            ).fetchone()[0]
            pair = themes[(2 * i) % len(themes) : (2 * i) % len(themes) + 2]
            conn.execute(
                """INSERT INTO insights_questionmatch (question_id, note_id, state, score, agent_id, site_id, channel,
                       language, occurred_at, decided_by_id, decided_at, created_at)
                   SELECT %s, n.id, CASE WHEN n.id %% 10 = 0 THEN 'confirmed' ELSE 'matched' END, 0.8, NULL,
                       n.site_id, n.channel, n.language, n.occurred_at, NULL, NULL, now()
                   FROM insights_assignment a JOIN voc_insight n ON n.id = a.note_id
                   WHERE a.theme_id = ANY(%s)""",
                (qid, pair),
            )
            conn.execute(
                """INSERT INTO insights_questionmatch (question_id, note_id, state, score, agent_id, site_id, channel,
                       language, occurred_at, created_at)
                   SELECT %s, NULL, 'heard', NULL, u.id, u.site_id, 'phone', 'es',
                       now() - (g * interval '20 minutes'), now()
                   FROM generate_series(1, 2000) g JOIN voc_user u ON u.id = (%s::int[])[1 + g %% %s]""",
                (qid, agents, len(agents)),
            )
        conn.execute("VACUUM (ANALYZE) insights_questionmatch")
        matches = conn.execute("SELECT count(*) FROM insights_questionmatch").fetchone()[0]
    return {"questions": questions, "matches": matches, "seconds": round(time.perf_counter() - t0, 1)}


def add_actions(hq: Any) -> dict[str, Any]:
    """30 done actions, each on two themes and a question, done six weeks ago (so both periods
    of the effect are whole), recorded through the product's service."""
    from datetime import timedelta

    from django.utils import timezone

    from insights.actions import services
    from insights.models import Question, Theme

    themes = list(Theme.objects.accepted().order_by("id"))
    questions = list(Question.objects.order_by("id"))
    made = []
    for i in range(30):
        made.append(
            services.record_action(
                by=hq,
                title=f"Bench action {i}",
                status="done",
                done_on=timezone.localdate() - timedelta(days=42),
                themes=themes[2 * i % len(themes) : 2 * i % len(themes) + 2],
                questions=[questions[i % len(questions)]],
            ).pk
        )
    return {"actions": len(made), "busiest": made[0]}


def measure(client: Any, path: str, requests: int) -> dict[str, Any]:
    from django.db import connection, reset_queries

    for _ in range(3):
        assert client.get(path).status_code == 200, path
    took = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(path)
        took.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    from django.conf import settings

    settings.DEBUG = True
    reset_queries()
    client.get(path)
    queries = len(connection.queries)
    settings.DEBUG = False
    took.sort()
    return {
        "path": path,
        "p50_ms": round(statistics.median(took), 1),
        "p95_ms": round(took[max(int(0.95 * len(took)) - 1, 0)], 1),
        "max_ms": round(took[-1], 1),
        "queries": queries,
    }


def finish(database: str, *, keep: bool, report: dict[str, Any]) -> None:
    """Close Django's connections, drop the bench database (unless kept), print the report."""
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    if not keep:
        common.drop_database(database)
    report["load_after"] = common.load_average()
    print(json.dumps(report, indent=2))


def year_of_notes(args: Any, *, prefix: str) -> tuple[dict[str, Any], Any]:
    """Build the year of notes in ``args.database`` and set Django up on it (production
    settings): people, ``args.notes`` notes, questions and actions. Returns the report begun
    and head office's user. The caller ends with ``finish``."""
    builder = _builder()
    database_url = common.pg_url(args.database)
    media = tempfile.mkdtemp(prefix=prefix)
    env = common.django_env(database_url, VOC_MEDIA_ROOT=media)
    if not getattr(args, "reuse_db", False):
        common.create_database(args.database)
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
    from django.utils import timezone

    from voc import periods
    from voc.models import User

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    if getattr(args, "reuse_db", False):
        from voc.models import Insight

        return {"reused": True, "notes": Insight.objects.count()}, User.objects.get(username="hq")
    people = builder.create_people(args.agents)
    connection.close()
    today = timezone.localdate()
    print(f"generating {args.notes} notes …", file=sys.stderr)
    history = builder.generate_history(
        database_url, notes=args.notes, weeks=args.weeks, people=people, tz=settings.TIME_ZONE, today=today,
        last_week=periods.last_complete_week(today), seed=77, vector_weeks=0,
    )  # fmt: skip
    report: dict[str, Any] = {"generate_seconds": history["seconds"]}
    from insights.explore import rollup

    # the load runs with triggers off (session_replication_role = replica): count the roll-up now
    report["rollup"] = rollup.rebuild()
    hq = User.objects.get(username="hq")
    report["questions"] = add_questions(database_url, questions=args.questions, hq_id=hq.pk)
    report["actions"] = add_actions(hq)
    return report, hq


def arguments(description: str, *, database: str, requests: int = 30) -> Any:
    """The options of the year-of-notes benchmarks (this one and ``bench/desk_pages.py``)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notes", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--database", default=database)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db", action="store_true", help="measure a database kept by --keep-db again (implies --keep-db)"
    )
    args = parser.parse_args()
    args.keep_db = args.keep_db or args.reuse_db
    return args


def main() -> None:
    args = arguments(__doc__ or "", database="voc_bench_loop")

    report: dict[str, Any] = {"benchmark": "loop pages", "notes": args.notes, "load_before": common.load_average()}
    try:
        built, _hq = year_of_notes(args, prefix="voc-bench-loop-")
        report.update(built)
        from django.db import connection
        from django.test import Client

        from voc.models import User

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT question_id FROM insights_questionmatch GROUP BY question_id ORDER BY count(*) DESC LIMIT 1"
            )
            busiest = cursor.fetchone()[0]
        pages: dict[str, Any] = {}
        for username in ("hq", User.objects.filter(role="lead").order_by("id").values_list("username", flat=True)[0]):
            client = Client(secure=True)
            client.force_login(User.objects.get(username=username))
            role = "hq" if username == "hq" else "lead"
            pages[f"question list ({role})"] = measure(client, "/questions/", args.requests)
            pages[f"question page ({role})"] = measure(client, f"/questions/{busiest}/", args.requests)
            pages[f"action list ({role})"] = measure(client, "/actions/", args.requests)
            pages[f"action page ({role})"] = measure(client, f"/actions/{report['actions']['busiest']}/", args.requests)
        report["pages"] = pages
        report["target_p95_ms"] = TARGET_MS
        report["met"] = all(p["p95_ms"] < TARGET_MS for p in pages.values())
    finally:
        finish(args.database, keep=args.keep_db, report=report)


if __name__ == "__main__":
    main()
