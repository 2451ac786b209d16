#!/usr/bin/env python
"""Every role's home page and the head-office dashboard over a year of notes on PostgreSQL
(issue 16): p50 / p95 as the web serves them.

Builds the same data as ``bench/loop_pages.py`` (the newsletter benchmark's 1,000,000 notes over
52 weeks, 80 themes, questions with their matches, 30 done actions) in a throw-away database
``voc_bench_desk``, adds an executive with a case and a listening session, then asks each page
``--requests`` times (after three warm-up requests) through Django's test client with production
settings: each role's home page; the dashboard with no filter (the last four weeks), with each
single filter, and with three filters at once; the dashboard API; the notes behind a figure.
Prints one JSON object: per page p50 / p95 / max milliseconds and the SQL queries of one
request, the targets (home 150 ms, dashboard 300 ms with one filter and 500 ms with three) and
the plan of the dashboard's largest aggregate.

    .venv/bin/python bench/desk_pages.py [--notes 1000000] [--requests 30] [--keep-db] [--reuse-db]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _common as common  # noqa: E402

HOME_MS, ONE_FILTER_MS, THREE_FILTERS_MS = 150, 300, 500


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plan(sql_of: Any) -> list[str]:
    from django.db import connection

    sql, params = sql_of.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    loop = _module("loop_pages")
    args = loop.arguments(__doc__ or "", database="voc_bench_desk")
    report: dict[str, Any] = {"benchmark": "desk pages", "notes": args.notes, "load_before": common.load_average()}
    try:
        built, hq = loop.year_of_notes(args, prefix="voc-bench-desk-")
        report.update(built)
        from django.test import Client
        from django.utils import timezone

        from insights.models import Theme
        from voc import periods
        from voc.models import ComplaintCase, Insight, ListeningSession, ProductArea, Site, User

        today = timezone.localdate()
        executive, made = User.objects.get_or_create(username="exec-bench", defaults={"role": "executive"})
        if made:
            executive.set_password(common.PASSWORD)
            executive.save()
        complaint = Insight.objects.filter(kind="complaint").order_by("-occurred_at").first()
        if made:
            ComplaintCase.objects.create(
                month=periods.month_start(today),
                executive=executive,
                note=complaint,
                acknowledge_by=timezone.now() + timezone.timedelta(days=1),
            )
            ListeningSession.objects.create(person=executive, day=today, minutes=30)
        admin, _made = User.objects.get_or_create(username="admin-bench", defaults={"role": "admin"})
        lead = User.objects.filter(role="lead").order_by("id").first()
        agent = User.objects.filter(role="agent").order_by("id").first()
        site = Site.objects.order_by("id").first()
        theme = Theme.objects.accepted().order_by("id").first()
        area = ProductArea.objects.order_by("id").first()
        single = {
            "kind": "kind=complaint",
            "site": f"site={site.pk}",
            "channel": "channel=chat",
            "language": "language=es",
            "theme": f"theme={theme.pk}",
            "caused by us": "caused_by_us=true",
            "last 90 days": "period=last_90_days",
        }
        if area is not None:
            single["product"] = f"product_area={area.pk}"
        three = {
            "kind + site + channel": f"kind=complaint&site={site.pk}&channel=phone",
            "theme + language + 90 days": f"theme={theme.pk}&language=en&period=last_90_days",
        }
        home: dict[str, Any] = {}
        for user in (agent, lead, hq, executive, admin):
            client = Client(secure=True)
            client.force_login(user)
            home[user.role] = loop.measure(client, "/", args.requests)
        dashboard: dict[str, Any] = {}
        for user in (hq, lead):
            client = Client(secure=True)
            client.force_login(user)
            role = user.role
            dashboard[f"no filter ({role})"] = loop.measure(client, "/dashboard/", args.requests)
            for name, query in single.items():
                dashboard[f"{name} ({role})"] = loop.measure(client, f"/dashboard/?{query}", args.requests)
            for name, query in three.items():
                dashboard[f"3 filters: {name} ({role})"] = loop.measure(client, f"/dashboard/?{query}", args.requests)
            dashboard[f"api, no filter ({role})"] = loop.measure(client, "/api/v1/dashboard/", args.requests)
            dashboard[f"notes behind a bar ({role})"] = loop.measure(
                client, "/dashboard/notes/?kind=complaint", args.requests
            )
        report["home"] = home
        report["dashboard"] = dashboard
        report["targets_ms"] = {"home": HOME_MS, "one_filter": ONE_FILTER_MS, "three_filters": THREE_FILTERS_MS}
        report["met"] = {
            "home": all(p["p95_ms"] < HOME_MS for p in home.values()),
            "dashboard_one_filter": all(
                p["p95_ms"] < ONE_FILTER_MS for name, p in dashboard.items() if not name.startswith("3 filters")
            ),
            "dashboard_three_filters": all(
                p["p95_ms"] < THREE_FILTERS_MS for name, p in dashboard.items() if name.startswith("3 filters")
            ),
        }
        from django.db.models import Count

        from insights.explore.filters import period_dates
        from insights.questions.counts import midnight

        first, last = period_dates("last_4_weeks", today)
        window = Insight.objects.active().filter(
            occurred_at__gte=midnight(first), occurred_at__lt=midnight(last + timezone.timedelta(days=1))
        )
        report["plan_by_theme"] = plan(
            window.order_by().values_list("assignment__theme_id").annotate(n=Count("id")).order_by("-n")
        )
    finally:
        loop.finish(args.database, keep=args.keep_db, report=report)


if __name__ == "__main__":
    main()
