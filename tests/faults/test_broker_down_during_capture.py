"""The broker goes away while agents log notes (gunicorn with config/gunicorn.conf.py, as in
production), and comes back empty, as a Redis without persistence does: every note is answered
201 and stored, and every one is embedded later by a real worker, through the vector sweep."""

from __future__ import annotations

import http.client
import json
import signal
import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from rest_framework.authtoken.models import Token

from config.celery import app
from insights import services, tasks
from insights.models import NoteVector
from tests.celery_worker import wait_for
from tests.faults.conftest import BIN, celery_worker, free_port, healthy, kill_group
from voc.models import Insight

NOTES = 20


def post_note(port: int, token: str, text: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps({"kind": "need", "channel": "phone", "text": text, "language": "en"})
        conn.request("POST", "/api/v1/notes/", body=body, headers={"Authorization": f"Token {token}",
                                                                     "Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.worker
def test_notes_captured_while_the_broker_is_down_are_all_stored_and_embedded_later(redis, service_env, spawn, agent):
    token = Token.objects.create(user=agent).key
    canary = f"broker-down-{uuid.uuid4().hex[:8]}"
    port = free_port()
    web = spawn(
        "gunicorn",
        [str(BIN / "gunicorn"), "config.wsgi:application", "-c", "config/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        service_env,
    )  # fmt: skip
    assert wait_for(lambda: healthy(port), seconds=60), web.log_path.read_text()[-3000:]

    redis.kill()  # the broker goes away
    statuses = [post_note(port, token, f"{canary}: my card {n} has not arrived") for n in range(NOTES)]
    assert statuses == [201] * NOTES
    notes = Insight.objects.filter(text__startswith=canary)
    assert notes.count() == NOTES
    kill_group(web, signal.SIGTERM)  # the web process stops with the notes it could not hand over

    redis.start()  # back, and empty: whatever it held is gone
    assert not NoteVector.objects.filter(note__in=notes).exists()
    # The sweep takes notes older than SWEEP_AFTER: let that much time pass for these notes.
    notes.update(created_at=F("created_at") - services.SWEEP_AFTER - timedelta(minutes=1))
    worker = spawn("worker", celery_worker("faults-embed"), service_env)
    with app.connection_for_write(redis.url) as conn:
        tasks.sweep_vectors.apply_async(connection=conn)  # what beat runs every hour
    embedded = wait_for(
        lambda: NoteVector.objects.filter(note__in=notes, status=NoteVector.Status.OK).count() == NOTES, seconds=120
    )
    assert embedded, worker.log_path.read_text()[-3000:]
