#!/usr/bin/env python
"""The 15-minute alert run (issue 15) over a day of 10,000 new notes, on PostgreSQL.

Builds, with the newsletter benchmark's generator (``bench/newsletter.py``), ``--days`` days of
``--per-day`` notes (default 28 x 10,000: the baseline the run reads, and today's notes), with
themes, assignments, +1s and a stored vector for the notes of the last week; then in SQL 30
open questions matched to two themes' notes each (``bench/loop_pages.py``), ``--subscriptions``
threshold subscriptions (site, kind, theme or question, more than N a day) and, so the run has
a burst to find, 40 near-identical notes with no theme in the last hour. Then
``insights.following.alerts.run_alerts()`` as the beat task runs it, ``--runs`` times (the
second and later find every burst open already and only update it). Prints one JSON object.

    .venv/bin/python bench/alerts.py [--per-day 10000] [--days 28] [--keep-db]
"""

from __future__ import annotations

import argparse
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
import loop_pages  # noqa: E402

TARGET_S = 10.0


def add_subscriptions_and_burst(url: str, *, subscriptions: int) -> dict[str, Any]:
    import numpy as np
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        users = [r[0] for r in conn.execute("SELECT id FROM voc_user ORDER BY id").fetchall()]
        sites = [r[0] for r in conn.execute("SELECT id FROM voc_site ORDER BY id").fetchall()]
        themes = [r[0] for r in conn.execute("SELECT id FROM insights_theme WHERE status = 'accepted'").fetchall()]
        questions = [r[0] for r in conn.execute("SELECT id FROM insights_question").fetchall()]
        rows = []
        for i in range(subscriptions):
            target = i % 4
            site = sites[i % len(sites)] if target == 0 else None
            kind = "complaint" if target == 0 else ""
            theme = themes[i % len(themes)] if target == 1 else None
            question = questions[i % len(questions)] if target == 2 else None
            site = sites[i % len(sites)] if target == 3 else site
            key = "|".join(
                p
                for p in (
                    f"theme:{theme}" if theme else "",
                    f"question:{question}" if question else "",
                    f"site:{site}" if site else "",
                    f"kind:{kind}" if kind else "",
                )
                if p
            )
            rows.append((users[i % len(users)], theme, question, site, kind, f"{key}|n:{i}", 20 + i % 200))
        with conn.cursor() as cur:
            cur.executemany(
                """INSERT INTO insights_subscription (user_id, theme_id, question_id, site_id, product_area_id, kind,
                       target_key, in_app, digest, alert_on_spike, alert_threshold, created_at, updated_at)
                   VALUES (%s, %s, %s, %s, NULL, %s, %s, true, '', true, %s, now(), now())""",
                rows,
            )
        # A new failure: 40 near-identical notes in the last hour, in no theme.
        agent, site = conn.execute("SELECT id, site_id FROM voc_user WHERE role = 'agent' LIMIT 1").fetchone()
        dim = conn.execute("SELECT length(vector) / 4 FROM insights_notevector LIMIT 1").fetchone()[0]
        rng = np.random.default_rng(1)
        base = rng.normal(size=dim).astype(np.float32)
        for i in range(40):
            vector = base + 0.05 * rng.normal(size=dim).astype(np.float32)
            vector /= np.linalg.norm(vector)
            note = conn.execute(
                """INSERT INTO voc_insight (kind, text, channel, language, agent_id, site_id, occurred_at, created_at,
                       updated_at, customer_abroad, abroad_country, caused_by_us, lonely, vulnerable, source,
                       external_id, status)
                   VALUES ('frustration', %s, 'phone', 'en', %s, %s, now() - %s * interval '1 minute', now(), now(),
                       false, '', true, false, false, '', '', 'active') RETURNING id""",
                (f"The app logs me out every time I open payments ({i})", agent, site, i),
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO insights_notevector (note_id, encoder, vector, lemmas, status, error, created_at)"
                " VALUES (%s, 'pair', %s, '', 'ok', '', now())",
                (note, vector.tobytes()),
            )
        conn.execute("VACUUM (ANALYZE)")
    return {"subscriptions": subscriptions, "burst_notes": 40}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-day", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--subscriptions", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database", default="voc_bench_alerts")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    builder = loop_pages._builder()
    database_url = common.pg_url(args.database)
    media = tempfile.TemporaryDirectory(prefix="voc-bench-alerts-")
    env = common.django_env(database_url, VOC_MEDIA_ROOT=media.name)
    report: dict[str, Any] = {"benchmark": "alert run", "load_before": common.load_average()}
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
        from django.utils import timezone

        from insights.following import alerts
        from insights.following.models import Burst, Notification
        from voc import periods
        from voc.models import Insight, User

        people = builder.create_people(200)
        connection.close()
        today = timezone.localdate()
        weeks = max(args.days // 7, 1)
        print(f"generating {args.per_day * args.days} notes …", file=sys.stderr)
        history = builder.generate_history(
            database_url, notes=args.per_day * weeks * 7, weeks=weeks, people=people, tz=settings.TIME_ZONE,
            today=today, last_week=periods.last_complete_week(today), seed=77, vector_weeks=1,
        )  # fmt: skip
        report["generate_seconds"] = history["seconds"]
        hq = User.objects.get(username="hq")
        report["questions"] = loop_pages.add_questions(database_url, questions=30, hq_id=hq.pk)
        report["setup"] = add_subscriptions_and_burst(database_url, subscriptions=args.subscriptions)
        now = timezone.now()
        report["notes_last_day"] = Insight.objects.filter(occurred_at__gte=now - timezone.timedelta(days=1)).count()
        report["notes_last_hour"] = Insight.objects.filter(occurred_at__gte=now - timezone.timedelta(hours=1)).count()
        took = []
        for _ in range(args.runs):
            start = time.perf_counter()
            bursts = alerts.run_alerts()
            took.append(round(time.perf_counter() - start, 2))
        report["runs_s"] = took
        report["median_s"] = statistics.median(took)
        report["bursts"] = Burst.objects.count()
        kinds: dict[str, int] = {}
        for burst in bursts:
            kinds[burst.subject.split(":")[0]] = kinds.get(burst.subject.split(":")[0], 0) + 1
        report["open_bursts_by_kind"] = kinds
        report["new_failure_found"] = [b.count for b in bursts if b.subject.startswith("cluster:")]
        report["notifications"] = Notification.objects.count()
        report["target_s"] = TARGET_S
        report["met"] = max(took) < TARGET_S
    finally:
        loop_pages.finish(args.database, keep=args.keep_db, report=report)


if __name__ == "__main__":
    main()
