#!/usr/bin/env python
"""Where the time of one ``POST /api/v1/notes/`` goes: the capture benchmark's request, in-process.

Creates a throw-away PostgreSQL database (``voc_bench_profile``), migrates it, creates one agent
with a token, then calls the project's WSGI application directly (the full middleware stack, as
gunicorn would) in a single loop: first to count and time the SQL queries of one request, then
under cProfile. Prints ONE JSON object (per-request wall and DB time, queries per request with
their SQL, and the most expensive functions); ``--text`` also prints the cProfile table.

    .venv/bin/python bench/profile_capture.py [--requests 500] [--text]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as common
from capture import make_payload


def environ(body: bytes, token: str) -> dict[str, object]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/notes/",
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "HTTP_ACCEPT": "application/json",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


_PATCHED: list[tuple[object, str, object]] = []


def install_phase_timers() -> dict[str, float]:
    """Wrap the steps of a note POST with wall-clock timers (inclusive; nested steps overlap).
    Only this process is patched; the application code is not changed."""
    from django.db.models.query import QuerySet
    from rest_framework import authentication, serializers
    from rest_framework.settings import api_settings
    from rest_framework.views import APIView

    from voc.models import Insight
    from voc.notes import api, services

    totals: dict[str, float] = {}

    def timed(owner: object, attr: str, label: str) -> None:
        original = getattr(owner, attr)
        own = attr in vars(owner)

        def wrapper(*a, **k):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                totals[label] = totals.get(label, 0.0) + time.perf_counter() - t

        _PATCHED.append((owner, attr, original if own else None))
        setattr(owner, attr, wrapper)

    timed(api.NoteViewSet, "dispatch", "1 DRF dispatch (everything but Django middleware)")
    timed(APIView, "initial", "2 DRF initial (authentication, permissions, throttles)")
    # The token class the settings name (DRF's, or a subclass of it).
    token_class = next(
        (c for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES if issubclass(c, authentication.TokenAuthentication)),
        authentication.TokenAuthentication,
    )
    timed(token_class, "authenticate_credentials", f"2a token lookup ({token_class.__module__}.{token_class.__name__})")
    timed(api.NoteViewSet, "create", "3 view create()")
    timed(serializers.BaseSerializer, "is_valid", "3a input NoteSerializer.is_valid")
    for cls in api.NoteSerializer.__mro__:  # ModelSerializer's, and any override of it
        if "get_fields" in vars(cls) and cls is not serializers.Serializer:
            label = "ModelSerializer" if cls is serializers.ModelSerializer else cls.__name__
            timed(cls, "get_fields", f"3x {label}.get_fields (x2: input and output serializer)")
    timed(services, "record_note", "3b services.record_note")
    timed(services, "build_note", "3b1 build_note (validation + redaction + language)")
    timed(services, "redact", "3b1a redact()")
    timed(services, "detect_language", "3b1b detect_language()")
    timed(Insight, "save", "3b2 Insight.save (INSERT, and its COMMIT in autocommit)")
    timed(api, "client_ip", "3c client_ip")
    timed(api.NoteViewSet, "get_queryset", "3d get_queryset (visible_notes + annotate), building only")
    timed(QuerySet, "get", "3e QuerySet.get (ORM single-row lookups: product area, ...)")
    timed(serializers.ModelSerializer, "to_representation", "3f output NoteSerializer.to_representation")
    from celery.app.task import Task

    from voc import signals

    timed(signals.notes_recorded, "send", "3g notes_recorded signal, after commit (receivers included)")
    timed(Task, "apply_async", "3g1 Celery apply_async (a broker round trip)")
    return totals


def uninstall_phase_timers() -> None:
    while _PATCHED:
        owner, attr, original = _PATCHED.pop()
        if original is None:
            delattr(owner, attr)
        else:
            setattr(owner, attr, original)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database", default="voc_bench_profile")
    parser.add_argument("--text", action="store_true", help="also print the cProfile table (to stderr)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    database_url = common.pg_url(args.database)
    env = common.django_env(database_url)
    common.create_database(args.database)
    try:
        common.manage(env, "migrate", "--noinput")
        agent = common.create_agents(env, 1, tokens=True)[0]
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        os.chdir(common.ROOT)
        sys.path.insert(0, str(common.ROOT))
        import django

        django.setup()
        from django.db import connection

        from config.wsgi import application
        from insights.tasks import embedding_queue

        # As in a gunicorn worker (config/gunicorn.conf.py): notes go to Celery from a thread.
        embedding_queue.start_background()
        texts = common.banking77_texts()
        rng = random.Random(1)
        seq = 0

        def one() -> int:
            nonlocal seq
            seq += 1
            body = json.dumps(make_payload(rng, texts, "prof", 0, seq)).encode()
            statuses: list[str] = []
            result = application(environ(body, agent["token"]), lambda s, h, e=None: statuses.append(s))
            b"".join(result)
            if hasattr(result, "close"):
                result.close()
            return int(statuses[0][:3])

        for _ in range(50):  # warm-up: imports, URL resolver, first connection
            assert one() == 201

        phases = install_phase_timers()

        # 1. Queries: how many, which, how long (wall time in the driver, including the round trip).
        queries: Counter[str] = Counter()
        query_time: Counter[str] = Counter()
        db_time = 0.0

        def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal db_time
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent = time.perf_counter() - t
                db_time += spent
                key = re.sub(r"\s+", " ", sql)
                key = key[:90] + " ... " + key[-110:] if len(key) > 200 else key
                queries[key] += 1
                query_time[key] += spent

        n = max(args.requests // 2, 100)
        t0 = time.perf_counter()
        phases.clear()
        with connection.execute_wrapper(wrapper):
            for _ in range(n):
                assert one() == 201
        wall = time.perf_counter() - t0
        phase_ms = {name: round(1000 * total / n, 2) for name, total in phases.items()}
        uninstall_phase_timers()

        # 2. cProfile over the same loop.
        profiler = cProfile.Profile()
        t1 = time.perf_counter()
        profiler.enable()
        for _ in range(args.requests):
            one()
        profiler.disable()
        profiled_wall = time.perf_counter() - t1
        stats = pstats.Stats(profiler)
        if args.text:
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(60)
            pstats.Stats(profiler, stream=buf).sort_stats("tottime").print_stats(30)
            sys.stderr.write(buf.getvalue())

        def row(key, value):  # type: ignore[no-untyped-def]
            filename, line, func = key
            _cc, ncalls, tottime, cumtime, _callers = value
            short = filename.replace(str(common.ROOT) + "/", "").replace(
                str(common.ROOT / ".venv/lib/python3.11/site-packages") + "/", ""
            )
            return {
                "function": f"{short}:{line}({func})",
                "calls_per_request": round(ncalls / args.requests, 2),
                "cum_ms_per_request": round(1000 * cumtime / args.requests, 3),
                "own_ms_per_request": round(1000 * tottime / args.requests, 3),
            }

        items = list(stats.stats.items())  # type: ignore[attr-defined]
        by_cum = sorted(items, key=lambda kv: kv[1][3], reverse=True)
        by_own = sorted(items, key=lambda kv: kv[1][2], reverse=True)
        interesting = re.compile(
            r"(voc/|config/|rest_framework/authentication|rest_framework/serializers|axes/|"
            r"django/db/models/query|django/db/backends/utils|django/core/handlers/base|"
            r"django/utils/translation|django/middleware|whitenoise)"
        )
        report = {
            "benchmark": "profile_capture",
            "requests": n,
            "ms_per_request_wall": round(1000 * wall / n, 2),
            "ms_per_request_in_db_calls": round(1000 * db_time / n, 2),
            "phases_ms_per_request_inclusive": phase_ms,
            "queries_per_request": round(sum(queries.values()) / n, 2),
            "queries": [
                {"per_request": round(c / n, 2), "ms_each": round(1000 * query_time[q] / c, 2), "sql": q}
                for q, c in queries.most_common()
            ],
            "profiled": {
                "requests": args.requests,
                "ms_per_request_under_cprofile": round(1000 * profiled_wall / args.requests, 2),
                "top_cumulative": [row(k, v) for k, v in by_cum if interesting.search(k[0])][: args.top],
                "top_own_time": [row(k, v) for k, v in by_own][: args.top],
            },
        }
        connection.close()
    finally:
        common.drop_database(args.database)
        common.purge_broker_messages({os.getpid()})
    print(json.dumps(report))


if __name__ == "__main__":
    main()
