"""PostgreSQL ends the web processes' connections while they serve requests (gunicorn with
config/gunicorn.conf.py, as in production): no request is answered 500, and no note is lost or
stored twice when clients retry what was answered 503."""

from __future__ import annotations

import http.client
import json
import threading
import uuid

import psycopg
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.celery_worker import wait_for
from tests.faults.conftest import BIN, free_port, healthy
from voc.models import Insight

NOTES = 60


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_connections_terminated_during_requests_cost_no_500_and_no_note(service_env, spawn, agent):
    token = Token.objects.create(user=agent).key
    canary = f"conn-kill-{uuid.uuid4().hex[:8]}"
    port = free_port()
    env = {**service_env, "PGAPPNAME": canary}  # the web processes' connections, and only theirs
    web = spawn(
        "gunicorn",
        [str(BIN / "gunicorn"), "config.wsgi:application", "-c", "config/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env,
    )  # fmt: skip
    assert wait_for(lambda: healthy(port), seconds=60), web.log_path.read_text()[-3000:]

    stop, killed = threading.Event(), []
    db = connection.settings_dict

    def terminate() -> None:
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], password=db.get("PASSWORD"),
            dbname=db["NAME"], autocommit=True,
        ) as admin:  # fmt: skip
            while not stop.wait(0.02):
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", [canary]
                ).fetchall()
                killed.extend(row[0] for row in rows)

    killer = threading.Thread(target=terminate)
    killer.start()
    statuses: list[int] = []
    try:
        for n in range(NOTES):
            text = f"{canary} card {n} never arrived"
            note = {"kind": "need", "channel": "phone", "text": text, "external_id": f"{canary}-{n}"}
            for _attempt in range(50):  # a client retries what was answered 503
                status = call(port, "POST", "/api/v1/notes/", token, note)
                statuses.append(status)
                if status != 503:
                    break
            statuses.append(call(port, "GET", "/api/v1/notes/?page_size=5", token))
    finally:
        stop.set()
        killer.join()

    assert killed, "no connection was terminated: the test proved nothing"
    assert 500 not in statuses
    assert set(statuses) <= {200, 201, 503}
    stored = list(Insight.objects.filter(external_id__startswith=f"{canary}-").values_list("external_id", flat=True))
    assert sorted(stored) == sorted(f"{canary}-{n}" for n in range(NOTES))  # each note once
